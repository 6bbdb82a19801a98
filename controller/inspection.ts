/**
 * What a running controller can tell about itself: why each reconcile ran, how it ended, and
 * what its queue holds. The operator's `/debug` page and traces are built from these.
 *
 * @module
 */
import type { ControllerStats } from "./controller.ts";
import type { ReconcileResult } from "./reconciler.ts";

/**
 * Why a key was reconciled.
 * - `event`: an add, update or delete of the primary object (with its resourceVersion);
 * - `mapped`: an event on an owned (`owns`) or watched (`watches`) object mapped to the key;
 * - `resync`: the periodic resync;
 * - `requeue`: a `requeueAfter` (or keepFinalizer) delay ran out (`requeueAfter`), or the
 *   error backoff did (`backoff`);
 * - `unknown`: added to the queue by hand.
 *
 * When several causes arrive while a key waits, the first one is reported and the others are
 * counted as `coalesced` in the trace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeTrigger, type ReconcileTrigger } from "./inspection.ts";
 * const t: ReconcileTrigger = {
 *   type: "mapped",
 *   via: "owns",
 *   event: "update",
 *   kind: "ConfigMap",
 *   object: "default/blog-html",
 *   resourceVersion: "42",
 * };
 * assert.equal(describeTrigger(t), "update of owned ConfigMap default/blog-html (rv 42)");
 * ```
 */
export type ReconcileTrigger =
  | { type: "event"; event: "add" | "update" | "delete"; resourceVersion?: string }
  | {
    type: "mapped";
    via: "owns" | "watches";
    event: "add" | "update" | "delete";
    kind: string;
    object: string;
    resourceVersion?: string;
  }
  | { type: "resync" }
  | { type: "requeue"; reason: "requeueAfter" | "backoff" }
  | { type: "unknown" };

/**
 * A trigger in words, as the debug page and log lines show it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeTrigger } from "./inspection.ts";
 * assert.equal(describeTrigger({ type: "event", event: "add", resourceVersion: "7" }), "add (rv 7)");
 * assert.equal(describeTrigger({ type: "requeue", reason: "backoff" }), "backoff retry");
 * ```
 */
export function describeTrigger(t: ReconcileTrigger): string {
  const rv = (v?: string) => v ? ` (rv ${v})` : "";
  switch (t.type) {
    case "event":
      return `${t.event}${rv(t.resourceVersion)}`;
    case "mapped":
      return `${t.event} of ${t.via === "owns" ? "owned" : "watched"} ${t.kind} ${t.object}${
        rv(t.resourceVersion)
      }`;
    case "resync":
      return "resync";
    case "requeue":
      return t.reason === "backoff" ? "backoff retry" : "requeueAfter";
    default:
      return "added by hand";
  }
}

/**
 * One finished reconcile.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { Controller } from "./controller.ts";
 * import { describeTrigger, type ReconcileRecord } from "./inspection.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({ metadata: { name: "a", namespace: "default" } });
 * await using controller = new Controller({ client }, {
 *   type: ConfigMaps,
 *   namespace: "default",
 *   resources: [{ name: "record", ensureCreated: async () => {}, ensureDeleted: async () => {} }],
 * });
 * await controller.start();
 * while (controller.inspect().recent.length === 0) await new Promise((r) => setTimeout(r, 5));
 * // the oldest record: the first reconcile of a, which added the finalizer
 * const first: ReconcileRecord = controller.inspect().recent.at(-1)!;
 * assert.equal(first.key, "default/a");
 * assert.match(describeTrigger(first.trigger), /^add \(rv \d+\)$/);
 * assert.equal(first.outcome, "created");
 * assert.equal(first.attempt, 1);
 * assert.deepEqual(first.acted, ["finalizer"]);
 * ```
 */
export interface ReconcileRecord {
  /** The reconciled key. */
  key: string;
  /** Why it ran. */
  trigger: ReconcileTrigger;
  /** When it started (the controller clock's ms). */
  startedAt: number;
  /** How long it took. */
  durationMs: number;
  /** How long the key waited in the queue before a worker took it. */
  queueWaitMs: number;
  /** 1, or 1 + the failed attempts before it since the last success. */
  attempt: number;
  /** The reconciler's action, or `error`. */
  outcome: ReconcileResult["action"] | "error";
  /** Resources that wrote to the API server (`finalizer` for the finalizer patch). */
  acted: string[];
  /** The error message when the outcome is `error`. */
  error?: string;
  /** The requeue delay asked for. */
  requeueAfterMs?: number;
  /** The trace id of the reconcile span when OpenTelemetry records. */
  traceId?: string;
}

