// The controller on the real informer (InformerFactory), with an in-memory ListWatch.
import assert from "node:assert/strict";
import type { KubeObject, ListWatch, WatchEvent, WatchOptions } from "../client/types.ts";
import { InformerFactory } from "../informer/factory.ts";
import { Controller } from "./controller.ts";
import type { InformerSource } from "./informer_source.ts";
import type { JsonPatchOperation } from "./finalizer.ts";
import { TestType } from "./_test_util.ts";

function memoryListWatch(items: KubeObject[]): ListWatch<KubeObject> {
  return {
    type: TestType,
    list: () => Promise.resolve({ metadata: { resourceVersion: "10" }, items, invalid: [] }),
    watch: (options: WatchOptions = {}): AsyncIterable<WatchEvent<KubeObject>> => ({
      async *[Symbol.asyncIterator]() {
        // No changes: wait until the informer stops the watch.
        await new Promise<void>((resolve) => {
          if (options.signal?.aborted) return resolve();
          options.signal?.addEventListener("abort", () => resolve(), { once: true });
        });
        yield* [];
      },
    }),
  };
}

Deno.test("Controller runs on InformerFactory and releases its informers on stop", async () => {
  const items = ["a", "b", "c"].map((name): KubeObject => ({
    apiVersion: TestType.apiVersion,
    kind: TestType.kind,
    metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion: "5" },
  }));
  await using factory = new InformerFactory({
    listWatch: <T extends KubeObject>() => memoryListWatch(items) as unknown as ListWatch<T>,
  });
  const informers: InformerSource = factory;
  const patched: string[] = [];
  const seen: string[] = [];
  const controller = new Controller<KubeObject>({
    name: "things",
    type: TestType,
    informers,
    resyncPeriodMs: 0,
    api: {
      get: (o) => Promise.resolve(o),
      jsonPatch: (o, opts: { operations: JsonPatchOperation[] }) => {
        patched.push(`${o.metadata.name}:${opts.operations.map((op) => op.op).join(",")}`);
        return Promise.resolve({
          ...o,
          metadata: { ...o.metadata, finalizers: ["operatorkit.io/things"] },
        });
      },
    },
    resources: [{
      name: "record",
      ensureCreated: (o, ctx) => {
        seen.push(`${ctx.key} ${o.metadata.finalizers?.[0]}`);
        assert.equal(ctx.cache.get(TestType)?.get(ctx.key)?.metadata.uid, o.metadata.uid);
        return Promise.resolve();
      },
      ensureDeleted: () => Promise.resolve(),
    }],
  });
  await controller.start();
  for (let i = 0; i < 20 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 1));
  await controller.stop();
  assert.deepEqual(seen.sort(), [
    "ns/a operatorkit.io/things",
    "ns/b operatorkit.io/things",
    "ns/c operatorkit.io/things",
  ]);
  assert.deepEqual(patched.sort(), ["a:test,add", "b:test,add", "c:test,add"]);
  assert.equal(factory.size, 0, "the controller released its informer");
});
