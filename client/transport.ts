/**
 * The HTTP layer under every request: the API server URL, TLS (CA, client certificates,
 * proxy) through `Deno.createHttpClient`, authentication, client-side rate limiting,
 * retries with backoff and the User-Agent. Non-2xx answers become `ApiError`s.
 *
 * @module
 */
import { _getLogger as getLogger } from "./_log.ts";
import { Authenticator } from "./auth.ts";
import { type Clock, sleep, systemClock } from "./clock.ts";
import { ApiError, ConfigError } from "./errors.ts";
import type { KubeConfig } from "./kubeconfig.ts";
import type { Status } from "./types.ts";
import { _TokenBucket } from "./_token_bucket.ts";
import { type RequestNote, traceRequest } from "./_tracing.ts";
import { VERSION } from "./_version.ts";

const log = getLogger(["operatorkit", "client", "transport"]);

/**
 * Options for `Transport` (and `KubeClient`).
 *
 * @example
 * ```ts
 * import type { TransportOptions } from "./transport.ts";
 * import assert from "node:assert/strict";
 * const o: TransportOptions = { qps: 20, burst: 40, retries: 3 };
 * assert.deepEqual(o.qps, 20);
 * ```
 */
export interface TransportOptions {
  /**
   * The fetch to use; tests inject their own.
   * @default {the global `fetch`}
   */
  fetch?: typeof fetch;
  /** Clock for rate limiting, backoff and credential expiry. */
  clock?: Clock;
  /**
   * Requests per second; `0` or `Infinity` disables rate limiting.
   * @default {50}
   */
  qps?: number;
  /**
   * Bucket capacity.
   * @default {100}
   */
  burst?: number;
  /**
   * Retries after the first attempt for 429, 5xx and connection errors.
   * @default {5}
   */
  retries?: number;
  /**
   * First backoff delay in ms, doubled per retry up to `maxBackoffMs`.
   * @default {200}
   */
  backoffMs?: number;
  /**
   * Longest backoff in ms; a longer Retry-After is still honoured.
   * @default {10_000}
   */
  maxBackoffMs?: number;
  /**
   * User-Agent.
   * @default {`operatorkit/<version> (deno/<version>)`, see {@linkcode defaultUserAgent}}
   */
  userAgent?: string;
}

/**
 * One HTTP request to the API server.
 *
 * @example
 * ```ts
 * import type { RequestSpec } from "./transport.ts";
 * import assert from "node:assert/strict";
 * const r: RequestSpec = { method: "GET", path: "/api/v1/namespaces", query: { limit: 10 } };
 * assert.deepEqual(r.method, "GET");
 * ```
 */
export interface RequestSpec {
  /** HTTP method. */
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  /** Path below the server URL, starting with `/`. */
  path: string;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Body: a string is sent as is, anything else as JSON. */
  body?: unknown;
  /**
   * Content-Type of the body.
   * @default {"application/json"}
   */
  contentType?: string;
  /**
   * Accept header.
   * @default {"application/json"}
   */
  accept?: string;
  /** Cancels the request (and its waits). */
  signal?: AbortSignal;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE"]);
const CERT_ERROR = /certificate|UnknownIssuer|CaUsedAsEndEntity|NotValidForName|self.signed/i;

/**
 * The default User-Agent: `operatorkit/<version> (deno/<Deno.version.deno>)`.
 *
 * @example
 * ```ts
 * import { defaultUserAgent } from "./transport.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(defaultUserAgent().startsWith("operatorkit/"), true);
 * ```
 */
export function defaultUserAgent(): string {
  return `operatorkit/${VERSION} (deno/${Deno.version.deno})`;
}

/**
 * Sends requests to one API server with authentication, TLS, rate limiting and retries.
 * Close it (or `using` it) to release its HTTP clients.
 *
 * @example
 * ```ts
 * import { loadKubeConfig, Transport } from "./mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * using transport = new Transport(await loadKubeConfig({ document: server.kubeconfig }), { retries: 0 });
 * const res = await transport.request({ method: "GET", path: "/version" });
 * assert.equal(res.status, 200);
 * const version: { major: string } = await res.json();
 * assert.equal(version.major, "1");
 * assert.equal(transport.url("/api/v1/pods", { limit: 5 }), `${server.url}/api/v1/pods?limit=5`);
 * ```
 */
export class Transport implements Disposable {
  /** The configuration requests go to. */
  readonly config: KubeConfig;
  /** The authenticator (exposed for observability: `execCalls`). */
  readonly auth: Authenticator;
  #fetch: typeof fetch;
  /** The clock for waits (rate limits, backoff, credential expiry, watch idle timers). */
  readonly clock: Clock;
  #clock: Clock;
  #bucket: _TokenBucket;
  #retries: number;
  #backoffMs: number;
  #maxBackoffMs: number;
  #userAgent: string;
  #clients = new Map<string, Deno.HttpClient>();
  #closed = false;

