/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it: acquire when
 * the lease is free or expired (judged by this process's own clock since it last saw the
 * record change, never by comparing clocks), renew with a PUT carrying the last
 * resourceVersion (409 Conflict means another replica wrote first), and release on shutdown
 * by clearing the holder.
 *
 * Fencing: a leader steps down (aborts the leadership signal) on a timer once
 * `renewDeadlineMs` passed since it sent its last successful renewal, even while an attempt
 * hangs or it waits between attempts, so before `leaseDurationMs` has passed; another replica
 * only takes over once `leaseDurationMs` passed without a change it could observe, so two
 * replicas never reconcile at once as long as `renewDeadlineMs < leaseDurationMs`.
 *
 * @module
 */
import { _getLogger as getLogger } from "../client/_log.ts";
import { type Clock, sleep, systemClock } from "../client/clock.ts";
import type { Lease } from "../client/cluster_types.ts";

/**
 * A coordination.k8s.io/v1 Lease: the client's `Lease` type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KubeClient, Leases } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import type { LeaseObject } from "./leader_election.ts";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const lease: LeaseObject = {
 *   apiVersion: "coordination.k8s.io/v1",
 *   kind: "Lease",
 *   metadata: { name: "op-leader", namespace: "default" },
 *   spec: { holderIdentity: "pod-a", leaseDurationSeconds: 15 },
 * };
 * const created = await client.resource(Leases).create(lease, { namespace: "default" });
 * assert.equal(created.spec?.holderIdentity, "pod-a");
 * assert.ok(created.metadata.resourceVersion);
 * ```
 */
export type LeaseObject = Lease;

/**
 * The Lease operations the elector needs; `client.resource(Leases)` has them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KubeClient, Leases } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import type { LeaseApi } from "./leader_election.ts";
 * function holder(api: LeaseApi): Promise<string | undefined> {
 *   return api.get("op-leader", { namespace: "default" }).then((l) => l.spec?.holderIdentity);
 * }
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const api: LeaseApi = client.resource(Leases);
 * await api.create({ metadata: { name: "op-leader" }, spec: { holderIdentity: "pod-b" } }, {
 *   namespace: "default",
 * });
 * assert.equal(await holder(api), "pod-b");
 * ```
 */
export interface LeaseApi {
  /** GET; rejects with an error whose `code` is 404 when missing. */
  get(name: string, options: { namespace: string; signal?: AbortSignal }): Promise<LeaseObject>;
  /** POST; rejects with code 409 when it already exists. */
  create(
    obj: LeaseObject,
    options: { namespace: string; signal?: AbortSignal },
  ): Promise<LeaseObject>;
  /** PUT with the object's resourceVersion; rejects with code 409 on a stale one. */
  replace(
    obj: LeaseObject,
    options: { namespace: string; signal?: AbortSignal },
  ): Promise<LeaseObject>;
}

/**
 * Options of {@linkcode LeaderElector}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LeaderElector, type LeaderElectorOptions, type LeaseApi } from "./leader_election.ts";
 * const unused = () => Promise.reject(new Error("not called before run"));
 * const api: LeaseApi = { get: unused, create: unused, replace: unused };
 * const o: LeaderElectorOptions = { api, name: "op-leader", namespace: "default", identity: "pod-a" };
 * const elector = new LeaderElector(o);
 * assert.equal(elector.lease, "default/op-leader");
 * assert.equal(elector.identity, "pod-a");
 * assert.throws(
 *   () => new LeaderElector({ ...o, leaseDurationMs: 5_000, renewDeadlineMs: 5_000 }),
 *   /renewDeadlineMs < leaseDurationMs/,
 * );
 * ```
 */
export interface LeaderElectorOptions {
  /** Lease operations. */
  api: LeaseApi;
  /** Lease name. */
  name: string;
  /** Lease namespace. */
  namespace: string;
  /**
   * This replica's identity.
   * @default {the hostname and a random suffix}
   */
  identity?: string;
  /**
   * How long a lease is valid after its last renewal, in milliseconds.
   * @default {15_000}
   */
  leaseDurationMs?: number;
  /**
   * A leader that cannot renew for this long (milliseconds) steps down.
   * @default {10_000}
   */
  renewDeadlineMs?: number;
  /**
   * Pause between attempts, in milliseconds.
   * @default {2_000}
   */
  retryPeriodMs?: number;
  /**
   * Clock.
   * @default {the system clock}
   */
  clock?: Clock;
}

