/**
 * The operator's HTTP endpoints: `/healthz` (the process is alive and its event loop
 * answers timers in time), `/readyz` (every informer synced and none stale; a standby
 * replica is ready too) and `/metrics`. Metrics and probes may share a listener or use two.
 *
 * @module
 */
import { type Clock, systemClock } from "../client/clock.ts";
import type { BindAddress } from "./flags.ts";

/**
 * One readiness or liveness check: `undefined` when fine, otherwise the reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Check, serveProbes } from "./probes.ts";
 * const alwaysOk: Check = () => undefined;
 * const cacheCold: Check = () => "cache not synced";
 * await using server = serveProbes({
 *   address: { hostname: "127.0.0.1", port: 0 },
 *   liveness: { loop: alwaysOk },
 *   readiness: { loop: alwaysOk, cache: cacheCold },
 * });
 * const live = await fetch(`${server.url}/healthz`);
 * assert.equal(live.status, 200);
 * await live.body?.cancel();
 * const ready = await fetch(`${server.url}/readyz`);
 * assert.equal(ready.status, 500);
 * assert.match(await ready.text(), /\[-\]cache failed: cache not synced/);
 * ```
 */
export type Check = () => string | undefined;

/**
 * Options of {@linkcode serveProbes}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ProbeServerOptions, serveProbes } from "./probes.ts";
 * const o: ProbeServerOptions = {
 *   address: { hostname: "127.0.0.1", port: 0 },
 *   metrics: () => "operatorkit_leader 1\n",
 * };
 * await using server = serveProbes(o);
 * const res = await fetch(`${server.url}/metrics`);
 * assert.equal(await res.text(), "operatorkit_leader 1\n");
 * const none = await fetch(`${server.url}/readyz`);
 * assert.equal(none.status, 404, "no readiness checks: /readyz is not served");
 * await none.body?.cancel();
 * ```
 */
export interface ProbeServerOptions {
  /** Where to listen. */
  address: BindAddress;
  /** Serves `/healthz` with these checks (omit to not serve it). */
  liveness?: Record<string, Check>;
  /** Serves `/readyz` with these checks (omit to not serve it). */
  readiness?: Record<string, Check>;
  /** Serves `/metrics` with this text (omit to not serve it). */
  metrics?: () => string;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. */
  tls?: { cert: string; key: string };
  /**
   * Decides on each `/metrics` request before it is served: a Response to send instead
   * (401, 403, ...), or undefined to serve the metrics.
   */
  metricsFilter?: (req: Request, path: string) => Promise<Response | undefined>;
  /** Stops the server. */
  signal?: AbortSignal;
}

/**
 * A running probe server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ProbeServer, serveProbes } from "./probes.ts";
 * const server: ProbeServer = serveProbes({
 *   address: { hostname: "127.0.0.1", port: 0 },
 *   metrics: () => "",
 * });
 * assert.equal(server.url, `http://127.0.0.1:${server.port}`);
 * assert.ok(server.port > 0);
 * await server.close();
 * await assert.rejects(fetch(`${server.url}/metrics`), "closed: nothing listens any more");
 * ```
 */
export interface ProbeServer extends AsyncDisposable {
  /** `http://host:port` (or `https://`) of the listener. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** Stops listening and waits for open requests. */
  close(): Promise<void>;
}

/**
 * Starts the endpoints on one listener. Check failures answer 500 with one line per
 * failing check (`[-]name failed: reason`), like kube-apiserver's own probes; `?verbose`
 * lists passing checks too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveProbes } from "./probes.ts";
 * await using server = serveProbes({
 *   address: { hostname: "127.0.0.1", port: 0 },
 *   readiness: { informers: () => "configmaps not synced" },
 * });
 * const res = await fetch(`${server.url}/readyz`);
 * assert.equal(res.status, 500);
 * assert.match(await res.text(), /configmaps not synced/);
 * ```
 */
export function serveProbes(options: ProbeServerOptions): ProbeServer {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const server = Deno.serve({
    hostname: options.address.hostname,
    port: options.address.port,
    signal: ac.signal,
    onListen: () => {},
    ...(options.tls ?? {}),
  }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/healthz" && options.liveness) {
      return _checks(options.liveness, url.searchParams.has("verbose"));
    }
    if (url.pathname === "/readyz" && options.readiness) {
      return _checks(options.readiness, url.searchParams.has("verbose"));
    }
    if (url.pathname === "/metrics" && options.metrics) {
      const denied = await options.metricsFilter?.(req, url.pathname);
      if (denied) return denied;
      return new Response(options.metrics(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    }
    return new Response("404 page not found\n", { status: 404 });
  });
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const close = async () => {
    options.signal?.removeEventListener("abort", onAbort);
    ac.abort();
    await server.finished;
  };
  return {
    url: `${options.tls ? "https" : "http"}://${
      host === "0.0.0.0" ? "127.0.0.1" : host
    }:${addr.port}`,
    port: addr.port,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function _checks(checks: Record<string, Check>, verbose: boolean): Response {
  const lines: string[] = [];
  let failed = false;
  for (const [name, check] of Object.entries(checks)) {
    let why: string | undefined;
    try {
      why = check();
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
    }
    if (why !== undefined) {
      failed = true;
      lines.push(`[-]${name} failed: ${why}`);
    } else if (verbose) lines.push(`[+]${name} ok`);
  }
  const body = failed
    ? `${lines.join("\n")}\nhealthz check failed\n`
    : verbose
    ? `${lines.join("\n")}\nok\n`
    : "ok";
  return new Response(body, {
    status: failed ? 500 : 200,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

/**
 * Watches the event loop: a timer that should fire every `intervalMs`; the check fails when
 * the last tick is older than `maxLagMs` (a loop blocked by a runaway reconcile).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FakeClock } from "../testing/fake_clock.ts";
 * import { EventLoopMonitor } from "./probes.ts";
 * const clock = new FakeClock(0);
 * using monitor = new EventLoopMonitor({ clock, intervalMs: 100, maxLagMs: 1000 });
 * clock.tick(500);
 * assert.equal(monitor.check(), undefined);
 * ```
 */
export class EventLoopMonitor implements Disposable {
  readonly #clock: Clock;
  readonly #interval: number;
  readonly #maxLag: number;
  #last: number;
  #timer: unknown;
  #stopped = false;

  /** Starts ticking. */
  constructor(options: { clock?: Clock; intervalMs?: number; maxLagMs?: number } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#interval = options.intervalMs ?? 1000;
    this.#maxLag = options.maxLagMs ?? 10_000;
    this.#last = this.#clock.now();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#last = this.#clock.now();
      this.#schedule();
    }, this.#interval);
  }

  /** `undefined` while the loop keeps up, else how far behind it is. */
  check(): string | undefined {
    const lag = this.#clock.now() - this.#last;
    return lag > this.#maxLag + this.#interval
      ? `event loop blocked: no timer tick for ${lag} ms`
      : undefined;
  }

  /** Stops the timer. */
  [Symbol.dispose](): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
  }
}
