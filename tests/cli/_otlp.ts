// A small OTLP/HTTP JSON receiver on 127.0.0.1 for tests: Deno exports spans to
// `POST /v1/traces` (and logs and metrics to their paths) when a process runs with
// OTEL_DENO=true, OTEL_EXPORTER_OTLP_ENDPOINT=<url> and OTEL_EXPORTER_OTLP_PROTOCOL=http/json.

/** One received span with its attributes flattened to plain values. */
export interface ReceivedSpan {
  scope: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  kind: number;
  startNs: bigint;
  status: { code: number; message?: string };
  attributes: Record<string, string | number | boolean>;
}

interface _AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}

/** The receiver: spans so far, its URL, and close(). */
export class OtlpReceiver implements AsyncDisposable {
  readonly spans: ReceivedSpan[] = [];
  /** Request paths received (`/v1/traces`, `/v1/logs`, ...). */
  readonly paths: string[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;

  constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (req) => {
        const path = new URL(req.url).pathname;
        this.paths.push(path);
        const body = await req.text();
        if (path === "/v1/traces") this.#collect(JSON.parse(body));
        return new Response("{}", { headers: { "content-type": "application/json" } });
      },
    );
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** Environment for a process that should export here. */
  env(serviceName: string): Record<string, string> {
    return {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: this.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: serviceName,
      OTEL_BSP_SCHEDULE_DELAY: "200",
    };
  }

  #collect(doc: {
    resourceSpans?: Array<{
      scopeSpans?: Array<{
        scope?: { name?: string };
        spans?: Array<{
          name: string;
          traceId: string;
          spanId: string;
          parentSpanId?: string;
          kind?: number;
          startTimeUnixNano: string;
          status?: { code?: number; message?: string };
          attributes?: Array<{ key: string; value: _AnyValue }>;
        }>;
      }>;
    }>;
  }): void {
    for (const rs of doc.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const attributes: ReceivedSpan["attributes"] = {};
          for (const a of s.attributes ?? []) {
            const v = a.value;
            attributes[a.key] = v.stringValue ??
              (v.intValue !== undefined ? Number(v.intValue) : v.doubleValue ?? v.boolValue ?? "");
          }
          this.spans.push({
            scope: ss.scope?.name ?? "",
            name: s.name,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? "",
            kind: s.kind ?? 0,
            startNs: BigInt(s.startTimeUnixNano),
            status: { code: s.status?.code ?? 0, message: s.status?.message },
            attributes,
          });
        }
      }
    }
  }

  /** The direct children of `span`, in start order. */
  children(span: ReceivedSpan): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === span.traceId && s.parentSpanId === span.spanId)
      .sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#server.shutdown();
  }
}