/**
 * Elects one leader among replicas.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KubeClient, Leases } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { LeaderElector } from "./leader_election.ts";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const leases = client.resource(Leases);
 * const elector = new LeaderElector({ api: leases, name: "op-leader", namespace: "default", identity: "pod-a" });
 * const stop = new AbortController();
 * await elector.run({
 *   signal: stop.signal,
 *   onStartedLeading: async (_leading) => {
 *     // Run the controllers here until `_leading` aborts; this one stops at once.
 *     const lease = await leases.get("op-leader", { namespace: "default" });
 *     assert.equal(lease.spec?.holderIdentity, "pod-a");
 *     assert.equal(elector.isLeader, true);
 *     stop.abort();
 *   },
 * });
 * const released = await leases.get("op-leader", { namespace: "default" });
 * assert.equal(released.spec?.holderIdentity, "", "released on stop");
 * ```
 */
export class LeaderElector {
  readonly #o: Required<Omit<LeaderElectorOptions, "clock">> & { clock: Clock };
  readonly #log = getLogger(["operatorkit", "leader-election"]);
  #observed?: { holder: string; renewTime: string; rv?: string };
  #observedAt = 0;
  /** When the last successful acquire or renew was sent (this clock). */
  #renewedAt = 0;
  #current?: LeaseObject;
  #leading = false;

