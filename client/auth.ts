/**
 * Request authentication: bearer tokens (static, from a rotating file, or from an exec
 * plugin), basic auth, and client certificates handed out by exec plugins.
 *
 * @module
 */
import { _getLogger as getLogger } from "./_log.ts";
import { type Clock, systemClock } from "./clock.ts";
import { ConfigError } from "./errors.ts";
import type { AuthConfig, KubeConfig } from "./kubeconfig.ts";
import { _runExecPlugin, type ExecCredentialStatus } from "./_exec_plugin.ts";

const log = getLogger(["operatorkit", "client", "auth"]);

/**
 * The credentials for one request: headers to add, and a client certificate when an exec
 * plugin issued one.
 *
 * @example
 * ```ts
 * import { Authenticator, type Credentials } from "./auth.ts";
 * import assert from "node:assert/strict";
 * const auth = new Authenticator({ server: "http://127.0.0.1:1", auth: { type: "token", token: "t" }, tls: {} });
 * const c: Credentials = await auth.credentials();
 * assert.deepEqual(c.headers, { authorization: "Bearer t" });
 * assert.equal(c.clientCert, undefined, "only exec plugins issue certificates");
 * ```
 */
export interface Credentials {
  /** Headers to set (e.g. `authorization`). */
  headers: Record<string, string>;
  /** Client certificate and key (PEM) from an exec plugin. */
  clientCert?: { cert: string; key: string };
}

/**
 * Produces credentials for requests and refreshes them after a 401. Tokens from files are
 * re-read every `reloadIntervalMs` (service-account tokens rotate); exec credentials are
 * cached until their `expirationTimestamp`.
 *
 * @example
 * ```ts
 * import { Authenticator } from "./auth.ts";
 * import assert from "node:assert/strict";
 * const auth = new Authenticator({ server: "http://127.0.0.1:1", auth: { type: "token", token: "t" }, tls: {} });
 * assert.equal((await auth.credentials()).headers.authorization, "Bearer t");
 * assert.equal(auth.execCalls, 0);
 * ```
 */
export class Authenticator {
  #auth: AuthConfig;
  #cluster: Pick<KubeConfig, "server" | "tls">;
  #clock: Clock;
  #cached?: { creds: Credentials; expiresAt?: number };
  #pending?: Promise<Credentials>;
  #execCalls = 0;

  /** `config`: the auth and cluster parts of a `KubeConfig`. */
  constructor(
    config: Pick<KubeConfig, "auth" | "server" | "tls">,
    options: { clock?: Clock } = {},
  ) {
    this.#auth = config.auth;
    this.#cluster = { server: config.server, tls: config.tls };
    this.#clock = options.clock ?? systemClock;
  }

  /** How many times an exec plugin has run (observability and tests). */
  get execCalls(): number {
    return this.#execCalls;
  }

  /** Credentials for the next request (cached while valid). */
  async credentials(options: { signal?: AbortSignal } = {}): Promise<Credentials> {
    const c = this.#cached;
    if (c && (c.expiresAt === undefined || this.#clock.now() < c.expiresAt)) return c.creds;
    // One refresh at a time: concurrent requests share it, so a plugin runs once. It runs
    // without the caller's signal (one caller giving up must not fail the others); each
    // caller stops waiting on its own signal.
    const p = this.#pending ??= this.#load().finally(() => this.#pending = undefined);
    const signal = options.signal;
    if (!signal) return await p;
    signal.throwIfAborted();
    return await new Promise<Credentials>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  /**
   * Drops cached credentials after a 401. Returns true when retrying could help (the
   * credentials are re-obtainable: a token file or an exec plugin).
   */
  invalidate(): boolean {
    this.#cached = undefined;
    return this.#auth.type === "tokenFile" || this.#auth.type === "exec";
  }

  async #load(): Promise<Credentials> {
    const a = this.#auth;
    const now = this.#clock.now();
    let creds: Credentials;
    let expiresAt: number | undefined;
    switch (a.type) {
      case "none":
        creds = { headers: {} };
        break;
      case "token":
        creds = { headers: { authorization: `Bearer ${a.token}` } };
        break;
      case "basic":
        creds = { headers: { authorization: `Basic ${_basic(a.username, a.password)}` } };
        break;
      case "tokenFile": {
        let token: string;
        try {
          token = (await Deno.readTextFile(a.path)).trim();
        } catch (err) {
          throw new ConfigError(`expected a readable token file, found ${(err as Error).name}`, {
            file: a.path,
            cause: err,
          });
        }
        if (!token) {
          throw new ConfigError("expected a token, found an empty file", { file: a.path });
        }
        creds = { headers: { authorization: `Bearer ${token}` } };
        expiresAt = now + (a.reloadIntervalMs ?? 60_000);
        break;
      }
      case "exec": {
        this.#execCalls++;
        log.debug("running exec credential plugin {command}", { command: a.exec.command });
        const s: ExecCredentialStatus = await _runExecPlugin(a.exec, {
          cluster: {
            server: this.#cluster.server,
            ...(this.#cluster.tls.caData ? { caData: this.#cluster.tls.caData } : {}),
            ...(this.#cluster.tls.insecureSkipTlsVerify ? { insecureSkipTlsVerify: true } : {}),
          },
        });
        creds = {
          headers: s.token ? { authorization: `Bearer ${s.token}` } : {},
          ...(s.clientCertificateData && s.clientKeyData
            ? { clientCert: { cert: s.clientCertificateData, key: s.clientKeyData } }
            : {}),
        };
        expiresAt = s.expiresAt;
        break;
      }
    }
    this.#cached = expiresAt === undefined ? { creds } : { creds, expiresAt };
    return creds;
  }
}

function _basic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
