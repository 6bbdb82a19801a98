// Shared helpers for the embedded API server's integration tests: raw fetch, watch reading.
import { type ApiServer, type ApiServerOptions, startApiServer } from "../../testing/api_server.ts";

/** A decoded response. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** Sends one request and reads the whole body. */
export async function call(
  server: { url: string },
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; raw?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(server.url + path, { method, body, headers });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** A ConfigMap body. */
export function configMap(
  name: string,
  extra: { labels?: Record<string, string>; data?: Record<string, string>; finalizers?: string[] } =
    {},
): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name };
  if (extra.labels) metadata.labels = extra.labels;
  if (extra.finalizers) metadata.finalizers = extra.finalizers;
  return { apiVersion: "v1", kind: "ConfigMap", metadata, data: extra.data ?? { a: "1" } };
}

/** The ConfigMap collection path in `ns`. */
export function cmPath(ns = "default", name?: string): string {
  return `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ""}`;
}

/** Starts a server for one test and always closes it. */
export async function withServer(
  fn: (server: ApiServer) => Promise<void>,
  options: ApiServerOptions = {},
): Promise<void> {
  const server = await startApiServer(options);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/** One watch event line. */
// deno-lint-ignore no-explicit-any
export type Event = { type: string; object: any };

/** Reads a watch response line by line. */
export class WatchReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buf = "";
  #decoder = new TextDecoder();
  #done = false;
  #pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  readonly status: number;
  readonly headers: Headers;

  constructor(res: Response) {
    this.status = res.status;
    this.headers = res.headers;
    this.#reader = res.body!.getReader();
  }

  /** Opens a watch. */
  static async open(
    server: { url: string },
    path: string,
    headers?: Record<string, string>,
  ): Promise<WatchReader> {
    return new WatchReader(await fetch(server.url + path, { headers }));
  }

  /** The next event, or undefined when the stream ended; rejects after `ms`. */
  async next(ms = 3000): Promise<Event | undefined> {
    for (;;) {
      const nl = this.#buf.indexOf("\n");
      if (nl >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        return JSON.parse(line);
      }
      if (this.#done) return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no watch event within ${ms} ms`)), ms);
      });
      try {
        this.#pending ??= this.#reader.read();
        const { value, done } = await Promise.race([this.#pending, timeout]);
        this.#pending = undefined;
        if (done) this.#done = true;
        else this.#buf += this.#decoder.decode(value, { stream: true });
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** True when nothing arrives within `ms` (the stream stays open). */
  async quiet(ms: number): Promise<boolean> {
    try {
      const e = await this.next(ms);
      return e === undefined ? false : (() => {
        throw new Error(`expected silence, got ${JSON.stringify(e).slice(0, 200)}`);
      })();
    } catch (e) {
      if ((e as Error).message.startsWith("no watch event")) return true;
      throw e;
    }
  }

  /** Releases the body. */
  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/** The spec of a valid apps/v1 Deployment (selector matching its template, one container). */
export function deploymentSpec(app: string, replicas = 1): Record<string, unknown> {
  return {
    replicas,
    selector: { matchLabels: { app } },
    template: {
      metadata: { labels: { app } },
      spec: { containers: [{ name: "c", image: "nginx:1.27" }] },
    },
  };
}
