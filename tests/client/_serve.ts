// A tiny HTTP(S) server on 127.0.0.1:0 for client unit tests: records every request and
// answers through the test's handler.
import type { KubeConfig } from "../../client/kubeconfig.ts";

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
}

export interface TestServer extends AsyncDisposable {
  url: string;
  port: number;
  requests: Recorded[];
  config(over?: Partial<KubeConfig>): KubeConfig;
  close(): Promise<void>;
}

export function serve(
  handler: (req: Request, rec: Recorded) => Response | Promise<Response>,
  options: { tls?: { cert: string; key: string } } = {},
): TestServer {
  const requests: Recorded[] = [];
  const ac = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: ac.signal,
    onListen() {},
    ...(options.tls ?? {}),
  }, async (req) => {
    const u = new URL(req.url);
    const rec: Recorded = {
      method: req.method,
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
      body: req.body ? await req.text() : "",
    };
    requests.push(rec);
    return await handler(req, rec);
  });
  const port = (server.addr as Deno.NetAddr).port;
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  const close = async () => {
    ac.abort();
    await server.finished;
  };
  return {
    url,
    port,
    requests,
    config: (over = {}) => ({
      server: url,
      namespace: "default",
      source: "<test>",
      tls: {},
      auth: { type: "none" },
      ...over,
    }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function status(code: number, reason: string, message = reason): Response {
  return json({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    reason,
    message,
    code,
  }, code);
}

/** Waits (in real time) until `cond()` holds; fails after `ms`. */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
