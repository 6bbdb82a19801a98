/**
 * A server the fidelity suite talks to, with raw fetch: one request answered as
 * {@linkcode Exchange}, or a watch read line by line until enough events arrived.
 */

/** A request as the scenarios write it. */
export interface RequestSpec {
  readonly method?: string;
  /** Path with query, e.g. `/api/v1/namespaces/x/configmaps?limit=2`. */
  readonly path: string;
  /** A JSON value (sent as JSON) or a string (sent as is). */
  readonly body?: unknown;
  /** Default `application/json` when there is a body. */
  readonly contentType?: string;
  readonly accept?: string;
}

/** What came back, before normalisation. */
export interface Exchange {
  readonly status: number;
  /** The response Content-Type without spaces, or null. */
  readonly contentType: string | null;
  /** Parsed JSON, or the text when the body is not JSON. */
  readonly body: unknown;
}

/** A watch request and when to stop reading it. */
export interface WatchSpec {
  /** Path with query, including `watch=1`. */
  readonly path: string;
  /** Stop after this many events. */
  readonly events: number;
  /** Stop after this long even if fewer events came (default 5000 ms). */
  readonly timeoutMs?: number;
}

/** The result of a watch: the HTTP status and the events (or the error body). */
export interface WatchResult {
  readonly status: number;
  readonly contentType: string | null;
  readonly events: unknown[];
  /** True when the server ended the stream before the expected number of events. */
  readonly ended: boolean;
  /** True when the client stopped waiting before the expected number of events. */
  readonly timedOut: boolean;
  /** The body when the status is not 200. */
  readonly body?: unknown;
}

/** One server under test. */
export interface Target extends AsyncDisposable {
  readonly name: string;
  request(spec: RequestSpec, signal?: AbortSignal): Promise<Exchange>;
  watch(spec: WatchSpec, signal?: AbortSignal): Promise<WatchResult>;
}

/** How to reach a server: base URL, optional CA, optional bearer token. */
export interface Endpoint {
  readonly name: string;
  readonly url: string;
  readonly caPem?: string;
  readonly token?: string;
  /** Stops the server behind the endpoint, if this process started it. */
  readonly close?: () => Promise<void>;
}

const _userAgent = "fidelity/1.0 (operatorkit)";

function _parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Makes a {@linkcode Target} that talks to an {@linkcode Endpoint} with fetch. */
export function httpTarget(endpoint: Endpoint): Target {
  const client = endpoint.caPem ? Deno.createHttpClient({ caCerts: [endpoint.caPem] }) : undefined;
  const headers = (spec: { contentType?: string; accept?: string }, hasBody: boolean) => {
    const result: Record<string, string> = { "user-agent": _userAgent };
    if (endpoint.token) result.authorization = `Bearer ${endpoint.token}`;
    if (hasBody) result["content-type"] = spec.contentType ?? "application/json";
    if (spec.accept) result.accept = spec.accept;
    return result;
  };
  const base = endpoint.url.replace(/\/$/, "");
  return {
    name: endpoint.name,
    async request(spec, signal) {
      const hasBody = spec.body !== undefined;
      const response = await fetch(base + spec.path, {
        method: spec.method ?? "GET",
        client,
        headers: headers(spec, hasBody),
        body: hasBody
          ? (typeof spec.body === "string" ? spec.body : JSON.stringify(spec.body))
          : undefined,
        signal: signal ?? AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      return {
        status: response.status,
        contentType: response.headers.get("content-type")?.replaceAll(" ", "") ?? null,
        body: _parse(text),
      };
    },
    async watch(spec, signal) {
      const stop = new AbortController();
      const timeoutMs = spec.timeoutMs ?? 5_000;
      const timer = setTimeout(() => stop.abort(), timeoutMs);
      const onAbort = () => stop.abort();
      signal?.addEventListener("abort", onAbort, { once: true });
      const events: unknown[] = [];
      let ended = false;
      try {
        const response = await fetch(base + spec.path, {
          client,
          headers: headers({}, false),
          signal: stop.signal,
        });
        const contentType = response.headers.get("content-type")?.replaceAll(" ", "") ?? null;
        if (response.status !== 200 || !response.body) {
          return {
            status: response.status,
            contentType,
            events,
            ended: true,
            timedOut: false,
            body: _parse(await response.text()),
          };
        }
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        try {
          while (events.length < spec.events) {
            const { value, done } = await reader.read();
            if (done) {
              ended = true;
              break;
            }
            buffer += value;
            let newline: number;
            while ((newline = buffer.indexOf("\n")) >= 0 && events.length < spec.events) {
              const line = buffer.slice(0, newline).trim();
              buffer = buffer.slice(newline + 1);
              if (line) events.push(_parse(line));
            }
          }
        } catch (error) {
          if (!stop.signal.aborted) throw error;
        } finally {
          await reader.cancel().catch(() => {});
        }
        return {
          status: response.status,
          contentType,
          events,
          ended,
          timedOut: stop.signal.aborted && events.length < spec.events && !ended,
        };
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      }
    },
    async [Symbol.asyncDispose]() {
      client?.close();
      await endpoint.close?.();
    },
  };
}
