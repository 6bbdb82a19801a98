// Controller benchmarks: work-queue cost per item, and reconcile throughput of 10k primary
// objects with a no-op resource (finalizer add included) at concurrency 1, 10 and 50.
//
// Run: deno bench -A bench/controller_bench.ts
// Per-item cost = the reported time per iteration divided by the batch size (10,000).
import { WorkQueue } from "../controller/work_queue.ts";
import { Controller } from "../controller/controller.ts";
import type { ControllerInformer, InformerHandler } from "../controller/informer_source.ts";
import type { JsonPatchOperation } from "../controller/finalizer.ts";
import { type KubeObject, objectKey, type ResourceType } from "../client/types.ts";

const BATCH = 10_000;
const keys = Array.from({ length: BATCH }, (_, i) => `ns/object-${i}`);

Deno.bench({
  name: `work queue: add + tryGet + done, ${BATCH} distinct keys (per iteration)`,
  group: "queue",
  baseline: true,
  fn() {
    const q = new WorkQueue<string>();
    for (const k of keys) q.add(k);
    for (let k = q.tryGet(); k !== undefined; k = q.tryGet()) q.done(k);
  },
});

Deno.bench({
  name: `work queue: add x3 (dedup) + tryGet + done, ${BATCH} keys`,
  group: "queue",
  fn() {
    const q = new WorkQueue<string>();
    for (const k of keys) q.add(k);
    for (const k of keys) q.add(k);
    for (const k of keys) q.add(k);
    for (let k = q.tryGet(); k !== undefined; k = q.tryGet()) q.done(k);
  },
});

Deno.bench({
  name: `work queue: add + await get + done, ${BATCH} keys`,
  group: "queue",
  async fn() {
    const q = new WorkQueue<string>();
    for (const k of keys) q.add(k);
    for (let i = 0; i < BATCH; i++) q.done((await q.get())!);
  },
});

// --- reconcile throughput with in-memory informer and API -----------------------------

const Thing: ResourceType = {
  group: "bench.operatorkit.io",
  version: "v1",
  apiVersion: "bench.operatorkit.io/v1",
  kind: "Thing",
  plural: "things",
  namespaced: true,
};

class MemoryInformer implements ControllerInformer<KubeObject> {
  readonly map = new Map<string, KubeObject>();
  readonly handlers: InformerHandler<KubeObject>[] = [];
  readonly store = { get: (k: string) => this.map.get(k), list: () => [...this.map.values()] };
  addHandler(h: InformerHandler<KubeObject>) {
    this.handlers.push(h);
    for (const o of this.map.values()) h.onAdd?.(o);
    return () => {};
  }
  ready() {
    return Promise.resolve();
  }
}

async function throughput(concurrency: number): Promise<void> {
  const informer = new MemoryInformer();
  for (const k of keys) {
    const [namespace, name] = k.split("/");
    informer.map.set(k, { metadata: { namespace, name, uid: k, resourceVersion: "1" } });
  }
  let remaining = BATCH;
  let finish!: () => void;
  const finished = new Promise<void>((r) => finish = r);
  const controller = new Controller<KubeObject>({
    name: "bench",
    type: Thing,
    concurrency,
    resyncPeriodMs: 0,
    resources: [{
      name: "noop",
      ensureCreated: () => {
        if (--remaining === 0) finish();
        return Promise.resolve();
      },
      ensureDeleted: () => Promise.resolve(),
    }],
    informers: { acquire: () => ({ informer: informer as never, release: () => {} }) },
    api: {
      get: (o) => Promise.resolve(informer.map.get(objectKey(o))),
      // The finalizer patch, as the server would answer it (no watch event: dedup would
      // swallow it anyway while the key is processing, and it is what we measure).
      jsonPatch: (o, opts: { operations: JsonPatchOperation[] }) => {
        const next = { ...o, metadata: { ...o.metadata, finalizers: ["operatorkit.io/bench"] } };
        if (opts.operations.length === 0) throw new Error("empty patch");
        informer.map.set(objectKey(o), next);
        return Promise.resolve(next);
      },
    },
  });
  await controller.start();
  await finished;
  await controller.stop();
}

for (const c of [1, 10, 50]) {
  Deno.bench({
    name: `reconcile ${BATCH} objects, no-op resource, in-memory informer, concurrency ${c}`,
    group: "reconcile",
    n: 5,
    warmup: 1,
    fn: () => throughput(c),
  });
}

// --- the same through the real informer and the in-process MemoryCluster -------------
// Adds, finalizer JSON patches (test + add), watch events back into the informer cache.
import { InformerFactory } from "../informer/factory.ts";
import { primaryApi } from "../controller/kube.ts";
import { MemoryCluster } from "../examples/website/_memory_cluster.ts";
import type { ListWatch } from "../client/types.ts";

async function throughputInformer(concurrency: number): Promise<void> {
  const cluster = new MemoryCluster();
  const things = cluster.resource(Thing);
  for (let i = 0; i < BATCH; i++) {
    await things.create({ metadata: { name: `object-${i}`, namespace: "ns" } });
  }
  let remaining = BATCH;
  let finish!: () => void;
  const finished = new Promise<void>((r) => finish = r);
  await using factory = new InformerFactory({
    listWatch: <T extends KubeObject>(t: ResourceType<T>) =>
      cluster.resource(t) as unknown as ListWatch<T>,
  });
  const seen = new Set<string>();
  const controller = new Controller<KubeObject>({
    name: "bench",
    type: Thing,
    concurrency,
    resyncPeriodMs: 0,
    resources: [{
      name: "noop",
      ensureCreated: (o) => {
        if (!seen.has(o.metadata.name!)) {
          seen.add(o.metadata.name!);
          if (--remaining === 0) finish();
        }
        return Promise.resolve();
      },
      ensureDeleted: () => Promise.resolve(),
    }],
    informers: factory,
    api: primaryApi(things),
  });
  await controller.start();
  await finished;
  await controller.stop();
}

// `deno bench` ignores `n` for this slow async case and calibrates by repetition (hundreds of
// 1-2 s runs until the heap is exhausted), so this one is measured by a plain run instead:
//   OPERATORKIT_BENCH_RUN=1 deno run -A bench/controller_bench.ts
if (Deno.env.get("OPERATORKIT_BENCH_RUN") === "1") {
  for (const c of [1, 10, 50]) {
    const t0 = performance.now();
    await throughputInformer(c);
    const ms = performance.now() - t0;
    console.log(
      `reconcile ${BATCH} objects (finalizer add + watch round trip), real informer + memory cluster, concurrency ${c}: ${
        ms.toFixed(0)
      } ms (${(BATCH / (ms / 1000)).toFixed(0)} objects/s)`,
    );
  }
}
