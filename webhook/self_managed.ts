/**
 * Self-managed webhook certificates: the operator generates a CA and a serving certificate
 * (with @peculiar/x509 and WebCrypto, no openssl), keeps them in a Secret so every replica
 * serves the same one, and writes the CA bundle into its ValidatingWebhookConfiguration,
 * MutatingWebhookConfiguration and the CRDs' conversion webhooks, patching them again
 * whenever someone changes them. The serving certificate is re-issued from the same CA
 * before it expires (the CA bundle stays valid meanwhile).
 *
 * @module
 */
import { _getLogger as getLogger } from "../client/_log.ts";
import type { KubeObject, ResourceType } from "../client/types.ts";
import type { CustomResourceDefinition, Secret } from "../client/builtin_types.ts";
import { CustomResourceDefinitions, Secrets } from "../client/builtins.ts";
import { type Clock, systemClock } from "../client/clock.ts";
import type { CertificateSource, ServingCertificate } from "./certificates.ts";
// ./_x509.ts pulls in @peculiar/x509 and reflect-metadata, about 10 MB of RSS: it is imported
// only when a certificate is made or checked, not by every operator that never serves webhooks
// (bench/peers/README.md, idle RSS).
const _x509 = () => import("./_x509.ts");
import {
  MutatingWebhookConfigurations,
  ValidatingWebhookConfigurations,
  type WebhookConfiguration,
} from "./configurations.ts";

/**
 * A generated CA and serving certificate, all PEM.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateWebhookCertificate, type GeneratedCertificate } from "./self_managed.ts";
 * const g: GeneratedCertificate = await generateWebhookCertificate({ dnsNames: ["op-webhook.ops.svc"] });
 * // Re-issuing from the same CA keeps the bundle the API server trusts.
 * const renewed = await generateWebhookCertificate({
 *   dnsNames: ["op-webhook.ops.svc"],
 *   ca: { cert: g.caCert, key: g.caKey },
 * });
 * assert.equal(renewed.caCert, g.caCert);
 * assert.notEqual(renewed.cert, g.cert);
 * assert.match(renewed.key, /PRIVATE KEY/);
 * ```
 */
export interface GeneratedCertificate {
  /** The CA certificate: what goes into `caBundle`. */
  caCert: string;
  /** The CA key (kept in the Secret to re-issue serving certificates). */
  caKey: string;
  /** The serving certificate, signed by the CA. */
  cert: string;
  /** The serving key. */
  key: string;
}

/**
 * Generates a CA and a serving certificate for `dnsNames` and `ipAddresses` (ECDSA P-256).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateWebhookCertificate } from "./self_managed.ts";
 * const g = await generateWebhookCertificate({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
 * assert.match(g.caCert, /BEGIN CERTIFICATE/);
 * ```
 */
export async function generateWebhookCertificate(options: {
  dnsNames: string[];
  ipAddresses?: string[];
  /**
   * Serving certificate lifetime in days.
   * @default {365}
   */
  validityDays?: number;
  /**
   * CA lifetime in days.
   * @default {3650}
   */
  caValidityDays?: number;
  /** Reuse this CA instead of generating one. */
  ca?: { cert: string; key: string };
  /**
   * Issue time.
   * @default {now}
   */
  now?: Date;
}): Promise<GeneratedCertificate> {
  if (!options.dnsNames.length && !options.ipAddresses?.length) {
    throw new TypeError("generateWebhookCertificate: expected at least one DNS name or IP");
  }
  const { _generate } = await _x509();
  return await _generate({
    commonName: options.dnsNames[0] ?? options.ipAddresses![0],
    dnsNames: options.dnsNames,
    ipAddresses: options.ipAddresses ?? [],
    now: options.now ?? new Date(),
    validityDays: options.validityDays ?? 365,
    caValidityDays: options.caValidityDays ?? 3650,
    ...(options.ca ? { ca: options.ca } : {}),
  });
}

/**
 * The calls made on one resource type (a `ResourceClient` fits).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KubeClient, Secrets } from "../client/mod.ts";
 * import type { Secret } from "../client/builtin_types.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import type { CertificateResourceHandle } from "./self_managed.ts";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const secrets: CertificateResourceHandle<Secret> = client.resource(Secrets);
 * await secrets.create({ metadata: { name: "tls" }, stringData: { "tls.crt": "x" } }, { namespace: "default" });
 * const got = await secrets.get("tls", { namespace: "default" });
 * assert.equal(got.data?.["tls.crt"], btoa("x"));
 * ```
 */
