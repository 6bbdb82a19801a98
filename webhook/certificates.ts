/**
 * Where the webhook server's TLS certificate comes from: fixed PEM text, or a directory with
 * `tls.crt` and `tls.key` (a mounted Secret, e.g. from cert-manager) that is read again when
 * the files change, so a renewed certificate is served without restarting the process.
 *
 * @module
 */
import { _getLogger as getLogger } from "../client/_log.ts";
import { type Clock, systemClock } from "../client/clock.ts";

/**
 * A serving certificate (chain) and its private key, both PEM.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ServingCertificate, staticCertificate } from "./certificates.ts";
 * import { generateWebhookCertificate } from "./self_managed.ts";
 * import { serveWebhooks } from "./server.ts";
 * const g = await generateWebhookCertificate({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
 * const c: ServingCertificate = { cert: g.cert, key: g.key };
 * await using server = await serveWebhooks({ hostname: "127.0.0.1", port: 0, certificate: staticCertificate(c) });
 * using http = Deno.createHttpClient({ caCerts: [g.caCert] });
 * const res = await fetch(`${server.url}/nothing`, { method: "POST", body: "{}", client: http });
 * assert.equal(res.status, 404, "a TLS handshake with this certificate, then an unknown path");
 * await res.body?.cancel();
 * ```
 */
export interface ServingCertificate {
  /** PEM certificate chain (leaf first). */
  cert: string;
  /** PEM private key. */
  key: string;
}

/**
 * A source of the serving certificate that may change over time. The webhook server calls
 * `load()` before listening and re-binds its listener when `changes` yields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CertificateSource, ServingCertificate } from "./certificates.ts";
 * // A source that can be told about a renewed certificate.
 * function renewable(first: ServingCertificate) {
 *   let current = first;
 *   const listeners = new Set<(c: ServingCertificate) => void>();
 *   const source: CertificateSource = {
 *     load: () => Promise.resolve(current),
 *     subscribe: (l) => (listeners.add(l), () => void listeners.delete(l)),
 *   };
 *   const renew = (next: ServingCertificate) => {
 *     current = next;
 *     for (const l of listeners) l(next);
 *   };
 *   return { source, renew };
 * }
 * const { source, renew } = renewable({ cert: "C1", key: "K1" });
 * const heard: string[] = [];
 * const off = source.subscribe((c) => heard.push(c.cert));
 * renew({ cert: "C2", key: "K2" });
 * off();
 * renew({ cert: "C3", key: "K3" });
 * assert.deepEqual(heard, ["C2"]);
 * assert.equal((await source.load()).cert, "C3");
 * ```
 */
export interface CertificateSource {
  /** The current certificate; waits until one is available. */
  load(signal?: AbortSignal): Promise<ServingCertificate>;
  /** Calls `listener` with each new certificate until the returned function is called. */
  subscribe(listener: (cert: ServingCertificate) => void): () => void;
}

/**
 * A certificate that never changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { staticCertificate } from "./certificates.ts";
 * const c = await staticCertificate({ cert: "C", key: "K" }).load();
 * assert.equal(c.cert, "C");
 * ```
 */
export function staticCertificate(cert: ServingCertificate): CertificateSource {
  return { load: () => Promise.resolve(cert), subscribe: () => () => {} };
}

/**
 * Options of {@linkcode CertificateDirectory}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FakeClock } from "../testing/fake_clock.ts";
 * import { CertificateDirectory, type CertificateDirectoryOptions } from "./certificates.ts";
 * const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/cert.pem`, pem("CERTIFICATE", "AA=="));
 * await Deno.writeTextFile(`${dir}/key.pem`, pem("PRIVATE KEY", "AA=="));
 * const clock = new FakeClock(0);
 * const o: CertificateDirectoryOptions = { pollIntervalMs: 5_000, certFile: "cert.pem", keyFile: "key.pem", clock };
 * using source = new CertificateDirectory(dir, o);
 * assert.match((await source.load()).cert, /AA==/);
 * const changed = new Promise<string>((resolve) => source.subscribe((c) => resolve(c.cert)));
 * await Deno.writeTextFile(`${dir}/cert.pem`, pem("CERTIFICATE", "BB=="));
 * clock.tick(5_000); // the next poll reads the files again
 * assert.match(await changed, /BB==/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface CertificateDirectoryOptions {
  /**
   * How often the files are read to detect a change, in milliseconds.
   * @default {10_000}
   */
  pollIntervalMs?: number;
  /**
   * File name of the certificate.
   * @default {"tls.crt"}
   */
  certFile?: string;
  /**
   * File name of the key.
   * @default {"tls.key"}
   */
  keyFile?: string;
  /**
   * The clock for polling.
   * @default {the system clock}
   */
  clock?: Clock;
}