  /** `config` from `loadKubeConfig()`. */
  constructor(config: KubeConfig, options: TransportOptions = {}) {
    this.config = config;
    this.#fetch = options.fetch ?? fetch;
    this.#clock = options.clock ?? systemClock;
    this.clock = this.#clock;
    this.auth = new Authenticator(config, { clock: this.#clock });
    this.#bucket = new _TokenBucket({
      qps: options.qps ?? 50,
      burst: options.burst ?? 100,
      clock: this.#clock,
    });
    this.#retries = Math.max(0, options.retries ?? 5);
    this.#backoffMs = options.backoffMs ?? 200;
    this.#maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.#userAgent = options.userAgent ?? defaultUserAgent();
  }

  /** The URL for `path` and `query`. */
  url(path: string, query?: RequestSpec["query"]): string {
    let url = this.config.server + path;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
      const s = qs.toString();
      if (s) url += `?${s}`;
    }
    return url;
  }

  /**
   * Sends `spec` and returns the 2xx response (its body unread). Any other answer becomes an
   * `ApiError` after the retries allowed for it: 429 on every verb (honouring Retry-After),
   * 5xx and connection errors on idempotent verbs only; one retry after a 401 when the
   * credentials can be refreshed (token file, exec plugin).
   */
  request(spec: RequestSpec): Promise<Response> {
    if (this.#closed) {
      return Promise.reject(new Error("expected an open transport, found it closed"));
    }
    return traceRequest(spec, (note) => this.#send(spec, note));
  }

  async #send(spec: RequestSpec, note: RequestNote): Promise<Response> {
    const url = this.url(spec.path, spec.query);
    const body = spec.body === undefined
      ? undefined
      : typeof spec.body === "string"
      ? spec.body
      : JSON.stringify(spec.body);
    const idempotent = IDEMPOTENT.has(spec.method);
    let authRetried = false;
    for (let attempt = 0;; attempt++) {
      note.retries = attempt;
      await this.#bucket.take(spec.signal);
      const creds = await this.auth.credentials(spec.signal ? { signal: spec.signal } : {});
      const headers: Record<string, string> = {
        "user-agent": this.#userAgent,
        accept: spec.accept ?? "application/json",
        ...creds.headers,
      };
      if (body !== undefined) headers["content-type"] = spec.contentType ?? "application/json";
      const client = this.#client(creds.clientCert);
      let res: Response;
      try {
        res = await this.#fetch(url, {
          method: spec.method,
          headers,
          ...(body !== undefined ? { body } : {}),
          ...(spec.signal ? { signal: spec.signal } : {}),
          ...(client ? { client } : {}),
        } as RequestInit);
      } catch (err) {
        if (spec.signal?.aborted) throw spec.signal.reason;
        this.#checkTls(err);
        // A certificate that fails verification will fail again: no retries for it.
        if (idempotent && attempt < this.#retries && !_isCertError(err)) {
          const wait = this.#backoff(attempt);
          log.debug("{method} {path} failed ({error}); retry {attempt} in {wait} ms", {
            method: spec.method,
            path: spec.path,
            error: (err as Error).name,
            attempt: attempt + 1,
            wait,
          });
          await sleep(wait, {
            clock: this.#clock,
            ...(spec.signal ? { signal: spec.signal } : {}),
          });
          continue;
        }
        throw err;
      }
      note.status = res.status;
      if (res.ok) return res;
      if (res.status === 401 && !authRetried && this.auth.invalidate()) {
        authRetried = true;
        attempt--; // a credential refresh is not a retry
        await res.body?.cancel();
        continue;
      }
      const retryAfter = _retryAfter(res.headers.get("retry-after"), this.#clock.now());
      const retriable = res.status === 429 || (res.status >= 500 && idempotent);
      if (retriable && attempt < this.#retries) {
        await res.body?.cancel();
        const wait = retryAfter !== undefined ? retryAfter * 1000 : this.#backoff(attempt);
        log.debug("{method} {path} answered {code}; retry {attempt} in {wait} ms", {
          method: spec.method,
          path: spec.path,
          code: res.status,
          attempt: attempt + 1,
          wait,
        });
        await sleep(wait, { clock: this.#clock, ...(spec.signal ? { signal: spec.signal } : {}) });
        continue;
      }
      throw await _apiError(res, {
        method: spec.method,
        path: spec.path,
        ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
      });
    }
  }

  /** Sends `spec` and parses the JSON answer. */
  async json<R>(spec: RequestSpec): Promise<R> {
    const res = await this.request(spec);
    const text = await res.text();
    try {
      return JSON.parse(text) as R;
    } catch (err) {
      throw new Error(
        `${spec.method} ${spec.path}: expected a JSON body, found ${text.length} bytes of something else`,
        { cause: err },
      );
    }
  }

  /** Closes the HTTP clients. */
  close(): void {
    this.#closed = true;
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** attempt);
    return Math.round(ceiling / 2 + Math.random() * ceiling / 2);
  }

