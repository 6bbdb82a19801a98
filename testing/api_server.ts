/**
 * The embedded Kubernetes API server: in memory, on 127.0.0.1, speaking the wire protocol
 * closely enough for operatorkit's client and for kubectl. Used by tests, by `deno task demo`
 * and from the command line (`deno task apiserver`).
 *
 * @module
 */
import { stringify as toYaml } from "yaml";
import { type Clock, systemClock } from "../client/clock.ts";
import type { ServerCtx } from "./_server/context.ts";
import { reloadCrds } from "./_server/crds.ts";
import { FaultState } from "./_server/faults.ts";
import { GarbageCollector } from "./_server/gc.ts";
import { Registry } from "./_server/registry.ts";
import { route } from "./_server/router.ts";
import { Store } from "./_server/store.ts";
import { WatchHub } from "./_server/watch_hub.ts";
import { createObject } from "./_server/write.ts";

/**
 * Options of {@linkcode startApiServer}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { type ApiServerOptions, startApiServer } from "./api_server.ts";
 * const options: ApiServerOptions = { port: 0, token: "s3cret", history: 1000 };
 * await using server = await startApiServer(options);
 * const anonymous = await fetch(`${server.url}/api/v1/namespaces/default/configmaps`);
 * await anonymous.body?.cancel();
 * assert.equal(anonymous.status, 401);
 * // the kubeconfig carries the token
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * assert.deepEqual((await client.resource(ConfigMaps).list({ namespace: "default" })).items, []);
 * ```
 */
export interface ApiServerOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** When set, every request needs `Authorization: Bearer <token>` (401 Status otherwise). */
  token?: string;
  /**
   * Events kept for watch resumption; a resume from older gets 410.
   * @default {10_000}
   */
  history?: number;
  /**
   * PEM certificate and key: serve HTTPS. `ca` goes into the kubeconfig.
   * @default {`cert`}
   */
  tls?: { cert: string; key: string; ca?: string };
  /**
   * Clock for timestamps, bookmarks and watch timeouts.
   * @default {the system clock}
   */
  clock?: Clock;
  /**
   * How often (ms) watches with `allowWatchBookmarks` get a BOOKMARK. The default is what
   * kube-apiserver does: measured on v1.36.3, see informer's `SERVER_BOOKMARK_INTERVAL_MS`.
   * @default {60_000}
   */
  bookmarkIntervalMs?: number;
  /**
   * ownerReference garbage collection and namespace deletion emulation.
   * @default {true}
   */
  gc?: boolean;
  /** Closes the server when aborted. */
  signal?: AbortSignal;
}

/**
 * Fault injection for tests of clients, informers and controllers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ApiServerFaults, startApiServer } from "./api_server.ts";
 * await using server = await startApiServer();
 * const faults: ApiServerFaults = server.faults;
 * faults.failNext(1, { status: 500, verb: "list" });
 * const url = `${server.url}/api/v1/namespaces/default/configmaps`;
 * const failed = await fetch(url);
 * await failed.body?.cancel();
 * assert.equal(failed.status, 500);
 * const next = await fetch(url);
 * assert.equal(next.status, 200);
 * assert.deepEqual((await next.json()).items, []);
 * ```
 */
export interface ApiServerFaults {
  /** Ends every open watch now (clean end of body). */
  dropWatches(): void;
  /** Open watches stop sending (without closing) until dropped or closed: a half-open connection. */
  silenceWatches(): void;
  /** Forgets the event history: the next resume from an older resourceVersion gets 410. */
  compact(): void;
  /**
   * Sends a line that is not a watch event to every open watch; with `{ sticky: true }`,
   * every watch opened from now on starts with one too, until `{ sticky: false }`.
   */
  garbageWatches(opts?: { sticky?: boolean }): void;
  /**
   * Answers the next `n` matching requests with 429 + Retry-After (the default) or 500. `verb`
   * and `resource` also match paths the server does not serve (`create` of
   * `selfsubjectaccessreviews`: a POST there), which otherwise answer 404.
   */
  failNext(
    n: number,
    opts?: { status?: 429 | 500; retryAfterSeconds?: number; verb?: string; resource?: string },
  ): void;
  /** Delays every response by `ms`. */
  setLatency(ms: number): void;
  /** Closes every connection and serves again on the same port, keeping state or not. */
  restart(opts?: { keepState?: boolean }): Promise<void>;
}

/**
 * A running embedded API server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startApiServer } from "./api_server.ts";
 * await using server = await startApiServer();
 * assert.equal(server.url, `http://127.0.0.1:${server.port}`);
 * const url = `${server.url}/api/v1/namespaces/default/configmaps`;
 * const created = await fetch(url, {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }),
 * });
 * await created.body?.cancel();
 * assert.equal(created.status, 201);
 * assert.equal((await (await fetch(url)).json()).items.length, 1);
 * ```
 */
export interface ApiServer extends AsyncDisposable {
  /** `http(s)://127.0.0.1:PORT`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** A kubeconfig (object form): cluster, user (with the token if any), context `embedded`. */
  readonly kubeconfig: Record<string, unknown>;
  /** The same kubeconfig as YAML. */
  readonly kubeconfigYaml: string;
  /** Writes the kubeconfig YAML to `path` (mode 0600). */
  writeKubeconfig(path: string): Promise<void>;
  /** Fault injection. */
  readonly faults: ApiServerFaults;
  /** Stops serving and ends every watch; leaves nothing running. */
  close(): Promise<void>;
}

