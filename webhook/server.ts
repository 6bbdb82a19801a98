/**
 * The webhook server: HTTPS only, over `Deno.serve`, answering admission webhooks on their
 * paths and the conversion webhook on `/convert`. When its certificate source reports a new
 * certificate, the listener is re-bound on the same port with it (requests in flight finish
 * on the old one), so a renewed certificate needs no restart.
 *
 * @module
 */
import { _getLogger as getLogger } from "../client/_log.ts";
import type { CustomResourceConversion } from "../client/conversion.ts";
import { type AdmissionWebhook, handleAdmissionReview } from "./admission.ts";
import type { CertificateSource, ServingCertificate } from "./certificates.ts";
import { CONVERSION_PATH, handleConversionReview } from "./conversion.ts";

/**
 * Options of {@linkcode serveWebhooks}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveWebhooks, type WebhookServerOptions } from "./server.ts";
 * import { staticCertificate } from "./certificates.ts";
 * import { generateWebhookCertificate } from "./self_managed.ts";
 * import { allow, validatingWebhook } from "./admission.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * const g = await generateWebhookCertificate({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
 * const hook = validatingWebhook(ConfigMaps, { validate: () => allow() });
 * const o: WebhookServerOptions = {
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   certificate: staticCertificate(g),
 *   admission: [hook],
 *   maxBodyBytes: 64,
 * };
 * await using server = await serveWebhooks(o);
 * using http = Deno.createHttpClient({ caCerts: [g.caCert] });
 * const res = await fetch(`${server.url}${hook.path}`, { method: "POST", client: http, body: "x".repeat(100) });
 * const review = await res.json();
 * assert.equal(review.response.allowed, false);
 * assert.match(review.response.status.message, /larger than 64 bytes/);
 * ```
 */
export interface WebhookServerOptions {
  /**
   * The interface to listen on (port 9443 by default, as controller-runtime).
   * @default {"0.0.0.0"}
   */
  hostname?: string;
  /**
   * The port (0 picks a free one, kept across certificate reloads).
   * @default {9443}
   */
  port?: number;
  /** Admission webhooks, each on its `path`. */
  admission?: ReadonlyArray<AdmissionWebhook & { path?: string }>;
  /** Multi-version custom resource types served on `/convert`. */
  conversion?: ReadonlyArray<{ conversion?: CustomResourceConversion }>;
  /** The serving certificate. */
  certificate: CertificateSource;
  /**
   * Largest accepted request body in bytes (kube-apiserver objects are up to 3 MiB).
   * @default {8 MiB}
   */
  maxBodyBytes?: number;
  /** Stops the server. */
  signal?: AbortSignal;
}

/**
 * A running webhook server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveWebhooks, type WebhookServer } from "./server.ts";
 * import { staticCertificate } from "./certificates.ts";
 * import { generateWebhookCertificate } from "./self_managed.ts";
 * const g = await generateWebhookCertificate({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
 * const server: WebhookServer = await serveWebhooks({ hostname: "127.0.0.1", port: 0, certificate: staticCertificate(g) });
 * assert.equal(server.url, `https://127.0.0.1:${server.port}`);
 * assert.equal(server.reloads, 0);
 * await server.close();
 * ```
 */
