import assert from "node:assert/strict";
import { z } from "zod";
import { ResourceClient } from "./resource_client.ts";
import { Transport } from "./transport.ts";
import { ConfigMaps } from "./builtins.ts";
import { defineResource } from "./define_resource.ts";
import { ApiError, WatchIdleError, WatchLineError } from "./errors.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import type { WatchEvent } from "./types.ts";
import { serve, status, until } from "../tests/client/_serve.ts";

const cm = (name: string, rv: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default", resourceVersion: rv },
  data: { k: name },
});

/** A streaming response the test writes to; `cancelled` turns true when the client lets go. */
function stream() {
  const enc = new TextEncoder();
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const s = {
    cancelled: false,
    closed: false,
    body: new ReadableStream<Uint8Array>({
      start: (c) => void (ctrl = c),
      cancel: () => void (s.cancelled = true),
    }),
    write: (text: string) => ctrl.enqueue(enc.encode(text)),
    close: () => {
      s.closed = true;
      ctrl.close();
    },
  };
  return s;
}

/**
 * A fetch whose response bodies count the bytes the client has read. The body is pulled one
 * chunk per read, so when `bytes` grows the client's read already got that chunk, and its
 * continuation runs before any timer (such as a polling `until`) fires.
 */
function countingFetch() {
  const c = {
    bytes: 0,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await fetch(input, init);
      if (!res.body) return res;
      const reader = res.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          const r = await reader.read();
          if (r.done) ctrl.close();
          else {
            c.bytes += r.value.byteLength;
            ctrl.enqueue(r.value);
          }
        },
        cancel: (reason) => reader.cancel(reason),
      }, { highWaterMark: 0 });
      return new Response(body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    }) as typeof fetch,
  };
  return c;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

Deno.test("watch: events split across chunks are parsed once each, with the query", async () => {
  const lines = [
    JSON.stringify({ type: "ADDED", object: cm("a", "1") }),
    JSON.stringify({ type: "MODIFIED", object: cm("a", "2") }),
    JSON.stringify({
      type: "BOOKMARK",
      object: { kind: "ConfigMap", metadata: { resourceVersion: "3" } },
    }),
    JSON.stringify({ type: "DELETED", object: cm("a", "4") }),
  ].join("\n") + "\n";
  await using srv = serve(() => {
    // Odd chunk boundaries (7 bytes), including one inside a multi-byte character.
    const bytes = new TextEncoder().encode(lines.replace('"k":"a"', '"k":"é"'));
    let i = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          if (i >= bytes.length) return c.close();
          c.enqueue(bytes.slice(i, i + 7));
          i += 7;
        },
      }),
    );
  });
  using t = new Transport(srv.config());
  const rc = new ResourceClient(t, ConfigMaps);
  const evs = await collect(rc.watch({
    namespace: "default",
    resourceVersion: "0",
    allowWatchBookmarks: true,
    timeoutSeconds: 30,
    labelSelector: "app=web",
  }));
  assert.deepEqual(evs.map((e) => e.type), ["ADDED", "MODIFIED", "BOOKMARK", "DELETED"]);
  const first = evs[0];
  assert.equal(first.type === "ADDED" && first.object.data?.k, "é");
  const q = srv.requests[0].query;
  assert.equal(srv.requests[0].path, "/api/v1/namespaces/default/configmaps");
  assert.equal(q.get("watch"), "1");
  assert.equal(q.get("resourceVersion"), "0");
  assert.equal(q.get("allowWatchBookmarks"), "true");
  assert.equal(q.get("timeoutSeconds"), "30");
  assert.equal(q.get("labelSelector"), "app=web");
});

Deno.test("watch: 410 as an HTTP answer and as an ERROR event is the same typed error", async () => {
  await using srv = serve((_req, rec) => {
    if (rec.query.get("resourceVersion") === "1") return status(410, "Expired", "too old");
    return new Response(
      JSON.stringify({ type: "ADDED", object: cm("a", "5") }) + "\n" +
        JSON.stringify({
          type: "ERROR",
          object: {
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Failure",
            reason: "Expired",
            code: 410,
            message: "too old resource version: 2 (5)",
          },
        }) + "\n",
    );
  });
  using t = new Transport(srv.config());
  const rc = new ResourceClient(t, ConfigMaps);
  for (const rv of ["1", "2"]) {
    const seen: WatchEvent[] = [];
    await assert.rejects(async () => {
      for await (const e of rc.watch({ resourceVersion: rv })) seen.push(e);
    }, (e: Error) => e instanceof ApiError && e.isGone() && e.code === 410);
    assert.equal(seen.length, rv === "2" ? 1 : 0);
  }
});

Deno.test("watch: a malformed line ends the stream with WatchLineError carrying the line", async () => {
  await using srv = serve(() =>
    new Response(
      JSON.stringify({ type: "ADDED", object: cm("a", "1") }) + '\n{"type":"MODIF' +
        "x".repeat(400) + "\n",
    )
  );
  using t = new Transport(srv.config());
  const rc = new ResourceClient(t, ConfigMaps);
  const seen: WatchEvent[] = [];
  await assert.rejects(async () => {
    for await (const e of rc.watch()) seen.push(e);
  }, (e: Error) => {
    assert.ok(e instanceof WatchLineError);
    assert.ok(e.line.startsWith('{"type":"MODIF'));
    assert.ok(e.line.length < 260);
    return true;
  });
  assert.equal(seen.length, 1);
  // A stream cut in the middle of the last line, and an unknown event type.
  await using cut = serve((_r, rec) =>
    new Response(
      rec.query.get("resourceVersion") === "9"
        ? '{"type":"WHAT","object":{}}\n'
        : '{"type":"ADDED","obj',
    )
  );
  using t2 = new Transport(cut.config());
  const rc2 = new ResourceClient(t2, ConfigMaps);
  await assert.rejects(() => collect(rc2.watch()), /truncated last line/);
  await assert.rejects(
    () => collect(rc2.watch({ resourceVersion: "9" })),
    /unknown event type "WHAT"/,
  );
});

