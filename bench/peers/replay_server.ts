// The replay server: serves the same pre-encoded LIST pages and watch events to every peer,
// in JSON or (for client-go's protobuf path) Kubernetes protobuf, so peers are compared on
// their own work and not on a server's. It answers only what the benchmark's informers ask:
//
//   GET /api/v1/namespaces/<ns>/configmaps?limit=&continue=          one LIST page
//   GET ...?watch=1&resourceVersion=<rv>                            events after rv, then quiet
//   GET ...?watch=1&sendInitialEvents=true&resourceVersionMatch=... streaming list: ADDED for
//        every object, a BOOKMARK with k8s.io/initial-events-end, then the events
//
// Watch events are held back until `release()`: the harness releases them when the peer says
// it has synced, so a client that reads ahead (a streaming list is one response) does not
// decode events during its sync. A watch stays open after its last event until the client
// goes or its timeoutSeconds end. Request counts are kept so the harness can report how each
// peer listed.
import { type Fixtures, NAMESPACE } from "./fixtures.ts";

const enc = new TextEncoder();
const PROTO = "application/vnd.kubernetes.protobuf";
const CHUNK = 64 * 1024;

/** Protobuf forms of the fixtures (raw ConfigMap messages, from the client-go tool). */
export interface ProtoFixtures {
  objects: Uint8Array[];
  events: Uint8Array[];
  /** The initial-events-end bookmark's object. */
  bookmark: Uint8Array;
}

/** What the server was asked since the last `resetStats()`. */
export interface ReplayStats {
  listPages: number;
  watches: number;
  streamingLists: number;
  protobuf: number;
}

/** A running replay server. */
export interface ReplayServer extends AsyncDisposable {
  url: string;
  stats(): ReplayStats;
  /** Clears the counts and holds watch events back again (before each peer). */
  reset(): void;
  /** Lets watch events flow (when the peer has synced). */
  release(): void;
}

// ---- protobuf writing (only what the envelopes need) ----
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
function field(num: number, bytes: Uint8Array): Uint8Array {
  return concat([new Uint8Array([...varint((num << 3) | 2), ...varint(bytes.length)]), bytes]);
}
function str(num: number, s: string): Uint8Array {
  return field(num, enc.encode(s));
}
/** "k8s\0" + runtime.Unknown{typeMeta, raw}: what the API server sends for one object. */
function envelope(kind: string, raw: Uint8Array): Uint8Array<ArrayBuffer> {
  const typeMeta = concat([str(1, "v1"), str(2, kind)]);
  return concat([
    new Uint8Array([0x6b, 0x38, 0x73, 0]),
    field(1, typeMeta),
    field(2, raw),
    str(3, ""),
    str(4, ""),
  ]);
}
/** One protobuf watch frame: a 4-byte length, then metav1.WatchEvent{type, object{raw}}. */
function protoFrame(type: string, object: Uint8Array): Uint8Array {
  const ev = concat([str(1, type), field(2, field(1, envelope("ConfigMap", object)))]);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, ev.length);
  return concat([len, ev]);
}

/** A sequence of encoded events with the byte offset of each. */
interface EventBytes {
  bytes: Uint8Array<ArrayBuffer>;
  offsets: number[];
}
function eventBytes(parts: Uint8Array[]): EventBytes {
  const offsets: number[] = [];
  let at = 0;
  for (const p of parts) {
    offsets.push(at);
    at += p.length;
  }
  offsets.push(at);
  return { bytes: concat(parts), offsets };
}

