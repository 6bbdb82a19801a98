/**
 * Records core/v1 Events on the objects a controller reconciles.
 *
 * @module
 */
import { _getLogger as getLogger } from "../client/_log.ts";
import { type Clock, systemClock } from "../client/clock.ts";
import type { Event } from "../client/builtin_types.ts";
import type { KubeObject, ObjectMeta } from "../client/types.ts";
import { _isNotFound } from "./_errors.ts";
import { _eventName } from "./_event_name.ts";
import type { ContextLogger } from "./resource.ts";

/**
 * One event to record.
 *
 * @example
 * ```ts
 * import type { EventInput } from "./event_recorder.ts";
 * import assert from "node:assert/strict";
 * const e: EventInput = { type: "Warning", reason: "ReconcileError", message: "boom" };
 * assert.deepEqual(e.type, "Warning");
 * ```
 */
export interface EventInput {
  /** Default `Normal`. */
  type?: "Normal" | "Warning";
  /** CamelCase reason, e.g. `Created`. */
  reason: string;
  /** Human-readable message. */
  message: string;
  /** Optional action. */
  action?: string;
}

/**
 * Records events about objects. Recording never throws: a failed write is logged, because an
 * event must never fail the reconcile that reports it.
 *
 * @example
 * ```ts
 * import type { EventRecorder } from "./event_recorder.ts";
 * import assert from "node:assert/strict";
 * const seen: string[] = [];
 * const rec: EventRecorder = {
 *   async record(obj, e) {
 *     seen.push(`${obj.metadata.name}: ${e.reason}`);
 *   },
 * };
 * await rec.record({ metadata: { name: "a" } }, { reason: "Hello", message: "hi" });
 * assert.deepEqual(seen, ["a: Hello"]);
 * ```
 */
export interface EventRecorder {
  /** Records `event` on `obj`. */
  record(obj: KubeObject, event: EventInput): Promise<void>;
}

/**
 * A recorder that drops every event.
 *
 * @example
 * ```ts
 * import { noopEventRecorder } from "./event_recorder.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   await noopEventRecorder.record({ metadata: { name: "a" } }, { reason: "X", message: "y" }),
 *   undefined,
 * );
 * ```
 */
export const noopEventRecorder: EventRecorder = {
  record: (): Promise<void> => Promise.resolve(),
};

/**
 * Where the recorder writes Events: the narrow part of an Events client it needs.
 *
 * @example
 * ```ts
 * import type { EventSink } from "./event_recorder.ts";
 * import type { Event } from "../client/builtin_types.ts";
 * const stored: Event[] = [];
 * const sink: EventSink = {
 *   async create(_ns, e) {
 *     stored.push(e);
 *   },
 *   async patch(_ns, name, body) {
 *     Object.assign(stored.find((e) => e.metadata.name === name)!, body);
 *   },
 * };
 * ```
 */
export interface EventSink {
  /** Creates `event` in `namespace`. */
  create(namespace: string, event: Event): Promise<unknown>;
  /** Merge-patches the event `name` in `namespace`. */
  patch(namespace: string, name: string, body: Partial<Event>): Promise<unknown>;
}

/**
 * Options of {@linkcode KubeEventRecorder}.
 *
 * @example
 * ```ts
 * import type { KubeEventRecorderOptions } from "./event_recorder.ts";
 * import assert from "node:assert/strict";
 * const opts: KubeEventRecorderOptions = { component: "website-operator" };
 * assert.deepEqual(opts.component, "website-operator");
 * ```
 */
export interface KubeEventRecorderOptions {
  /** `source.component` and `reportingComponent`. */
  component: string;
  /**
   * `source.host` and `reportingInstance`.
   * @default {the host name when readable}
   */
  instance?: string;
  /** Fallback apiVersion/kind for objects that do not carry them (list items). */
  defaultType?: { apiVersion: string; kind: string };
  /**
   * Clock for timestamps.
   * @default {the system clock}
   */
  clock?: Clock;
  /**
   * How many distinct events to remember for aggregation.
   * @default {4096}
   */
  cacheSize?: number;
  /**
   * Logger.
   * @default {`["operatorkit", "controller", "events"]`}
   */
  logger?: ContextLogger;
}