export type CertificateResourceHandle<T extends KubeObject> = {
  get(name: string, options?: { namespace?: string; signal?: AbortSignal }): Promise<T>;
  create(obj: T, options?: { namespace?: string; signal?: AbortSignal }): Promise<T>;
  replace(obj: T, options?: { namespace?: string; signal?: AbortSignal }): Promise<T>;
};

/**
 * The client calls self-managed certificates make: Secrets (get, create, update), webhook
 * configurations and CRDs (get, update). operatorkit's `KubeClient` fits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KubeClient, Secrets } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { type CertificateClient, SelfManagedCertificates } from "./self_managed.ts";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const certClient: CertificateClient = client;
 * await using certs = new SelfManagedCertificates({
 *   client: certClient,
 *   namespace: "default",
 *   secretName: "op-webhook-tls",
 *   dnsNames: ["op-webhook.default.svc"],
 * });
 * await certs.start();
 * const secret = await client.resource(Secrets).get("op-webhook-tls", { namespace: "default" });
 * assert.equal(atob(secret.data!["ca.crt"]), certs.caCert);
 * ```
 */
export interface CertificateClient {
  /** A handle for `type`. */
  resource<T extends KubeObject>(type: ResourceType<T>): CertificateResourceHandle<T>;
}

/**
 * Options of {@linkcode SelfManagedCertificates}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KubeClient, Secrets } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { SelfManagedCertificates, type SelfManagedCertificatesOptions } from "./self_managed.ts";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const o: SelfManagedCertificatesOptions = {
 *   client,
 *   namespace: "default",
 *   secretName: "website-operator-webhook-tls",
 *   dnsNames: ["website-operator-webhook.default.svc"],
 *   ipAddresses: ["127.0.0.1"],
 *   validityDays: 90,
 * };
 * // Two replicas with the same options share the Secret the first one created.
 * await using a = new SelfManagedCertificates(o);
 * await using b = new SelfManagedCertificates(o);
 * await a.start();
 * await b.start();
 * assert.equal(b.caCert, a.caCert);
 * const secret = await client.resource(Secrets).get(o.secretName, { namespace: o.namespace });
 * assert.deepEqual(Object.keys(secret.data ?? {}).sort(), ["ca.crt", "ca.key", "tls.crt", "tls.key"]);
 * ```
 */
export interface SelfManagedCertificatesOptions {
  /** The cluster client. */
  client: CertificateClient;
  /** Namespace of the Secret (the operator's own). */
  namespace: string;
  /** Name of the Secret holding `ca.crt`, `ca.key`, `tls.crt` and `tls.key`. */
  secretName: string;
  /** DNS names of the serving certificate (`<service>.<namespace>.svc` and variants). */
  dnsNames: string[];
  /** IP addresses of the serving certificate (e.g. 127.0.0.1 for a local run). */
  ipAddresses?: string[];
  /** Names of the Validating/MutatingWebhookConfigurations whose `caBundle` is kept. */
  webhookConfigurations?: string[];
  /** Names of CRDs whose conversion webhook `caBundle` is kept. */
  crds?: string[];
  /**
   * How often the Secret and the bundles are checked, in milliseconds.
   * @default {60_000}
   */
  resyncPeriodMs?: number;
  /**
   * Re-issue the serving certificate this long (milliseconds) before it expires.
   * @default {30 days}
   */
  renewBeforeMs?: number;
  /**
   * Serving certificate lifetime in days.
   * @default {365}
   */
  validityDays?: number;
  /**
   * The clock.
   * @default {the system clock}
   */
  clock?: Clock;
}

const DAY = 86_400_000;