/** Starts the replay server on 127.0.0.1 (port 0). */
export function startReplayServer(
  fx: Fixtures,
  options: { proto?: ProtoFixtures } = {},
): ReplayServer {
  const path = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
  const rv = String(fx.listRv);
  const itemJson = fx.objects.map((o) => JSON.stringify(o));
  const jsonLine = (type: string, o: unknown) =>
    enc.encode(`{"type":"${type}","object":${typeof o === "string" ? o : JSON.stringify(o)}}\n`);
  const bookmark = {
    kind: "ConfigMap",
    apiVersion: "v1",
    metadata: { resourceVersion: rv, annotations: { "k8s.io/initial-events-end": "true" } },
  };
  const json = {
    events: eventBytes(fx.events.map((o) => jsonLine("MODIFIED", o))),
    initial: eventBytes([
      ...itemJson.map((s) => jsonLine("ADDED", s)),
      jsonLine("BOOKMARK", bookmark),
    ]),
  };
  const proto = options.proto && {
    events: eventBytes(options.proto.events.map((b) => protoFrame("MODIFIED", b))),
    initial: eventBytes([
      ...options.proto.objects.map((b) => protoFrame("ADDED", b)),
      protoFrame("BOOKMARK", options.proto.bookmark),
    ]),
  };
  const pages = new Map<string, Uint8Array<ArrayBuffer>>();
  let stats: ReplayStats = { listPages: 0, watches: 0, streamingLists: 0, protobuf: 0 };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let gate = Promise.withResolvers<void>();

  function listPage(offset: number, limit: number, pb: boolean): Uint8Array<ArrayBuffer> {
    const id = `${offset}/${limit}/${pb}`;
    const cached = pages.get(id);
    if (cached) return cached;
    const end = Math.min(fx.objects.length, offset + limit);
    const cont = end < fx.objects.length ? String(end) : "";
    const remaining = fx.objects.length - end;
    let body: Uint8Array<ArrayBuffer>;
    if (pb) {
      const meta = concat([
        str(2, rv),
        ...(cont ? [str(3, cont), new Uint8Array([0x20, ...varint(remaining)])] : []),
      ]);
      const items = options.proto!.objects.slice(offset, end).map((b) => field(2, b));
      body = envelope("ConfigMapList", concat([field(1, meta), ...items]));
    } else {
      const meta = cont
        ? `{"resourceVersion":"${rv}","continue":"${cont}","remainingItemCount":${remaining}}`
        : `{"resourceVersion":"${rv}"}`;
      body = enc.encode(
        `{"kind":"ConfigMapList","apiVersion":"v1","metadata":${meta},"items":[${
          itemJson.slice(offset, end).join(",")
        }]}`,
      );
    }
    pages.set(id, body);
    return body;
  }

  /**
   * Streams each buffer from its offset, in order, then stays open; a segment marked `gated`
   * waits for `release()`.
   */
  function stream(
    segments: Array<[Uint8Array<ArrayBuffer>, number, "gated"?]>,
    timeoutSeconds: number,
  ): ReadableStream<Uint8Array> {
    let seg = 0;
    let at = segments[0][1];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const released = gate.promise;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        while (seg < segments.length) {
          const bytes = segments[seg][0];
          if (segments[seg][2]) await released;
          if (at < bytes.length) {
            const end = Math.min(bytes.length, at + CHUNK);
            controller.enqueue(bytes.subarray(at, end));
            at = end;
            return;
          }
          seg++;
          at = seg < segments.length ? segments[seg][1] : 0;
        }
        // All sent: stay quiet until the watch's timeout, as a server with no news does.
        return new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            controller.close();
            resolve();
          }, timeoutSeconds * 1000);
          timer = t;
          timers.add(t);
        });
      },
      cancel() {
        if (timer !== undefined) {
          clearTimeout(timer);
          timers.delete(timer);
        }
      },
    }, { highWaterMark: 0 });
  }

  function status(code: number, message: string): Response {
    return Response.json({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason: code === 404 ? "NotFound" : "BadRequest",
      code,
    }, { status: code });
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    if (req.method !== "GET" || url.pathname !== path) {
      return status(
        404,
        `the replay server serves only GET ${path}, not ${req.method} ${url.pathname}`,
      );
    }
    const q = url.searchParams;
    const pb = (req.headers.get("accept") ?? "").startsWith(PROTO);
    if (pb && !proto) return status(406, "protobuf fixtures were not generated");
    if (pb) stats.protobuf++;
    const type = pb ? `${PROTO};stream=watch` : "application/json";
    if (q.get("watch") === "1" || q.get("watch") === "true") {
      const timeout = Number(q.get("timeoutSeconds") ?? "1800") || 1800;
      const forms = pb ? proto! : json;
      if (q.get("sendInitialEvents") === "true") {
        stats.streamingLists++;
        return new Response(
          stream([[forms.initial.bytes, 0], [forms.events.bytes, 0, "gated"]], timeout),
          {
            headers: { "content-type": type },
          },
        );
      }
      stats.watches++;
      const since = Number(q.get("resourceVersion") || "0");
      // Event j has resourceVersion listRv + 1 + j.
      const from = Math.max(0, Math.min(fx.events.length, since - fx.listRv));
      return new Response(
        stream([[forms.events.bytes, forms.events.offsets[from], "gated"]], timeout),
        {
          headers: { "content-type": type },
        },
      );
    }
    stats.listPages++;
    const limit = Number(q.get("limit") || "0") || fx.objects.length;
    const offset = Number(q.get("continue") || "0");
    return new Response(listPage(offset, limit, pb), {
      headers: { "content-type": pb ? PROTO : "application/json" },
    });
  });
  const addr = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    stats: () => ({ ...stats }),
    reset: () => {
      stats = { listPages: 0, watches: 0, streamingLists: 0, protobuf: 0 };
      gate.resolve(); // streams of an earlier peer are not left waiting
      gate = Promise.withResolvers<void>();
    },
    release: () => gate.resolve(),
    async [Symbol.asyncDispose]() {
      gate.resolve();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await server.shutdown();
    },
  };
}