Deno.test("watch: a silent stream ends with WatchIdleError on the injected clock, body released", async () => {
  const s = stream();
  await using srv = serve(() => {
    s.write(JSON.stringify({ type: "ADDED", object: cm("a", "1") }) + "\n");
    return new Response(s.body);
  });
  const clock = new FakeClock(0);
  const counted = countingFetch();
  using t = new Transport(srv.config(), { clock, fetch: counted.fetch });
  const rc = new ResourceClient(t, ConfigMaps);
  const seen: WatchEvent[] = [];
  const done = (async () => {
    for await (const e of rc.watch({ timeoutSeconds: 60 })) seen.push(e);
  })();
  await until(() => seen.length === 1);
  await clock.tickAsync(89_999); // 60 s + 30 s margin
  assert.equal(s.cancelled, false);
  const received = counted.bytes;
  s.write("\n"); // any byte counts as life
  // The watch has read the byte (at fake time 89,999) before the clock moves on.
  await until(() => counted.bytes > received);
  await clock.tickAsync(89_999);
  assert.equal(s.cancelled, false);
  await clock.tickAsync(1000);
  await assert.rejects(done, (e: Error) => e instanceof WatchIdleError && e.idleMs === 90_000);
  await until(() => s.cancelled);
  assert.equal(clock.pending, 0);
});

Deno.test("watch: a slow consumer is not silence", async () => {
  const s = stream();
  await using srv = serve(() => {
    s.write(JSON.stringify({ type: "ADDED", object: cm("a", "1") }) + "\n");
    return new Response(s.body);
  });
  const clock = new FakeClock(0);
  using t = new Transport(srv.config(), { clock });
  const it = new ResourceClient(t, ConfigMaps).watch({ idleTimeoutMs: 1000 });
  assert.equal((await it.next()).value?.type, "ADDED");
  await clock.tickAsync(5000); // the consumer holds the event for 5 s
  s.write(JSON.stringify({ type: "ADDED", object: cm("b", "2") }) + "\n");
  assert.equal((await it.next()).value?.type, "ADDED");
  await it.return(); // break: releases the body
  await until(() => s.cancelled);
  assert.equal(clock.pending, 0);
});

Deno.test("watch: aborting the signal cancels the request and releases the body", async () => {
  const s = stream();
  await using srv = serve(() => new Response(s.body));
  using t = new Transport(srv.config());
  const ac = new AbortController();
  const rc = new ResourceClient(t, ConfigMaps);
  const done = collect(rc.watch({ signal: ac.signal }));
  await until(() => srv.requests.length === 1);
  s.write(JSON.stringify({ type: "ADDED", object: cm("a", "1") }) + "\n");
  await new Promise((r) => setTimeout(r, 10));
  ac.abort(new Error("shutting down"));
  await assert.rejects(done, /shutting down/);
  await until(() => s.cancelled);
  // Already aborted: throws before any request.
  await assert.rejects(() => collect(rc.watch({ signal: ac.signal })), /shutting down/);
  assert.equal(srv.requests.length, 1);
});

Deno.test("watch: objects failing the schema arrive as INVALID and the stream goes on", async () => {
  const Strict = defineResource({
    apiVersion: "v1",
    kind: "ConfigMap",
    plural: "configmaps",
    schema: z.object({
      metadata: z.object({ name: z.string(), namespace: z.string().optional() }).passthrough(),
      data: z.object({ k: z.literal("good") }),
    }).passthrough(),
  });
  const good = { ...cm("g", "1"), data: { k: "good" } };
  await using srv = serve(() =>
    new Response(
      [
        { type: "ADDED", object: cm("bad", "1") },
        { type: "MODIFIED", object: good },
      ].map((e) => JSON.stringify(e)).join("\n") + "\n",
    )
  );
  using t = new Transport(srv.config());
  const evs = await collect(new ResourceClient(t, Strict).watch());
  assert.equal(evs.length, 2);
  const bad = evs[0];
  assert.equal(bad.type, "INVALID");
  if (bad.type === "INVALID") {
    assert.equal(bad.eventType, "ADDED");
    assert.equal(bad.error.key, "default/bad");
    assert.equal(bad.error.resourceVersion, "1");
    assert.deepEqual(bad.error.issues[0].path, ["data", "k"]);
  }
  assert.equal(evs[1].type, "MODIFIED");
});

Deno.test("watch: events still buffered are not handed out after an abort", async () => {
  const lines = ["a", "b", "c"].map((n, i) =>
    JSON.stringify({ type: "ADDED", object: cm(n, `${i}`) })
  );
  const s = stream();
  await using srv = serve(() => {
    s.write(lines.join("\n") + "\n"); // one chunk with three events
    return new Response(s.body);
  });
  using t = new Transport(srv.config());
  const ac = new AbortController();
  const it = new ResourceClient(t, ConfigMaps).watch({ signal: ac.signal });
  const first = await it.next();
  assert.equal(first.done, false);
  ac.abort(new Error("stop"));
  await assert.rejects(() => it.next(), /stop/);
  assert.deepEqual(await it.next(), { value: undefined, done: true });
  await until(() => s.cancelled);
});
