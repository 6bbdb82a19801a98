// A counting HTTP proxy between the operator and the API server: it forwards every request
// (watches stream through) and records method, path, the object name of a create, and the
// status the server answered (502 when the server could not be reached or the connection
// broke). The chaos invariants count creates and deletes from this log. Against a real
// kube-apiserver it speaks TLS upstream with the admin client certificate; the operator talks
// plain HTTP to it on 127.0.0.1.

/** One forwarded request. */
export interface ProxyRecord {
  method: string;
  path: string;
  /** For a POST: `metadata.name` of the body. */
  name?: string;
  /** The server's status, or 502 when there was none. */
  status: number;
}

export interface ProxyOptions {
  upstream: string;
  client?: Deno.HttpClient;
}

const _HOP = ["host", "connection", "keep-alive", "transfer-encoding", "accept-encoding"];

export class CountingProxy implements AsyncDisposable {
  readonly log: ProxyRecord[] = [];
  readonly url: string;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #ac = new AbortController();

  constructor(readonly options: ProxyOptions) {
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: this.#ac.signal,
      onListen: () => {},
    }, (req) => this.#forward(req));
    this.url = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  async #forward(req: Request): Promise<Response> {
    const u = new URL(req.url);
    const headers = new Headers(req.headers);
    for (const h of _HOP) headers.delete(h);
    const body = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined;
    const rec: ProxyRecord = { method: req.method, path: u.pathname, status: 502 };
    if (req.method === "POST" && body) {
      try {
        const name = JSON.parse(new TextDecoder().decode(body))?.metadata?.name;
        if (typeof name === "string") rec.name = name;
      } catch { /* not JSON: not counted by name */ }
    }
    this.log.push(rec);
    try {
      const res = await fetch(`${this.options.upstream}${u.pathname}${u.search}`, {
        method: req.method,
        headers,
        ...(body && body.length ? { body } : {}),
        // No request.signal: a client that goes away cancels the response body, which
        // closes the upstream connection (watches included).
        redirect: "manual",
        ...(this.options.client ? { client: this.options.client } : {}),
      });
      rec.status = res.status;
      const out = new Headers(res.headers);
      out.delete("content-encoding");
      out.delete("content-length");
      out.delete("transfer-encoding");
      return new Response(res.body, { status: res.status, headers: out });
    } catch (err) {
      rec.status = 502;
      return new Response(
        JSON.stringify({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          code: 502,
          reason: "BadGateway",
          message: `proxy: ${err instanceof Error ? err.message : String(err)}`,
        }),
        { status: 502, headers: { "content-type": "application/json" } },
      );
    }
  }

  /** A kubeconfig (YAML is a superset of JSON) pointing at the proxy, without credentials. */
  kubeconfig(namespace = "default"): string {
    return JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "proxy", cluster: { server: this.url } }],
      users: [{ name: "proxy", user: {} }],
      contexts: [{ name: "proxy", context: { cluster: "proxy", user: "proxy", namespace } }],
      "current-context": "proxy",
    });
  }

  async close(): Promise<void> {
    this.#ac.abort();
    await this.#server.finished;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