function _b64(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

function _unb64(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const bin = atob(text);
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

function _code(e: unknown): number | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === "number" ? c : undefined;
}

/**
 * Keeps a self-managed CA and serving certificate in a Secret and the CA bundle in the
 * webhook configurations and CRDs. `start()` loads or creates the Secret (the first replica
 * to create it wins; the others read it), patches the bundles, then checks everything every
 * `resyncPeriodMs`: a changed bundle is patched back, a Secret changed by another replica
 * (or re-issued here before expiry) is served by every replica.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KubeClient } from "../client/mod.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { deny, validatingWebhook } from "./admission.ts";
 * import { SelfManagedCertificates } from "./self_managed.ts";
 * import { serveWebhooks } from "./server.ts";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await using certs = new SelfManagedCertificates({
 *   client,
 *   namespace: "default",
 *   secretName: "op-webhook-tls",
 *   dnsNames: ["localhost"],
 *   ipAddresses: ["127.0.0.1"],
 * });
 * await certs.start();
 * const hook = validatingWebhook(ConfigMaps, { validate: () => deny("read-only") });
 * await using hooks = await serveWebhooks({ hostname: "127.0.0.1", port: 0, certificate: certs, admission: [hook] });
 * // A client that trusts only the self-managed CA (what the caBundle tells the API server).
 * using http = Deno.createHttpClient({ caCerts: [certs.caCert!] });
 * const res = await fetch(`${hooks.url}${hook.path}`, { method: "POST", client: http, body: "{}" });
 * const review = await res.json();
 * assert.equal(review.response.allowed, false, "a malformed review is denied, over verified TLS");
 * ```
 */
export class SelfManagedCertificates implements CertificateSource, AsyncDisposable {
  readonly #o: SelfManagedCertificatesOptions;
  readonly #clock: Clock;
  readonly #log = getLogger(["operatorkit", "webhook", "certificates"]);
  readonly #listeners = new Set<(c: ServingCertificate) => void>();
  readonly #stop = new AbortController();
  #current?: GeneratedCertificate;
  #ready = Promise.withResolvers<ServingCertificate>();
  #timer?: unknown;
  #running?: Promise<void>;
  #patches = 0;

  /** Creates the manager; nothing happens until `start()`. */
  constructor(options: SelfManagedCertificatesOptions) {
    if (!options.dnsNames.length && !options.ipAddresses?.length) {
      throw new TypeError("SelfManagedCertificates: expected dnsNames or ipAddresses");
    }
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#ready.promise.catch(() => {});
  }

  /** The CA certificate (PEM) once started. */
  get caCert(): string | undefined {
    return this.#current?.caCert;
  }

  /** How many bundle patches were written (for tests and metrics). */
  get patches(): number {
    return this.#patches;
  }

  /** Loads or creates the Secret, writes the bundles, and starts the periodic check. */
  async start(signal?: AbortSignal): Promise<void> {
    await this.reconcile(signal);
    this.#schedule();
  }

  /** One check now: the Secret, then every bundle. */
  async reconcile(signal?: AbortSignal): Promise<void> {
    const s = signal ? AbortSignal.any([signal, this.#stop.signal]) : this.#stop.signal;
    const pair = await this.#ensureSecret(s);
    const changed = !this.#current || this.#current.cert !== pair.cert ||
      this.#current.key !== pair.key;
    this.#current = pair;
    if (changed) {
      const cert = { cert: pair.cert, key: pair.key };
      this.#ready.resolve(cert);
      for (const l of this.#listeners) l(cert);
    }
    await this.#ensureBundles(pair.caCert, s);
  }

  /** The serving certificate; waits for `start()`. */
  load(signal?: AbortSignal): Promise<ServingCertificate> {
    if (!signal) return this.#ready.promise;
    return Promise.race([
      this.#ready.promise,
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      }),
    ]);
  }

  /** Calls `listener` with each new serving certificate. */
  subscribe(listener: (cert: ServingCertificate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #schedule(): void {
    if (this.#stop.signal.aborted) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#running = this.reconcile().catch((err) => {
        if (!this.#stop.signal.aborted) {
          this.#log.warn("webhook certificate check failed: {error}", {
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }).finally(() => {
        this.#running = undefined;
        this.#schedule();
      });
    }, this.#o.resyncPeriodMs ?? 60_000);
  }

  async #usable(data: Record<string, string> | undefined): Promise<
    { pair: GeneratedCertificate; renew: boolean } | undefined
  > {
    const caCert = _unb64(data?.["ca.crt"]);
    const caKey = _unb64(data?.["ca.key"]);
    const cert = _unb64(data?.["tls.crt"]);
    const key = _unb64(data?.["tls.key"]);
    if (!caCert || !caKey || !cert || !key) return undefined;
    const { _inspect, _signedBy } = await _x509();
    const ca = _inspect(caCert);
    const leaf = _inspect(cert);
    if (!ca || !leaf || !(await _signedBy(cert, caCert))) return undefined;
    const now = this.#clock.now();
    if (ca.notAfter.getTime() - now < 2 * (this.#o.renewBeforeMs ?? 30 * DAY)) return undefined;
    const namesOk = this.#o.dnsNames.every((n) => leaf.dnsNames.includes(n)) &&
      (this.#o.ipAddresses ?? []).every((ip) => leaf.ipAddresses.includes(ip));
    const renew = !namesOk ||
      leaf.notAfter.getTime() - now < (this.#o.renewBeforeMs ?? 30 * DAY);
    return { pair: { caCert, caKey, cert, key }, renew };
  }

  async #issue(ca?: { cert: string; key: string }): Promise<GeneratedCertificate> {
    return await generateWebhookCertificate({
      dnsNames: this.#o.dnsNames,
      ipAddresses: this.#o.ipAddresses ?? [],
      now: new Date(this.#clock.now()),
      validityDays: this.#o.validityDays ?? 365,
      ...(ca ? { ca } : {}),
    });
  }

  #data(p: GeneratedCertificate): Record<string, string> {
    return {
      "ca.crt": _b64(p.caCert),
      "ca.key": _b64(p.caKey),
      "tls.crt": _b64(p.cert),
      "tls.key": _b64(p.key),
    };
  }

  async #ensureSecret(signal: AbortSignal): Promise<GeneratedCertificate> {
    const { namespace, secretName: name } = this.#o;
    const secrets = this.#o.client.resource(Secrets);
    for (let attempt = 0;; attempt++) {
      signal.throwIfAborted();
      let stored: Secret | undefined;
      try {
        stored = await secrets.get(name, { namespace, signal });
      } catch (err) {
        if (_code(err) !== 404) throw err;
      }
      const usable = await this.#usable(stored?.data);
      if (usable && !usable.renew) return usable.pair;
      const pair = await this.#issue(
        usable ? { cert: usable.pair.caCert, key: usable.pair.caKey } : undefined,
      );
      try {
        if (!stored) {
          this.#log.info("creating webhook certificate Secret {namespace}/{name}", {
            namespace,
            name,
          });
          await secrets.create({
            apiVersion: "v1",
            kind: "Secret",
            metadata: {
              name,
              namespace,
              labels: { "app.kubernetes.io/managed-by": "operatorkit" },
            },
            type: "kubernetes.io/tls",
            data: this.#data(pair),
          } as Secret, { namespace, signal });
        } else {
          this.#log.info("re-issuing the webhook certificate in Secret {namespace}/{name}", {
            namespace,
            name,
          });
          await secrets.replace(
            { ...stored, data: this.#data(pair) } as Secret,
            { namespace, signal },
          );
        }
        return pair;
      } catch (err) {
        // Another replica wrote first: take what it wrote.
        if ((_code(err) === 409) && attempt < 5) continue;
        throw err;
      }
    }
  }

  async #ensureBundles(caCert: string, signal: AbortSignal): Promise<void> {
    const bundle = _b64(caCert);
    for (const type of [ValidatingWebhookConfigurations, MutatingWebhookConfigurations]) {
      const handle = this.#o.client.resource(type);
      for (const name of this.#o.webhookConfigurations ?? []) {
        await this.#retryConflict(signal, async () => {
          let cfg: WebhookConfiguration;
          try {
            cfg = await handle.get(name, { signal });
          } catch (err) {
            if (_code(err) === 404) return; // this operator has none of that kind
            throw err;
          }
          const hooks = cfg.webhooks ?? [];
          if (hooks.every((h) => h.clientConfig?.caBundle === bundle)) return;
          this.#log.info("writing the CA bundle into {kind} {name}", { kind: type.kind, name });
          await handle.replace({
            ...cfg,
            webhooks: hooks.map((h) => ({
              ...h,
              clientConfig: { ...h.clientConfig, caBundle: bundle },
            })),
          }, { signal });
          this.#patches++;
        });
      }
    }
    const crds = this.#o.client.resource(CustomResourceDefinitions);
    for (const name of this.#o.crds ?? []) {
      await this.#retryConflict(signal, async () => {
        let crd: CustomResourceDefinition;
        try {
          crd = await crds.get(name, { signal });
        } catch (err) {
          if (_code(err) === 404) return;
          throw err;
        }
        const conv = crd.spec.conversion as
          | { strategy?: string; webhook?: { clientConfig?: Record<string, unknown> } }
          | undefined;
        if (conv?.strategy !== "Webhook" || !conv.webhook) return;
        if (conv.webhook.clientConfig?.caBundle === bundle) return;
        this.#log.info("writing the CA bundle into CRD {name}", { name });
        await crds.replace({
          ...crd,
          spec: {
            ...crd.spec,
            conversion: {
              ...conv,
              webhook: {
                ...conv.webhook,
                clientConfig: { ...conv.webhook.clientConfig, caBundle: bundle },
              },
            },
          },
        } as CustomResourceDefinition, { signal });
        this.#patches++;
      });
    }
  }

  async #retryConflict(signal: AbortSignal, fn: () => Promise<void>): Promise<void> {
    for (let attempt = 0;; attempt++) {
      signal.throwIfAborted();
      try {
        return await fn();
      } catch (err) {
        if (_code(err) === 409 && attempt < 5) continue;
        throw err;
      }
    }
  }

  /** Stops the periodic check and waits for one in flight. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#stop.abort(new Error("stopped"));
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#listeners.clear();
    this.#ready.reject(new Error("SelfManagedCertificates stopped"));
    await this.#running;
  }
}
