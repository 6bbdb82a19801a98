import assert from "node:assert/strict";
import { getLogger } from "@logtape/logtape";
import type { DecodeFailure, KubeObject } from "../client/types.ts";
import { _CacheWriter } from "./_cache_writer.ts";
import { Dispatcher, type InformerEvent } from "./dispatch.ts";
import { newCounters } from "./health.ts";
import { MemoryStore } from "./store.ts";

function obj(name: string, uid: string, rv: string): KubeObject {
  return { metadata: { namespace: "ns", name, uid, resourceVersion: rv } };
}
function failure(o: KubeObject): DecodeFailure {
  return {
    key: `ns/${o.metadata.name}`,
    uid: o.metadata.uid,
    resourceVersion: o.metadata.resourceVersion,
    issues: [{ path: ["spec"], message: "Required" }],
    message: "spec: Required",
  };
}

Deno.test("cache writer: a relist where a cached object no longer decodes drops it without a delete", async () => {
  const store = new MemoryStore();
  const dispatcher = new Dispatcher();
  const events: string[] = [];
  dispatcher.addHandler({
    onAdd: (o) => void events.push(`add ${o.metadata.name}`),
    onUpdate: (_, o) => void events.push(`update ${o.metadata.name}`),
    onDelete: (o) => void events.push(`delete ${o.metadata.name}`),
  }, []);
  const reported: string[] = [];
  const writer = new _CacheWriter(store, dispatcher, newCounters(), {
    transform: (o) => o,
    onDecodeFailure: (f) => void reported.push(`${f.key}@${f.resourceVersion}`),
    log: getLogger(["operatorkit", "informer", "test"]),
  });
  writer.replace([obj("a", "ua", "1"), obj("b", "ub", "1"), obj("c", "uc", "1")], []);
  events.length = 0;
  // b's new version fails the schema (same uid): it leaves the cache, no delete.
  // c was recreated (new uid) and the new incarnation fails: the old one did go away.
  const badB = obj("b", "ub", "2");
  const badC = obj("c", "uc2", "3");
  writer.replace([obj("a", "ua", "1")], [
    { raw: badB, error: failure(badB) },
    { raw: badC, error: failure(badC) },
  ]);
  await dispatcher.idle();
  assert.deepEqual(store.keys(), ["ns/a"]);
  assert.deepEqual(events, ["delete c"]);
  assert.deepEqual(reported, ["ns/b@2", "ns/c@3"]);
  // The same invalid versions on the next relist are not reported again.
  writer.replace([obj("a", "ua", "1")], [{ raw: badB, error: failure(badB) }]);
  assert.equal(reported.length, 2);
  await dispatcher.close();
});

Deno.test("cache writer: events for a (uid, resourceVersion) already cached are dropped", () => {
  const store = new MemoryStore();
  const dispatcher = new Dispatcher();
  const seen: InformerEvent["type"][] = [];
  dispatcher.addHandler({
    onAdd: () => void seen.push("add"),
    onUpdate: () => void seen.push("update"),
  }, []);
  const counters = newCounters();
  const writer = new _CacheWriter(store, dispatcher, counters, {
    transform: (o) => o,
    log: getLogger(["operatorkit", "informer", "test"]),
  });
  writer.event({ type: "ADDED", object: obj("a", "ua", "1") });
  writer.event({ type: "MODIFIED", object: obj("a", "ua", "1") });
  writer.event({ type: "MODIFIED", object: obj("a", "ua", "2") });
  writer.event({ type: "MODIFIED", object: obj("a", "ua", "2") });
  assert.deepEqual(seen, ["add", "update"]);
  assert.equal(counters.duplicates, 2);
});

Deno.test("cache writer: a list's adds are not built when no handler reads them, and counted", async () => {
  const store = new MemoryStore();
  const dispatcher = new Dispatcher();
  const updates: string[] = [];
  dispatcher.addHandler({ onUpdate: (_, o) => void updates.push(o.metadata.name!) }, []);
  const counters = newCounters();
  const writer = new _CacheWriter(store, dispatcher, counters, {
    transform: (o) => o,
    log: getLogger(["operatorkit", "informer", "test"]),
  });
  const published: string[] = [];
  const publish = dispatcher.publish.bind(dispatcher);
  dispatcher.publish = (e) => {
    published.push(`${e.type} ${e.object.metadata.name}`);
    publish(e);
  };
  writer.replace([obj("a", "ua", "1"), obj("b", "ub", "1")], []);
  assert.deepEqual(published, []);
  assert.equal(counters.added, 2);
  assert.equal(store.size, 2);
  // A relist with a change still delivers the update the handler reads.
  writer.replace([obj("a", "ua", "2"), obj("b", "ub", "1"), obj("c", "uc", "1")], []);
  await dispatcher.idle();
  assert.deepEqual(published, ["update a"]);
  assert.deepEqual(updates, ["a"]);
  assert.deepEqual([counters.added, counters.modified], [3, 1]);
  // A handler with onAdd added now gets the cache as adds (the informer passes the store).
  const adds: string[] = [];
  dispatcher.addHandler({ onAdd: (o) => void adds.push(o.metadata.name!) }, store.list());
  await dispatcher.idle();
  assert.deepEqual(adds, ["a", "b", "c"]);
  await dispatcher.close();
});
