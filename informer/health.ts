/**
 * Informer health: counters and timestamps for readiness probes and metrics.
 *
 * @module
 */
import type { ReflectorPhase } from "./reflector.ts";

/**
 * Counters an informer keeps. All start at zero and only grow.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import type { InformerCounters } from "./health.ts";
 * import { Informer } from "./informer.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const configMaps = client.resource(ConfigMaps);
 * for (const name of ["x", "y"]) {
 *   await configMaps.create({ metadata: { name, namespace: "default" } });
 * }
 * await using informer = new Informer(configMaps, { namespace: "default" });
 * informer.start();
 * await informer.ready();
 * const counters: InformerCounters = informer.health().counters;
 * assert.equal(counters.added, 2);
 * assert.equal(counters.relists, 1);
 * assert.equal(counters.errors, 0);
 * ```
 */
export interface InformerCounters {
  /** ADDED watch events and list items that became adds. */
  added: number;
  /** MODIFIED watch events and relist items that became updates. */
  modified: number;
  /** DELETED watch events and relist removals. */
  deleted: number;
  /** BOOKMARK events. */
  bookmarks: number;
  /** Events dropped because the cache already held that (uid, resourceVersion). */
  duplicates: number;
  /** Objects that failed to decode (counted once per uid and resourceVersion). */
  decodeFailures: number;
  /** Full LISTs (initial sync included). */
  relists: number;
  /** New WATCH connections after the first. */
  reconnects: number;
  /** Errors that caused a backoff. */
  errors: number;
  /** Resync replays dispatched (objects, not passes). */
  resyncs: number;
  /** Differences the drift audit found and repaired by relisting. */
  driftRepairs: number;
}

/**
 * A point-in-time view of an informer's health.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import type { InformerHealth } from "./health.ts";
 * import { Informer } from "./informer.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const configMaps = client.resource(ConfigMaps);
 * const cm = await configMaps.create({ metadata: { name: "x", namespace: "default" } });
 * await using informer = new Informer(configMaps, { namespace: "default" });
 * const before: InformerHealth = informer.health();
 * assert.equal(before.synced, false);
 * informer.start();
 * await informer.ready();
 * const after: InformerHealth = informer.health();
 * assert.equal(after.resource, "configmaps");
 * assert.equal(after.synced, true);
 * assert.equal(after.cached, 1);
 * assert.equal(after.relistReasons.initial, 1);
 * assert.ok(Number(after.resourceVersion) >= Number(cm.metadata.resourceVersion));
 * ```
 */
export interface InformerHealth {
  /** The resource (`plural.group` or `plural`). */
  resource: string;
  /** True once the initial list is in the cache. */
  synced: boolean;
  /** True while the informer runs. */
  running: boolean;
  /** The reflector's phase (`listing`, `watching`, `backoff`, ...). */
  phase?: ReflectorPhase;
  /** True while a watch stream is open. */
  watching?: boolean;
  /**
   * Set while the informer is stale: synced, but no working watch for longer than its
   * `staleAfterMs`; how long (ms) since a watch last worked.
   */
  watchStaleMs?: number;
  /**
   * With `health({ fingerprint: true })`: the sum modulo 2^32 of the 32-bit FNV-1a hashes of
   * `uid/resourceVersion` of every cached object; equal caches have equal fingerprints, so it
   * can be compared with one computed from a fresh LIST.
   */
  cacheFingerprint?: number;
  /** Why the last list or watch attempt failed (`idle`, `decode-error`, `http-500`, ...). */
  lastFailureReason?: string;
  /** Time (ms since epoch) of the last event of any kind, bookmarks included. */
  lastEventAt?: number;
  /** Milliseconds since the last event, or since start when there was none. */
  stalenessMs?: number;
  /** The last resourceVersion seen. */
  resourceVersion?: string;
  /** Objects in the cache. */
  cached: number;
  /** The last error's message (never credentials: it is the error text only). */
  lastError?: string;
  /** Counters. */
  counters: InformerCounters;
  /** Relists by reason (`initial`, `expired`, `drift`, `error`, ...). */
  relistReasons: Record<string, number>;
  /**
   * Reconnects by why the last watch ended: `timeout` (the server-side timeout, normal),
   * `server-closed`, `idle`, `decode-error`, `http-<code>`, `network`, `short-watch`.
   */
  reconnectReasons: Record<string, number>;
}

/**
 * Fresh zeroed counters.
 *
 * @example
 * ```ts
 * import { newCounters } from "./health.ts";
 * newCounters().added; // 0
 * ```
 */
export function newCounters(): InformerCounters {
  return {
    added: 0,
    modified: 0,
    deleted: 0,
    bookmarks: 0,
    duplicates: 0,
    decodeFailures: 0,
    relists: 0,
    reconnects: 0,
    errors: 0,
    resyncs: 0,
    driftRepairs: 0,
  };
}
