/**
 * The webhook server: HTTPS only, over `Deno.serve`, answering admission webhooks on their
 * paths and the conversion webhook on `/convert`. When its certificate source reports a new
 * certificate, the listener is re-bound on the same port with it (requests in flight finish
 * on the old one), so a renewed certificate needs no restart.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { CustomResourceConversion } from "../client/conversion.ts";
import { type AdmissionWebhook, handleAdmissionReview } from "./admission.ts";
import type { CertificateSource, ServingCertificate } from "./certificates.ts";
import { CONVERSION_PATH, handleConversionReview } from "./conversion.ts";

/**
 * Options of {@linkcode serveWebhooks}.
 *
 * @example
 * ```ts
 * import type { WebhookServerOptions } from "./server.ts";
 * import { staticCertificate } from "./certificates.ts";
 * const o: WebhookServerOptions = { certificate: staticCertificate({ cert: "", key: "" }), admission: [] };
 * ```
 */
export interface WebhookServerOptions {
  /** Where to listen (default `0.0.0.0:9443`, as controller-runtime). */
  hostname?: string;
  /** The port (default 9443; 0 picks a free one, kept across certificate reloads). */
  port?: number;
  /** Admission webhooks, each on its `path`. */
  admission?: ReadonlyArray<AdmissionWebhook & { path?: string }>;
  /** Multi-version custom resource types served on `/convert`. */
  conversion?: ReadonlyArray<{ conversion?: CustomResourceConversion }>;
  /** The serving certificate. */
  certificate: CertificateSource;
  /** Largest accepted request body (default 8 MiB; kube-apiserver objects are up to 3 MiB). */
  maxBodyBytes?: number;
  /** Stops the server. */
  signal?: AbortSignal;
}

/**
 * A running webhook server.
 *
 * @example
 * ```ts ignore
 * await using server = await serveWebhooks({ certificate, admission: [hook] });
 * console.log(server.url);
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
 * ```ts ignore
 * import { serveWebhooks, validatingWebhook, deny, CertificateDirectory } from "./mod.ts";
 * await using server = await serveWebhooks({
 *   certificate: new CertificateDirectory("/tmp/k8s-webhook-server/serving-certs"),
 *   admission: [validatingWebhook(ConfigMaps, { validate: () => deny("read-only") })],
 * });
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
