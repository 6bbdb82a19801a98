/**
 * Deterministic resync: the cache is replayed to handlers once per period, never from the
 * server.
 *
 * @module
 */
import { type Clock, sleep, systemClock } from "../client/clock.ts";
import type { KubeObject } from "../client/types.ts";
import type { InformerEvent } from "./dispatch.ts";

/** Options for {@linkcode runResync}. */
export interface ResyncOptions<T extends KubeObject> {
  /** Time between the starts of two passes (> 0). */
  periodMs: number;
  /**
   * Pause between two replayed objects (0: all at once).
   * @default {0}
   */
  rateWaitMs?: number;
  /** The keys to replay, read at the start of each pass. */
  keys(): Iterable<string>;
  /** The current object for a key, or undefined if it went away during the pass. */
  get(key: string): T | undefined;
  /** Receives each replay. */
  emit(event: InformerEvent<T>): void;
  /** Called after each pass with the number of objects replayed. */
  onPass?(replayed: number): void;
  /** Waits before each replay while consumers are over their buffer bound. */
  waitForRoom?(signal: AbortSignal): Promise<void>;
  /**
   * Time source.
   * @default {the system clock}
   */
  clock?: Clock;
  /** Ends the loop. */
  signal: AbortSignal;
}

/**
 * Runs resync passes until `signal` aborts. Pass k starts at `start + k * periodMs`; a pass
 * that outlasts its period (many objects times `rateWaitMs`) pushes the next start back, so
 * passes never overlap and no object is replayed twice within one period. Each pass replays
 * the keys present when it starts, reading each object's latest version when its turn comes;
 * an object with a deletionTimestamp is replayed as a `delete` with `resync: true`.
 * Resolves when aborted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FakeClock } from "../testing/fake_clock.ts";
 * import { runResync } from "./resync.ts";
 * const clock = new FakeClock(0);
 * const ac = new AbortController();
 * const seen: string[] = [];
 * const done = runResync({
 *   periodMs: 1000,
 *   keys: () => ["a"],
 *   get: (k) => ({ metadata: { name: k } }),
 *   emit: (e) => void seen.push(e.type),
 *   clock,
 *   signal: ac.signal,
 * });
 * await clock.tickAsync(1000);
 * assert.deepEqual(seen, ["resync"]);
 * ac.abort();
 * await done;
 * ```
 */
export async function runResync<T extends KubeObject>(options: ResyncOptions<T>): Promise<void> {
  const { periodMs, signal } = options;
  const clock = options.clock ?? systemClock;
  const rateWaitMs = options.rateWaitMs ?? 0;
  if (!(periodMs > 0)) throw new RangeError(`expected resync periodMs > 0, found ${periodMs}`);
  if (!(rateWaitMs >= 0)) throw new RangeError(`expected rateWaitMs >= 0, found ${rateWaitMs}`);
  let next = clock.now() + periodMs;
  try {
    while (!signal.aborted) {
      await sleep(next - clock.now(), { clock, signal });
      const keys = [...options.keys()];
      let replayed = 0;
      for (const key of keys) {
        if (options.waitForRoom) await options.waitForRoom(signal);
        const obj = options.get(key);
        if (!obj) continue;
        if (replayed > 0 && rateWaitMs > 0) {
          await sleep(rateWaitMs, { clock, signal });
          // The object may have changed or gone while we waited.
          const latest = options.get(key);
          if (!latest) continue;
          _emit(options, latest);
        } else {
          _emit(options, obj);
        }
        replayed++;
      }
      options.onPass?.(replayed);
      next = Math.max(next + periodMs, clock.now());
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

function _emit<T extends KubeObject>(options: ResyncOptions<T>, obj: T): void {
  if (obj.metadata.deletionTimestamp) {
    options.emit({ type: "delete", object: obj, finalStateUnknown: false, resync: true });
  } else {
    options.emit({ type: "resync", object: obj });
  }
}
