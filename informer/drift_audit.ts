/**
 * The optional drift audit: a periodic metadata-only LIST compared with the cache.
 *
 * @module
 */
import { type Clock, sleep, systemClock } from "../client/clock.ts";
import { type KubeObject, type ListWatch, objectKey } from "../client/types.ts";
import type { Store } from "./store.ts";

/**
 * Options for {@linkcode runDriftAudit}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KubeObject, ListOptions } from "../client/types.ts";
 * import { type DriftAuditOptions, runDriftAudit } from "./drift_audit.ts";
 * import { MemoryStore } from "./store.ts";
 * const ac = new AbortController();
 * const lists: ListOptions[] = [];
 * const options: DriftAuditOptions<KubeObject> = {
 *   periodMs: 1,
 *   namespace: "team-a",
 *   labelSelector: "app=web",
 *   pageSize: 100,
 *   store: new MemoryStore(),
 *   onDrift: () => {},
 *   signal: ac.signal,
 * };
 * await runDriftAudit({
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
 *   list: (o = {}) => {
 *     lists.push(o);
 *     ac.abort();
 *     return Promise.resolve({ metadata: { resourceVersion: "1" }, items: [], invalid: [] });
 *   },
 *   watch: async function* () {},
 * }, options);
 * const { namespace, labelSelector, limit, metadataOnly } = lists[0];
 * assert.deepEqual({ namespace, labelSelector, limit, metadataOnly }, {
 *   namespace: "team-a",
 *   labelSelector: "app=web",
 *   limit: 100,
 *   metadataOnly: true,
 * });
 * ```
 */
export interface DriftAuditOptions<T extends KubeObject> {
  /** Time between audits. */
  periodMs: number;
  /** Scope: namespace. */
  namespace?: string;
  /** Scope: label selector. */
  labelSelector?: string;
  /** Scope: field selector. */
  fieldSelector?: string;
  /**
   * Page size.
   * @default {500}
   */
  pageSize?: number;
  /** The cache to compare. */
  store: Store<T>;
  /** Called with the number of differences when there are any. */
  onDrift(differences: number): void;
  /** Time source. */
  clock?: Clock;
  /** Logger for failed audits. */
  log?: { warn(message: string, properties?: Record<string, unknown>): void };
  /** Ends the loop. */
  signal: AbortSignal;
}

/**
 * Compares a metadata-only list (`key -> resourceVersion`) with the cache. The cache may be
 * ahead of the list (events that arrived after it was taken), so a cached object counts as
 * drift only when its resourceVersion is older than the list's (this one comparison is
 * numeric, as kube-apiserver conformance guarantees since 1.35), or when a key is missing on
 * one side and the cache is not ahead of the list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countDrift } from "./drift_audit.ts";
 * const cache = new Map([["a/x", "5"], ["a/y", "4"]]);
 * const listed = new Map([["a/x", "5"], ["a/z", "3"]]);
 * assert.equal(countDrift(listed, "6", cache, "6"), 2); // y is extra, z is missing
 * ```
 */
export function countDrift(
  listed: Map<string, string>,
  listRv: string,
  cache: Map<string, string>,
  cacheRv: string | undefined,
): number {
  const lrv = Number(listRv);
  const crv = Number(cacheRv ?? "0");
  const cacheAhead = Number.isFinite(lrv) && Number.isFinite(crv) && crv > lrv;
  let n = 0;
  for (const [key, rv] of listed) {
    const mine = cache.get(key);
    if (mine === undefined) {
      if (!cacheAhead) n++;
    } else if (mine !== rv && !(Number(mine) > Number(rv))) n++;
  }
  for (const [key, rv] of cache) {
    if (!listed.has(key) && !(Number(rv) > lrv)) n++;
  }
  return n;
}

/**
 * Runs audits every `periodMs` until `signal` aborts; failed audits are logged and retried
 * at the next period.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KubeObject } from "../client/types.ts";
 * import { runDriftAudit } from "./drift_audit.ts";
 * import { MemoryStore } from "./store.ts";
 * const store = new MemoryStore();
 * store.set({ metadata: { namespace: "a", name: "x", resourceVersion: "1" } });
 * const ac = new AbortController();
 * const found: number[] = [];
 * await runDriftAudit<KubeObject>({
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
 *   // the server has a newer x and a y the cache lacks
 *   list: () =>
 *     Promise.resolve({
 *       metadata: { resourceVersion: "3" },
 *       items: [
 *         { metadata: { namespace: "a", name: "x", resourceVersion: "2" } },
 *         { metadata: { namespace: "a", name: "y", resourceVersion: "3" } },
 *       ],
 *       invalid: [],
 *     }),
 *   watch: async function* () {},
 * }, {
 *   periodMs: 1,
 *   store,
 *   onDrift: (n) => {
 *     found.push(n);
 *     ac.abort();
 *   },
 *   signal: ac.signal,
 * });
 * assert.deepEqual(found, [2]);
 * ```
 */
export async function runDriftAudit<T extends KubeObject>(
  lw: ListWatch<T>,
  options: DriftAuditOptions<T> & { cacheResourceVersion?: () => string | undefined },
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const { signal } = options;
  while (!signal.aborted) {
    try {
      await sleep(options.periodMs, { clock, signal });
    } catch {
      return;
    }
    try {
      const listed = new Map<string, string>();
      let cont: string | undefined;
      let listRv: string | undefined;
      do {
        const page = await lw.list({
          namespace: options.namespace,
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.pageSize ?? 500,
          continue: cont,
          metadataOnly: true,
          signal,
        });
        listRv ??= page.metadata.resourceVersion;
        for (const o of page.items) listed.set(objectKey(o), o.metadata.resourceVersion ?? "");
        for (const o of page.invalid ?? []) {
          listed.set(objectKey(o.raw), o.raw.metadata?.resourceVersion ?? "");
        }
        cont = page.metadata.continue || undefined;
      } while (cont);
      const cache = new Map<string, string>();
      let maxRv = 0;
      for (const o of options.store.list()) {
        const rv = o.metadata.resourceVersion ?? "";
        cache.set(objectKey(o), rv);
        maxRv = Math.max(maxRv, Number(rv) || 0);
      }
      const cacheRv = options.cacheResourceVersion?.() ?? String(maxRv);
      const n = countDrift(listed, listRv ?? "0", cache, cacheRv);
      if (n > 0) options.onDrift(n);
    } catch (err) {
      if (signal.aborted) return;
      options.log?.warn("drift audit failed: {error}", {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
