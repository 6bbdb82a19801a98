import assert from "node:assert/strict";
import type { KubeObject } from "../client/types.ts";
import { eventSink, primaryApi, type ResourceHandle, writeStatus } from "./kube.ts";
import type { CoreEvent } from "./event_recorder.ts";

function recordingHandle<T extends KubeObject>(
  calls: unknown[],
  missing = false,
): ResourceHandle<T> {
  return {
    get: (name, o) => {
      calls.push(["get", name, o?.namespace]);
      return missing
        ? Promise.reject(Object.assign(new Error("nf"), { code: 404 }))
        : Promise.resolve({ metadata: { name } } as T);
    },
    create: (obj, o) => {
      calls.push(["create", obj.metadata.name, o?.namespace]);
      return Promise.resolve(obj);
    },
    patch: (name, o) => {
      calls.push(["patch", name, o.namespace, o.type, o.body]);
      return Promise.resolve({ metadata: { name } } as T);
    },
  };
}

Deno.test("primaryApi reads (404 = undefined) and sends JSON patches by namespace/name", async () => {
  const calls: unknown[] = [];
  const api = primaryApi(recordingHandle<KubeObject>(calls));
  const obj = { metadata: { name: "a", namespace: "ns" } };
  assert.deepEqual(await api.get(obj), { metadata: { name: "a" } });
  await api.jsonPatch(obj, { operations: [{ op: "remove", path: "/metadata/finalizers/0" }] });
  assert.deepEqual(calls, [
    ["get", "a", "ns"],
    ["patch", "a", "ns", "json", [{ op: "remove", path: "/metadata/finalizers/0" }]],
  ]);
  assert.equal(await primaryApi(recordingHandle<KubeObject>([], true)).get(obj), undefined);
  const failing = {
    ...recordingHandle<KubeObject>([]),
    get: () => Promise.reject(new Error("500")),
  };
  await assert.rejects(primaryApi(failing).get(obj), /500/);
});

Deno.test("eventSink creates Events and merge-patches repeats", async () => {
  const calls: unknown[] = [];
  const sink = eventSink(recordingHandle<CoreEvent>(calls));
  await sink.create("ns", { metadata: { name: "e1" } } as CoreEvent);
  await sink.patch("ns", "e1", { count: 2 });
  assert.deepEqual(calls, [["create", "e1", "ns"], ["patch", "e1", "ns", "merge", { count: 2 }]]);
});

Deno.test("writeStatus writes through the status subresource only when it changed", async () => {
  const calls: unknown[] = [];
  const handle = { status: recordingHandle<KubeObject & { status?: { n: number } }>(calls) };
  const obj = { metadata: { name: "a", namespace: "ns" }, status: { n: 1 } };
  assert.equal(await writeStatus(handle, obj, { status: { n: 1 } }), false);
  assert.equal(await writeStatus(handle, obj, { status: { n: 2 } }), true);
  assert.deepEqual(calls, [["patch", "a", "ns", "merge", { status: { n: 2 } }]]);
});
