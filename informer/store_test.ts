import assert from "node:assert/strict";
import type { KubeObject } from "../client/types.ts";
import { MemoryStore } from "./store.ts";

const o = (ns: string | undefined, name: string, labels: Record<string, string> = {}, rv = "1") =>
  ({
    metadata: { namespace: ns, name, uid: `u-${name}`, resourceVersion: rv, labels },
  }) as KubeObject;

Deno.test("store: keys are namespace/name, or name for cluster-scoped objects", () => {
  const s = new MemoryStore();
  s.set(o("a", "x"));
  s.set(o(undefined, "node"));
  assert.deepEqual(s.keys().sort(), ["a/x", "node"]);
  assert.equal(s.get({ metadata: { namespace: "a", name: "x" } })?.metadata.uid, "u-x");
  assert.equal(s.getByKey("node")?.metadata.uid, "u-node");
  assert.equal(s.size, 2);
});

Deno.test("store: namespace and user indexes follow set, update and delete", () => {
  const s = new MemoryStore();
  s.addIndex("app", (obj) => obj.metadata.labels?.app ? [obj.metadata.labels.app] : []);
  s.set(o("a", "x", { app: "web" }));
  s.set(o("b", "y", { app: "web" }));
  s.set(o("a", "z", { app: "db" }));
  assert.deepEqual(s.byIndex("app", "web").map((x) => x.metadata.name).sort(), ["x", "y"]);
  assert.deepEqual(s.listByNamespace("a").map((x) => x.metadata.name).sort(), ["x", "z"]);
  s.set(o("a", "x", { app: "db" }, "2")); // relabelled
  assert.deepEqual(s.byIndex("app", "web").map((x) => x.metadata.name), ["y"]);
  assert.deepEqual(s.byIndex("app", "db").map((x) => x.metadata.name).sort(), ["x", "z"]);
  s.delete("b/y");
  assert.deepEqual(s.byIndex("app", "web"), []);
  assert.deepEqual(s.listByNamespace("b"), []);
  assert.throws(() => s.byIndex("nope", "x"), /expected a registered index name/);
  assert.throws(() => s.addIndex("app", () => []), /already registered/);
});

Deno.test("store: an index added later covers existing objects; replace rebuilds indexes", () => {
  const s = new MemoryStore();
  s.set(o("a", "x", { tier: "1" }));
  s.addIndex("tier", (obj) => [obj.metadata.labels?.tier ?? "none"]);
  assert.equal(s.byIndex("tier", "1").length, 1);
  const before = s.list();
  s.replace([o("c", "q", { tier: "2" })]);
  assert.equal(before.length, 1, "lists handed out earlier are not changed by a swap");
  assert.deepEqual(s.keys(), ["c/q"]);
  assert.deepEqual(s.byIndex("tier", "1"), []);
  assert.equal(s.byIndex("tier", "2").length, 1);
  assert.deepEqual(s.listByNamespace("a"), []);
});

Deno.test("store: freeze makes cached objects immutable", () => {
  const s = new MemoryStore({ freeze: true });
  const obj = o("a", "x", { k: "v" });
  s.set(obj);
  assert.throws(() => {
    (s.get("a/x")!.metadata.labels as Record<string, string>).k = "w";
  }, TypeError);
});

Deno.test("store: replace with precomputed keys files each object under its key", () => {
  const s = new MemoryStore();
  s.addIndex("tier", (obj) => [obj.metadata.labels?.tier ?? "none"]);
  const items = [o("a", "x", { tier: "1" }), o(undefined, "y")];
  s.replace(items, ["a/x", "y"]);
  assert.deepEqual(s.keys().sort(), ["a/x", "y"]);
  assert.equal(s.get("a/x"), items[0]);
  assert.equal(s.get("y"), items[1]);
  assert.deepEqual(s.listByNamespace("a"), [items[0]]);
  assert.deepEqual(s.byIndex("tier", "1"), [items[0]]);
});

Deno.test("store: the namespace index, built on first read, follows replace, set and delete", () => {
  const s = new MemoryStore();
  s.replace([o("a", "x"), o("b", "y"), o(undefined, "node")]);
  s.set(o("a", "z"));
  assert.deepEqual(s.listByNamespace("a").map((x) => x.metadata.name), ["x", "z"]);
  // Built now: later writes keep it current.
  s.set(o("b", "w"));
  s.set(o("a", "x", {}, "2"));
  s.delete("b/y");
  assert.deepEqual(s.listByNamespace("a").map((x) => x.metadata.resourceVersion), ["2", "1"]);
  assert.deepEqual(s.byIndex("namespace", "b").map((x) => x.metadata.name), ["w"]);
  // A replace swaps in new contents; the index follows them, not the old ones.
  s.replace([o("c", "v")]);
  assert.deepEqual(s.listByNamespace("a"), []);
  assert.deepEqual(s.listByNamespace("c").map((x) => x.metadata.name), ["v"]);
  s.delete("c/v");
  assert.deepEqual(s.listByNamespace("c"), []);
});
