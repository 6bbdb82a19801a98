// One informer view over several namespaces: a namespaced type watched in a list of
// namespaces is one informer per namespace (the API has no "these namespaces" selector), seen
// by the controller as a single informer whose store routes `namespace/name` keys to the
// namespace's own store. controller-runtime's multi-namespace cache does the same.
import type { KubeObject, ResourceType } from "../client/types.ts";
import type {
  ControllerInformer,
  InformerHandler,
  InformerScopeOptions,
  InformerSource,
} from "./informer_source.ts";
import type { CacheReader } from "./resource.ts";

/** What `acquire` hands back: the informer and its release. */
export interface _Acquired<U extends KubeObject> {
  informer: ControllerInformer<U>;
  release(): void | Promise<void>;
}

/**
 * Acquires `type` from `source` in each of `namespaces` (all namespaces when the list is
 * empty, or the type is cluster-scoped, or `scope.namespace` is set: an explicit namespace
 * wins) and joins them into one informer.
 */
export function _acquireInNamespaces<U extends KubeObject>(
  source: InformerSource,
  type: ResourceType<U>,
  scope: InformerScopeOptions,
  namespaces: readonly string[],
): _Acquired<U> {
  if (scope.namespace || !type.namespaced || namespaces.length === 0) {
    return source.acquire(type, scope);
  }
  if (namespaces.length === 1) return source.acquire(type, { ...scope, namespace: namespaces[0] });
  const parts: _Acquired<U>[] = [];
  try {
    for (const namespace of namespaces) parts.push(source.acquire(type, { ...scope, namespace }));
  } catch (err) {
    for (const p of parts) void p.release();
    throw err;
  }
  const byNamespace = new Map(namespaces.map((ns, i) => [ns, parts[i].informer.store]));
  const store: CacheReader<U> = {
    get: (key) => byNamespace.get(key.slice(0, Math.max(0, key.indexOf("/"))))?.get(key),
    list: () => parts.flatMap((p) => p.informer.store.list()),
  };
  const informer: ControllerInformer<U> = {
    store,
    addHandler(handler: InformerHandler<U>) {
      const subs = parts.map((p) => p.informer.addHandler(handler));
      return () => subs.forEach(_unsubscribe);
    },
    ready: (options) => Promise.all(parts.map((p) => p.informer.ready(options))).then(() => {}),
  };
  return {
    informer,
    release: async () => {
      await Promise.all(parts.map((p) => p.release()));
    },
  };
}

/** Undoes an `addHandler`: a function, a disposable, or an object with `unsubscribe()`. */
export function _unsubscribe(u: unknown): void {
  try {
    if (typeof u === "function") u();
    else if (u && typeof (u as Disposable)[Symbol.dispose] === "function") {
      (u as Disposable)[Symbol.dispose]();
    } else if (u && typeof (u as { unsubscribe?: () => void }).unsubscribe === "function") {
      (u as { unsubscribe: () => void }).unsubscribe();
    }
  } catch {
    // Unsubscribing is best effort: the informer is released right after.
  }
}
