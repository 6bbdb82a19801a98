/**
 * Informers: a LIST+WATCH reflector, a read-only indexed cache, event dispatch with
 * deterministic resync, health counters, and a factory for shared informers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Informer } from "./mod.ts";
 * const informer = new Informer({
 *   type: { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
 *   list: () =>
 *     Promise.resolve({
 *       metadata: { resourceVersion: "1" },
 *       items: [{ metadata: { namespace: "default", name: "a", uid: "u", resourceVersion: "1" } }],
 *       invalid: [],
 *     }),
 *   watch: async function* () {},
 * }, { backoff: { initialMs: 1 } });
 * informer.start();
 * await informer.ready();
 * assert.equal(informer.store.get("default/a")?.metadata.uid, "u");
 * await informer.stop();
 * ```
 *
 * @module
 */
export type { Clock, TimerHandle } from "../client/clock.ts";
export type {
  DecodedList,
  DecodeFailure,
  Decoder,
  KubeList,
  KubeObject,
  ListMeta,
  ListOptions,
  ListWatch,
  ManagedFieldsEntry,
  ObjectMeta,
  OwnerReference,
  ResourceType,
  WatchEvent,
  WatchOptions,
} from "../client/types.ts";
// The informer, its cache, the shared factory and their errors. The reflector, the dispatcher
// and the resync loop are its parts, not its API: they stay in their files.
export * from "./store.ts";
export type { EventHandler, InformerEvent } from "./dispatch.ts";
export type { InformerCounters, InformerHealth } from "./health.ts";
export {
  type InformerLogger,
  isExpired,
  type ReflectorFailure,
  type ReflectorPhase,
  SERVER_BOOKMARK_INTERVAL_MS,
  watchLivenessBoundMs,
} from "./reflector.ts";
export * from "./drift_audit.ts";
export * from "./informer.ts";
export * from "./factory.ts";
export * from "./errors.ts";