/**
 * A key waiting for a delay: a backoff after an error or a `requeueAfter`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { Controller } from "./controller.ts";
 * import type { DelayedKey } from "./inspection.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({ metadata: { name: "a", namespace: "default" } });
 * await using controller = new Controller({ client }, {
 *   type: ConfigMaps,
 *   namespace: "default",
 *   resources: [{
 *     name: "record",
 *     ensureCreated: async () => {
 *       throw new Error("not yet");
 *     },
 *     ensureDeleted: async () => {},
 *   }],
 * });
 * await controller.start();
 * let delayed: DelayedKey[] = [];
 * while (delayed.length === 0) {
 *   await new Promise((r) => setTimeout(r, 5));
 *   delayed = controller.inspect().queue.delayed;
 * }
 * const d: DelayedKey = delayed[0];
 * assert.equal(d.key, "default/a");
 * assert.equal(d.reason, "backoff");
 * assert.ok(d.attempts >= 1);
 * ```
 */
export interface DelayedKey {
  /** The key. */
  key: string;
  /** Why it waits. */
  reason: "backoff" | "requeueAfter";
  /** Failed attempts since the last success. */
  attempts: number;
  /** When it is queued again (the controller clock's ms). */
  nextAttemptAt: number;
}

/**
 * The state of a controller's work queue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { Controller } from "./controller.ts";
 * import type { QueueInspection } from "./inspection.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({ metadata: { name: "a", namespace: "default" } });
 * await using controller = new Controller({ client }, {
 *   type: ConfigMaps,
 *   namespace: "default",
 *   resources: [{
 *     name: "record",
 *     ensureCreated: async () => {
 *       throw new Error("not yet");
 *     },
 *     ensureDeleted: async () => {},
 *   }],
 * });
 * await controller.start();
 * let queue: QueueInspection = controller.inspect().queue;
 * while (queue.delayed.length === 0) {
 *   await new Promise((r) => setTimeout(r, 5));
 *   queue = controller.inspect().queue;
 * }
 * // a waits out its error backoff outside the queue proper
 * assert.deepEqual(queue.delayed.map((d) => d.key), ["default/a"]);
 * assert.equal(queue.inFlight, 0);
 * ```
 */
export interface QueueInspection {
  /** Keys waiting for a worker. */
  depth: number;
  /** Keys being reconciled now. */
  inFlight: number;
  /** Age of the key that has waited longest for a worker, in ms. */
  oldestAgeMs?: number;
  /** Keys waiting for a backoff or requeue delay, soonest first. */
  delayed: DelayedKey[];
}

/**
 * A point-in-time view of one controller (see `Controller.inspect()`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { Controller } from "./controller.ts";
 * import type { ControllerInspection } from "./inspection.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({ metadata: { name: "a", namespace: "default" } });
 * await using controller = new Controller({ client }, {
 *   type: ConfigMaps,
 *   namespace: "default",
 *   resources: [{ name: "record", ensureCreated: async () => {}, ensureDeleted: async () => {} }],
 * });
 * await controller.start();
 * while (controller.inspect().recent.length === 0) await new Promise((r) => setTimeout(r, 5));
 * const inspection: ControllerInspection = controller.inspect();
 * assert.equal(inspection.name, "configmap");
 * assert.equal(inspection.state, "running");
 * assert.ok(inspection.stats.reconciles >= 1);
 * assert.equal(inspection.recent.at(-1)?.key, "default/a");
 * ```
 */
export interface ControllerInspection {
  /** The controller's name. */
  name: string;
  /** Its lifecycle state. */
  state: "new" | "starting" | "running" | "stopping" | "stopped";
  /** Counters. */
  stats: ControllerStats;
  /** The work queue. */
  queue: QueueInspection;
  /** The last reconciles, newest first. */
  recent: ReconcileRecord[];
}