export interface WebhookServer extends AsyncDisposable {
  /** `https://host:port`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** How many times the certificate was reloaded. */
  readonly reloads: number;
  /** Stops listening and waits for open requests. */
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

async function _readBody(req: Request, max: number): Promise<string> {
  const reader = req.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new BodyTooLarge(`request body larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

const _json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

/**
 * Starts the webhook server once the certificate is available; resolves when it listens.
 * Every AdmissionReview and ConversionReview gets a review back (HTTP 200), also for
 * malformed bodies; unknown paths answer 404 and other methods than POST 405.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CertificateDirectory, deny, generateWebhookCertificate, serveWebhooks, validatingWebhook } from "./mod.ts";
 * import { ConfigMaps } from "../client/builtins.ts";
 * // In a cluster the directory is a mounted Secret (e.g. /tmp/k8s-webhook-server/serving-certs).
 * const dir = await Deno.makeTempDir();
 * const g = await generateWebhookCertificate({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
 * await Deno.writeTextFile(`${dir}/tls.crt`, g.cert);
 * await Deno.writeTextFile(`${dir}/tls.key`, g.key);
 * using certificate = new CertificateDirectory(dir);
 * const hook = validatingWebhook(ConfigMaps, { validate: () => deny("read-only") });
 * await using server = await serveWebhooks({ hostname: "127.0.0.1", port: 0, certificate, admission: [hook] });
 * using http = Deno.createHttpClient({ caCerts: [g.caCert] });
 * const res = await fetch(`${server.url}${hook.path}`, {
 *   method: "POST",
 *   client: http,
 *   body: JSON.stringify({
 *     apiVersion: "admission.k8s.io/v1",
 *     kind: "AdmissionReview",
 *     request: {
 *       uid: "u1",
 *       kind: { group: "", version: "v1", kind: "ConfigMap" },
 *       resource: { group: "", version: "v1", resource: "configmaps" },
 *       operation: "CREATE",
 *       userInfo: {},
 *       object: { metadata: { name: "a" } },
 *     },
 *   }),
 * });
 * const review = await res.json();
 * assert.equal(review.response.uid, "u1");
 * assert.equal(review.response.status.message, "read-only");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function serveWebhooks(options: WebhookServerOptions): Promise<WebhookServer> {
  const log = getLogger(["operatorkit", "webhook"]);
  const hostname = options.hostname ?? "0.0.0.0";
  const max = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const routes = new Map<string, AdmissionWebhook>();
  for (const h of options.admission ?? []) {
    const path = h.path;
    if (!path) throw new TypeError(`webhook for ${h.type.plural} has no path`);
    if (routes.has(path) || path === CONVERSION_PATH) {
      throw new TypeError(`two webhooks share the path ${path}`);
    }
    routes.set(path, h);
  }
  const conversion = (options.conversion ?? []).filter((t) => t.conversion);
  const stop = new AbortController();
  const onSignal = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onSignal, { once: true });

  const handler = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname;
    const hook = routes.get(path);
    if (!hook && !(path === CONVERSION_PATH && conversion.length)) {
      return _json({ error: `no webhook at ${path}` }, 404);
    }
    if (req.method !== "POST") return _json({ error: `expected POST, found ${req.method}` }, 405);
    let body: unknown;
    try {
      body = JSON.parse(await _readBody(req, max));
    } catch (err) {
      // Undecodable: still answer a review, so the API server shows the reason.
      body = { apiVersion: "(undecodable body)", kind: String((err as Error).message) };
    }
    if (hook) {
      const review = await handleAdmissionReview(hook, body, { signal: stop.signal });
      const r = review.response!;
      log.debug("{path} {operation} {name}: allowed={allowed}", {
        path,
        operation: (body as { request?: { operation?: string } })?.request?.operation,
        name: (body as { request?: { name?: string } })?.request?.name,
        allowed: r.allowed,
      });
      return _json(review);
    }
    return _json(handleConversionReview(conversion, body));
  };

  let current: ServingCertificate = await options.certificate.load(stop.signal);
  let port = options.port ?? 9443;
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  let reloads = 0;
  const listen = (cert: ServingCertificate) => {
    const s = Deno.serve({
      hostname,
      port,
      cert: cert.cert,
      key: cert.key,
      onListen: () => {},
      onError: (err) => {
        log.error("webhook request failed: {error}", { error: String(err) });
        return _json({ error: "internal error" }, 500);
      },
    }, handler);
    port = s.addr.port;
    return s;
  };
  server = listen(current);
  const url = `https://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  log.info("serving webhooks on {url}", { url });

  // Re-binding: the old listener stops accepting first, then the new one binds the port.
  let chain = Promise.resolve();
  const unsubscribe = options.certificate.subscribe((cert) => {
    chain = chain.then(async () => {
      if (stop.signal.aborted) return;
      if (cert.cert === current.cert && cert.key === current.key) return;
      const old = server!;
      const closing = old.shutdown();
      for (let attempt = 0;; attempt++) {
        try {
          server = listen(cert);
          break;
        } catch (err) {
          if (!(err instanceof Deno.errors.AddrInUse) || attempt >= 50) {
            log.error("cannot re-bind the webhook listener: {error}", { error: String(err) });
            throw err;
          }
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      current = cert;
      reloads++;
      await closing;
      log.info("webhook certificate reloaded");
    }).catch(() => {});
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    if (closing) return closing;
    const done = Promise.withResolvers<void>();
    closing = done.promise;
    unsubscribe();
    stop.abort();
    options.signal?.removeEventListener("abort", onSignal);
    chain.then(() => server?.shutdown()).then(done.resolve, done.reject);
    return closing;
  };
  stop.signal.addEventListener("abort", () => void close(), { once: true });
  return {
    url,
    port,
    get reloads() {
      return reloads;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
