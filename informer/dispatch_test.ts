import assert from "node:assert/strict";
import type { KubeObject } from "../client/types.ts";
import { Dispatcher } from "./dispatch.ts";

const obj = (name: string): KubeObject => ({ metadata: { name } });

Deno.test("dispatch: handlers get events in order; a throwing handler does not stop others", async () => {
  const d = new Dispatcher();
  const a: string[] = [];
  const b: string[] = [];
  d.addHandler({
    onAdd: (o) => {
      if (o.metadata.name === "x") throw new Error("boom");
      a.push(o.metadata.name!);
    },
  }, []);
  d.addHandler({ onAdd: (o) => Promise.resolve(void b.push(o.metadata.name!)) }, [obj("init")]);
  d.publish({ type: "add", object: obj("x") });
  d.publish({ type: "add", object: obj("y") });
  await d.idle();
  assert.deepEqual(a, ["y"]);
  assert.deepEqual(b, ["init", "x", "y"]);
  await d.close();
});

Deno.test("dispatch: full() reflects the bound and waitForRoom resolves when drained", async () => {
  const d = new Dispatcher({ maxBuffered: 2 });
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const got: string[] = [];
  d.addHandler({
    onAdd: async (o) => {
      await gate;
      got.push(o.metadata.name!);
    },
  }, []);
  for (const n of ["a", "b", "c"]) d.publish({ type: "add", object: obj(n) });
  assert.equal(d.full(), true);
  let roomy = false;
  const room = d.waitForRoom().then(() => roomy = true);
  await Promise.resolve();
  assert.equal(roomy, false);
  release();
  await room;
  await d.idle();
  assert.deepEqual(got, ["a", "b", "c"]);
  await d.close();
});

Deno.test("dispatch: unregistering stops delivery; events() ends on close", async () => {
  const d = new Dispatcher();
  const got: string[] = [];
  const off = d.addHandler({ onAdd: (o) => void got.push(o.metadata.name!) }, []);
  d.publish({ type: "add", object: obj("a") });
  await d.idle();
  off();
  d.publish({ type: "add", object: obj("b") });
  await d.idle();
  assert.deepEqual(got, ["a"]);
  const it = d.events([obj("init")]);
  d.publish({ type: "resync", object: obj("c") });
  assert.equal((await it.next()).value?.type, "add");
  assert.equal((await it.next()).value?.type, "resync");
  const pending = it.next();
  await d.close();
  assert.equal((await pending).done, true);
});

Deno.test("dispatch: wants() says which event types some consumer reads", async () => {
  const d = new Dispatcher();
  assert.equal(d.wants("add"), false);
  const handler: { onUpdate: () => void; onAdd?: () => void } = { onUpdate: () => {} };
  const off = d.addHandler(handler, []);
  assert.deepEqual([d.wants("add"), d.wants("update"), d.wants("delete")], [false, true, false]);
  handler.onAdd = () => {}; // looked up when asked, as delivery does
  assert.equal(d.wants("add"), true);
  off();
  const ac = new AbortController();
  d.events([], ac.signal); // an iterator reads every type
  assert.deepEqual([d.wants("add"), d.wants("resync")], [true, true]);
  ac.abort();
  assert.equal(d.wants("add"), false);
  await d.close();
});