const NAMESPACES = ["default", "kube-system", "kube-public"];

function seed(ctx: ServerCtx): void {
  for (const name of NAMESPACES) {
    createObject(ctx, ctx.registry.get("v1", "namespaces")!, { body: { metadata: { name } } }, {
      manager: "kube-apiserver",
      dryRun: false,
    });
  }
}

function buildKubeconfig(url: string, options: ApiServerOptions): Record<string, unknown> {
  const cluster: Record<string, unknown> = { server: url };
  if (options.tls) {
    cluster["certificate-authority-data"] = btoa(options.tls.ca ?? options.tls.cert);
  }
  const user: Record<string, unknown> = {};
  if (options.token !== undefined) user.token = options.token;
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "embedded", cluster }],
    users: [{ name: "embedded", user }],
    contexts: [{
      name: "embedded",
      context: { cluster: "embedded", user: "embedded", namespace: "default" },
    }],
    "current-context": "embedded",
    preferences: {},
  };
}

class EmbeddedApiServer implements ApiServer {
  readonly url: string;
  readonly port: number;
  readonly kubeconfig: Record<string, unknown>;
  readonly kubeconfigYaml: string;
  readonly faults: ApiServerFaults;
  #ctx: ServerCtx;
  #abort: AbortController;
  #faultState = new FaultState();
  #gc: GarbageCollector;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #closed = false;
  #options: ApiServerOptions;
  #onAbort = () => void this.close();

  constructor(options: ApiServerOptions) {
    this.#options = options;
    const clock = options.clock ?? systemClock;
    const store = new Store(options.history ?? 10_000);
    this.#abort = new AbortController();
    const hub = new WatchHub(store, clock, options.bookmarkIntervalMs ?? 60_000);
    this.#ctx = {
      store,
      registry: new Registry(),
      hub,
      clock,
      gc: options.gc ?? true,
      signal: this.#abort.signal,
    };
    this.#gc = new GarbageCollector(this.#ctx);
    seed(this.#ctx);
    this.#server = this.#serve(options.port ?? 0);
    this.port = this.#server.addr.port;
    this.url = `${options.tls ? "https" : "http"}://127.0.0.1:${this.port}`;
    this.kubeconfig = buildKubeconfig(this.url, options);
    this.kubeconfigYaml = toYaml(this.kubeconfig);
    const fs = this.#faultState;
    this.faults = {
      dropWatches: () => hub.closeAll(),
      silenceWatches: () => hub.silenceAll(),
      compact: () => store.compact(),
      garbageWatches: (opts) => {
        if (opts?.sticky !== undefined) hub.garbage = opts.sticky;
        if (opts?.sticky !== false) hub.sendGarbage();
      },
      failNext: (n, opts) => fs.failNext(n, opts),
      setLatency: (ms) => {
        if (!Number.isFinite(ms) || ms < 0) {
          throw new RangeError(`setLatency: expected a non-negative number of ms, found ${ms}`);
        }
        fs.latencyMs = ms;
      },
      restart: (opts) => this.#restart(opts?.keepState ?? true),
    };
    options.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  #serve(port: number): Deno.HttpServer<Deno.NetAddr> {
    const deps = { ctx: this.#ctx, faults: this.#faultState, token: this.#options.token };
    const base = { port, hostname: "127.0.0.1", onListen: () => {} };
    const handler = (req: Request) => route(deps, req);
    const tls = this.#options.tls;
    return tls
      ? Deno.serve({ ...base, cert: tls.cert, key: tls.key }, handler)
      : Deno.serve(base, handler);
  }

  async #stopServing(): Promise<void> {
    this.#abort.abort();
    this.#ctx.hub.closeAll();
    await this.#server.shutdown();
  }

  async #restart(keepState: boolean): Promise<void> {
    if (this.#closed) throw new Error("restart: the server is closed");
    await this.#stopServing();
    this.#abort = new AbortController();
    this.#ctx.signal = this.#abort.signal;
    if (!keepState) {
      this.#ctx.store.reset();
      this.#ctx.registry = new Registry();
      seed(this.#ctx);
    } else {
      reloadCrds(this.#ctx);
    }
    if (this.#closed) return; // closed while restarting: stay down
    this.#server = this.#serve(this.port);
  }

  writeKubeconfig(path: string): Promise<void> {
    return Deno.writeTextFile(path, this.kubeconfigYaml, { mode: 0o600 });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    this.#gc.stop();
    await this.#stopServing();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts the embedded API server on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { startApiServer } from "./api_server.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = await startApiServer();
 * const res = await fetch(`${server.url}/api/v1/namespaces/default`);
 * assert.equal((await res.json()).metadata.name, "default");
 * ```
 */
export function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
  ) {
    return Promise.reject(
      new RangeError(`startApiServer: expected port 0-65535, found ${options.port}`),
    );
  }
  if (
    options.history !== undefined && (!Number.isInteger(options.history) || options.history < 0)
  ) {
    return Promise.reject(
      new RangeError(`startApiServer: expected history >= 0, found ${options.history}`),
    );
  }
  if (options.signal?.aborted) return Promise.reject(options.signal.reason);
  try {
    return Promise.resolve(new EmbeddedApiServer(options));
  } catch (e) {
    const err = new Error(
      `startApiServer: expected to listen on 127.0.0.1:${options.port ?? 0}, but: ${
        (e as Error).message
      }`,
      { cause: e },
    );
    err.name = "ApiServerStartError";
    return Promise.reject(err);
  }
}