  #client(clientCert?: { cert: string; key: string }): Deno.HttpClient | undefined {
    const tls = this.config.tls;
    const cert = clientCert?.cert ?? tls.certData;
    const key = clientCert?.key ?? tls.keyData;
    if (!tls.caData && !cert && !this.config.proxyUrl) return undefined;
    const id = clientCert ? `exec:${clientCert.cert.length}:${_hash(clientCert.cert)}` : "static";
    let client = this.#clients.get(id);
    if (!client) {
      client = Deno.createHttpClient({
        ...(tls.caData ? { caCerts: [tls.caData] } : {}),
        ...(this.config.proxyUrl ? { proxy: { url: this.config.proxyUrl } } : {}),
        ...(cert && key ? { cert, key } : {}),
      });
      this.#clients.set(id, client);
    }
    return client;
  }

  #checkTls(err: unknown): void {
    if (!this.config.tls.insecureSkipTlsVerify || !_isCertError(err)) return;
    const host = new URL(this.config.server).hostname.replace(/^\[|\]$/g, "");
    throw new ConfigError(
      `expected a verifiable server certificate, found one that failed verification; the kubeconfig sets insecure-skip-tls-verify: true, which Deno only allows process-wide: run deno with --unsafely-ignore-certificate-errors=${host}, or set certificate-authority-data to the cluster CA`,
      { file: this.config.source, field: "cluster.insecure-skip-tls-verify", cause: err },
    );
  }
}

function _isCertError(err: unknown): boolean {
  const msg = err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : "";
  return CERT_ERROR.test(msg);
}

function _hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

function _retryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Turns a non-2xx response into an ApiError, with or without a Status body. */
export async function _apiError(
  res: Response,
  ctx: { method: string; path: string; retryAfterSeconds?: number },
): Promise<ApiError> {
  let text = "";
  try {
    text = await res.text();
  } catch {
    // The body broke off: the HTTP code is still the answer.
  }
  try {
    const parsed = JSON.parse(text) as Partial<Status>;
    if (parsed && parsed.kind === "Status") {
      return new ApiError({ ...parsed, code: parsed.code ?? res.status } as Status, ctx);
    }
  } catch {
    // not JSON
  }
  return ApiError.fromHttp(res.status, text, ctx);
}