  /** Creates an elector; nothing happens until `run`. */
  constructor(options: LeaderElectorOptions) {
    const lease = options.leaseDurationMs ?? 15_000;
    const renew = options.renewDeadlineMs ?? 10_000;
    if (!(renew < lease)) {
      throw new RangeError(
        `Expected renewDeadlineMs < leaseDurationMs, found ${renew} >= ${lease}`,
      );
    }
    this.#o = {
      api: options.api,
      name: options.name,
      namespace: options.namespace,
      identity: options.identity ?? `${Deno.hostname()}_${crypto.randomUUID().slice(0, 8)}`,
      leaseDurationMs: lease,
      renewDeadlineMs: renew,
      retryPeriodMs: options.retryPeriodMs ?? 2_000,
      clock: options.clock ?? systemClock,
    };
  }

  /** This replica's identity. */
  get identity(): string {
    return this.#o.identity;
  }

  /** The holder this replica last saw on the lease (empty when free), or undefined before. */
  get holder(): string | undefined {
    return this.#observed?.holder;
  }

  /** `namespace/name` of the lease. */
  get lease(): string {
    return `${this.#o.namespace}/${this.#o.name}`;
  }

  /** True while this replica holds the lease. */
  get isLeader(): boolean {
    return this.#leading;
  }

  /**
   * Campaigns until `signal` aborts. Each time it becomes leader it calls
   * `onStartedLeading` with a signal that aborts when leadership ends (lost, or stopped),
   * and waits for the promise it returns before campaigning again. Resolves after
   * releasing the lease once `signal` aborts. `onAttempt` hears the outcome of every attempt
   * to acquire the lease (not of renewals), before `onStartedLeading` on success.
   */
  async run(options: {
    signal: AbortSignal;
    onStartedLeading: (leading: AbortSignal) => Promise<void> | void;
    onStoppedLeading?: () => void;
    onAttempt?: (acquired: boolean) => void;
  }): Promise<void> {
    const { signal } = options;
    const o = this.#o;
    this.#log.info("{identity} is a candidate for lease {namespace}/{name}", {
      identity: o.identity,
      namespace: o.namespace,
      name: o.name,
    });
    // A standby says who holds the lease once per change of holder, not once per attempt.
    let reported: string | undefined;
    while (!signal.aborted) {
      const acquired = await this.#tryAcquireOrRenew(signal);
      if (!signal.aborted) options.onAttempt?.(acquired);
      if (!acquired) {
        const holder = this.#observed?.holder;
        // A free lease (empty holder) is not news: the next attempt takes it.
        if (!signal.aborted && holder && holder !== reported) {
          reported = holder;
          this.#log.info("{identity} is standby: lease {namespace}/{name} is held by {holder}", {
            identity: o.identity,
            namespace: o.namespace,
            name: o.name,
            holder,
          });
        }
        await sleep(o.retryPeriodMs * (1 + Math.random() * 0.2), { clock: o.clock, signal })
          .catch(() => {});
        continue;
      }
      this.#leading = true;
      reported = undefined;
      this.#log.info("{identity} became leader of lease {namespace}/{name}", {
        identity: o.identity,
        namespace: o.namespace,
        name: o.name,
      });
      const leading = new AbortController();
      const stopLeading = () => leading.abort(new Error("leadership ended"));
      signal.addEventListener("abort", stopLeading, { once: true });
      const work = Promise.resolve().then(() => options.onStartedLeading(leading.signal));
      await this.#renewLoop(leading.signal);
      stopLeading();
      signal.removeEventListener("abort", stopLeading);
      this.#leading = false;
      options.onStoppedLeading?.();
      await work.catch((err) => {
        this.#log.error("leader work failed: {error}", { error: String(err) });
      });
      if (signal.aborted) await this.#release();
      else {
        this.#log.warn("{identity} lost lease {namespace}/{name}", {
          identity: o.identity,
          namespace: o.namespace,
          name: o.name,
        });
      }
    }
  }

  // Leadership ends `renewDeadlineMs` after the last successful renewal was sent, on a timer:
  // whatever the loop is doing then (sleeping between failed attempts, or waiting on one that
  // hangs), it stops at the deadline, not at the next attempt.
  async #renewLoop(leading: AbortSignal): Promise<void> {
    const o = this.#o;
    while (!leading.aborted) {
      const expired = new AbortController();
      const left = this.#renewedAt + o.renewDeadlineMs - o.clock.now();
      const timer = o.clock.setTimeout(() => expired.abort(), Math.max(0, left));
      const stop = AbortSignal.any([leading, expired.signal]);
      try {
        while (true) {
          await sleep(o.retryPeriodMs, { clock: o.clock, signal: stop }).catch(() => {});
          if (stop.aborted) return;
          const ok = await this.#tryAcquireOrRenew(stop);
          if (stop.aborted) return;
          if (ok) break;
        }
      } finally {
        o.clock.clearTimeout(timer);
      }
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const o = this.#o;
    const now = o.clock.now();
    const ref = { namespace: o.namespace, signal };
    try {
      let lease: LeaseObject | undefined;
      try {
        lease = await o.api.get(o.name, ref);
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
      if (!lease) {
        this.#current = await o.api.create({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: o.name, namespace: o.namespace },
          spec: {
            holderIdentity: o.identity,
            leaseDurationSeconds: Math.ceil(o.leaseDurationMs / 1000),
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        }, ref);
        this.#observe(this.#current, now);
        this.#renewedAt = now;
        return true;
      }
      // Seen when the GET answered, not when it was sent: the record was written before that,
      // so a full duration after `seen` is after the holder's renewal plus the duration.
      const seen = o.clock.now();
      this.#observe(lease, seen);
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const duration = (spec.leaseDurationSeconds ?? o.leaseDurationMs / 1000) * 1000;
      if (holder !== "" && holder !== o.identity && this.#observedAt + duration > seen) {
        return false;
      }
      const mine = holder === o.identity;
      this.#current = await o.api.replace({
        ...lease,
        spec: {
          ...spec,
          holderIdentity: o.identity,
          leaseDurationSeconds: Math.ceil(o.leaseDurationMs / 1000),
          renewTime: microTime(now),
          acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
          leaseTransitions: (spec.leaseTransitions ?? 0) + (mine || holder === "" ? 0 : 1),
        },
      }, ref);
      this.#observe(this.#current, now);
      this.#renewedAt = now;
      return true;
    } catch (err) {
      if (!signal.aborted) {
        this.#log.debug("lease {name} attempt failed: {error}", {
          name: o.name,
          error: err instanceof Error ? err.message : String(err),
        });
      }
      return false;
    }
  }

  #observe(lease: LeaseObject, now: number): void {
    const rec = {
      holder: lease.spec?.holderIdentity ?? "",
      renewTime: lease.spec?.renewTime ?? "",
      ...(lease.metadata.resourceVersion ? { rv: lease.metadata.resourceVersion } : {}),
    };
    const o = this.#observed;
    if (!o || o.holder !== rec.holder || o.renewTime !== rec.renewTime) {
      this.#observed = rec;
      this.#observedAt = now;
    }
  }

  async #release(): Promise<void> {
    const o = this.#o;
    let lease = this.#current;
    if (!lease || lease.spec?.holderIdentity !== o.identity) return;
    const ref = { namespace: o.namespace };
    try {
      for (let attempt = 0;; attempt++) {
        try {
          await o.api.replace({
            ...lease,
            spec: {
              ...lease.spec,
              holderIdentity: "",
              leaseDurationSeconds: 1,
              renewTime: microTime(o.clock.now()),
            },
          }, ref);
          break;
        } catch (err) {
          // A renewal cut short by the shutdown may still have been written: our copy is then
          // one resourceVersion behind. Read the lease again and release it if it is still ours.
          if ((err as { code?: number }).code !== 409 || attempt > 0) throw err;
          lease = await o.api.get(o.name, ref);
          if (lease.spec?.holderIdentity !== o.identity) return;
        }
      }
      this.#log.info("released lease {namespace}/{name}", {
        namespace: o.namespace,
        name: o.name,
      });
    } catch (err) {
      this.#log.warn("releasing lease {name} failed: {error}", {
        name: o.name,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

/**
 * Formats ms since the epoch as a Kubernetes MicroTime (`2006-01-02T15:04:05.000000Z`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { microTime } from "./leader_election.ts";
 * assert.equal(microTime(0), "1970-01-01T00:00:00.000000Z");
 * assert.equal(microTime(1_500), "1970-01-01T00:00:01.500000Z");
 * ```
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