interface _Seen {
  namespace: string;
  name: string;
  count: number;
}

/**
 * Writes core/v1 Events through an {@linkcode EventSink}. A repeat of the same event (same
 * object uid, type, reason and message) updates the existing Event's `count` and
 * `lastTimestamp` instead of creating another, as client-go's correlator does.
 *
 * @example
 * ```ts
 * import { KubeEventRecorder } from "./event_recorder.ts";
 * import type { Event } from "../client/builtin_types.ts";
 * import assert from "node:assert/strict";
 * const stored: Event[] = [];
 * const rec = new KubeEventRecorder({
 *   async create(_ns, e) {
 *     stored.push(e);
 *   },
 *   async patch(_ns, name, body) {
 *     Object.assign(stored.find((e) => e.metadata.name === name)!, body);
 *   },
 * }, { component: "demo", instance: "test" });
 * const obj = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "ns", uid: "u" } };
 * await rec.record(obj, { reason: "Synced", message: "ok" });
 * await rec.record(obj, { reason: "Synced", message: "ok" });
 * assert.equal(stored.length, 1);
 * assert.equal(stored[0].count, 2);
 * ```
 */
export class KubeEventRecorder implements EventRecorder {
  readonly #sink: EventSink;
  readonly #options: KubeEventRecorderOptions;
  readonly #clock: Clock;
  readonly #logger: ContextLogger;
  readonly #seen = new Map<string, _Seen>();
  readonly #cacheSize: number;
  #seq = 0;

  /** Creates a recorder writing to `sink`. */
  constructor(sink: EventSink, options: KubeEventRecorderOptions) {
    this.#sink = sink;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? getLogger(["operatorkit", "controller", "events"]);
    this.#cacheSize = options.cacheSize ?? 4096;
  }

  /** Records `event` on `obj`; failures are logged, never thrown. */
  async record(obj: KubeObject, event: EventInput): Promise<void> {
    const meta: ObjectMeta = obj.metadata;
    const namespace = meta.namespace ?? "default";
    const type = event.type ?? "Normal";
    const id = `${meta.uid ?? meta.name}\u0000${type}\u0000${event.reason}\u0000${event.message}`;
    const now = new Date(this.#clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    try {
      const seen = this.#seen.get(id);
      if (seen) {
        seen.count++;
        // Refresh its place in the insertion-ordered map, which doubles as an LRU.
        this.#seen.delete(id);
        this.#seen.set(id, seen);
        try {
          await this.#sink.patch(seen.namespace, seen.name, {
            count: seen.count,
            lastTimestamp: now,
          });
          return;
        } catch (err) {
          // The Event may have expired on the server (1 h TTL); start a new one.
          if (!_isNotFound(err)) throw err;
          this.#seen.delete(id);
        }
      }
      const instance = this.#options.instance ?? _hostname();
      const name = _eventName(
        meta.name ?? "",
        `${this.#clock.now().toString(16)}${(this.#seq++).toString(16)}`,
      );
      await this.#sink.create(namespace, {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: obj.apiVersion ?? this.#options.defaultType?.apiVersion,
          kind: obj.kind ?? this.#options.defaultType?.kind,
          name: meta.name,
          namespace: meta.namespace,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
        reason: event.reason,
        message: event.message,
        type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: this.#options.component, host: instance },
        reportingComponent: this.#options.component,
        reportingInstance: instance,
        ...(event.action ? { action: event.action } : {}),
      });
      this.#seen.set(id, { namespace, name, count: 1 });
      if (this.#seen.size > this.#cacheSize) {
        this.#seen.delete(this.#seen.keys().next().value!);
      }
    } catch (err) {
      this.#logger.warn("could not record event {reason} on {name}: {error}", {
        reason: event.reason,
        name: meta.name,
        namespace: meta.namespace,
        error: String(err),
      });
    }
  }
}

function _hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}