/**
 * A directory holding `tls.crt` and `tls.key`, watched by polling (a mounted Secret changes by
 * swapping a symlink, which file events do not always report). A half-written pair (a key
 * that does not parse as PEM, or one file missing) is skipped until the next poll.
 * `[Symbol.dispose]` stops polling.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CertificateDirectory } from "./certificates.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tls.crt`, "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
 * await Deno.writeTextFile(`${dir}/tls.key`, "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n");
 * using source = new CertificateDirectory(dir);
 * assert.match((await source.load()).cert, /BEGIN CERTIFICATE/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class CertificateDirectory implements CertificateSource, Disposable {
  readonly #dir: string;
  readonly #certFile: string;
  readonly #keyFile: string;
  readonly #pollMs: number;
  readonly #clock: Clock;
  readonly #listeners = new Set<(c: ServingCertificate) => void>();
  readonly #log = getLogger(["operatorkit", "webhook", "certificates"]);
  #current?: ServingCertificate;
  #timer?: unknown;
  #polling = false;
  #disposed = false;

  /** Watches `dir`; nothing is read until `load()`. */
  constructor(dir: string, options: CertificateDirectoryOptions = {}) {
    this.#dir = dir;
    this.#certFile = options.certFile ?? "tls.crt";
    this.#keyFile = options.keyFile ?? "tls.key";
    this.#pollMs = options.pollIntervalMs ?? 10_000;
    this.#clock = options.clock ?? systemClock;
    if (!(this.#pollMs > 0)) {
      throw new TypeError(`expected a positive pollIntervalMs, found ${options.pollIntervalMs}`);
    }
  }

  /** Reads the pair (first call) and starts polling; fails naming the file when unreadable. */
  async load(): Promise<ServingCertificate> {
    if (!this.#current) {
      const pair = await this.#read();
      if (typeof pair === "string") throw new Error(pair);
      this.#current = pair;
      this.#schedule();
    }
    return this.#current;
  }

  /** Calls `listener` with each changed pair. */
  subscribe(listener: (cert: ServingCertificate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the files now and notifies on a change (what a poll does); resolves when done. */
  async poll(): Promise<void> {
    if (this.#polling || this.#disposed) return;
    this.#polling = true;
    try {
      const pair = await this.#read();
      if (typeof pair === "string") {
        this.#log.warn("certificate directory: {problem}; keeping the current certificate", {
          problem: pair,
        });
        return;
      }
      const cur = this.#current;
      if (cur && cur.cert === pair.cert && cur.key === pair.key) return;
      this.#current = pair;
      this.#log.info("certificate in {dir} changed: reloading", { dir: this.#dir });
      for (const l of this.#listeners) l(pair);
    } finally {
      this.#polling = false;
    }
  }

  #schedule(): void {
    if (this.#disposed) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.poll().finally(() => this.#schedule());
    }, this.#pollMs);
  }

  async #read(): Promise<ServingCertificate | string> {
    const certPath = `${this.#dir}/${this.#certFile}`;
    const keyPath = `${this.#dir}/${this.#keyFile}`;
    let cert: string;
    let key: string;
    try {
      cert = await Deno.readTextFile(certPath);
      key = await Deno.readTextFile(keyPath);
    } catch (err) {
      return `cannot read ${err instanceof Deno.errors.NotFound ? "(missing) " : ""}${
        (err as { message?: string }).message ?? err
      }`;
    }
    if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(cert)) {
      return `expected a PEM certificate in ${certPath}`;
    }
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/.test(key)) {
      return `expected a PEM private key in ${keyPath}`;
    }
    return { cert, key };
  }

  /** Stops polling. */
  [Symbol.dispose](): void {
    this.#disposed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer as never);
    this.#listeners.clear();
  }
}
