// In-memory stand-ins for the informer and the API, for controller unit tests.
import { type KubeObject, objectKey, type ResourceType } from "../client/types.ts";
import type { ControllerInformer, InformerHandler, InformerSource } from "./informer_source.ts";
import type { JsonPatchOperation, PrimaryApi } from "./finalizer.ts";

export class FakeInformer<T extends KubeObject> implements ControllerInformer<T> {
  readonly map = new Map<string, T>();
  readonly handlers = new Set<InformerHandler<T>>();
  readonly store = {
    get: (k: string) => this.map.get(k),
    list: () => [...this.map.values()],
  };
  addHandler(h: InformerHandler<T>): () => void {
    this.handlers.add(h);
    for (const o of this.map.values()) h.onAdd?.(o);
    return () => this.handlers.delete(h);
  }
  ready(): Promise<void> {
    return Promise.resolve();
  }
  upsert(o: T): void {
    const k = objectKey(o);
    const old = this.map.get(k);
    this.map.set(k, o);
    for (const h of this.handlers) old ? h.onUpdate?.(old, o) : h.onAdd?.(o);
  }
  remove(o: T): void {
    this.map.delete(objectKey(o));
    for (const h of this.handlers) h.onDelete?.(o);
  }
}

export class FakeInformers implements InformerSource {
  readonly byKind = new Map<string, FakeInformer<KubeObject>>();
  released = 0;
  for<U extends KubeObject>(type: ResourceType<U>): FakeInformer<U> {
    let i = this.byKind.get(type.kind);
    if (!i) this.byKind.set(type.kind, i = new FakeInformer());
    return i as unknown as FakeInformer<U>;
  }
  acquire<U extends KubeObject>(type: ResourceType<U>) {
    return { informer: this.for(type), release: () => void this.released++ };
  }
}

/** Applies finalizer patches to the informer's objects, as a server plus watch would. */
export class FakeApi<T extends KubeObject> implements PrimaryApi<T> {
  rv = 100;
  constructor(readonly informer: FakeInformer<T>) {}
  get(o: T): Promise<T | undefined> {
    return Promise.resolve(this.informer.map.get(objectKey(o)));
  }
  jsonPatch(o: T, opts: { operations: JsonPatchOperation[] }): Promise<T> {
    const cur = this.informer.map.get(objectKey(o));
    if (!cur) return Promise.reject(Object.assign(new Error("not found"), { code: 404 }));
    const next = structuredClone(cur);
    const fins = [...(next.metadata.finalizers ?? [])];
    for (const op of opts.operations) {
      if (op.op === "add" && op.path === "/metadata/finalizers") {
        fins.push(...(op.value as string[]));
      } else if (op.op === "add" && op.path === "/metadata/finalizers/-") {
        fins.push(op.value as string);
      } else if (op.op === "remove") fins.splice(Number(op.path.split("/").pop()), 1);
    }
    next.metadata.finalizers = fins;
    next.metadata.resourceVersion = String(++this.rv);
    if (next.metadata.deletionTimestamp && fins.length === 0) this.informer.remove(next);
    else this.informer.upsert(next);
    return Promise.resolve(next);
  }
}

export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
