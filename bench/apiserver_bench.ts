// Embedded API server benchmarks: LIST of 10k ConfigMaps (one page, and pages of 500), and
// watch fan-out of 10k events to 10 watchers (replayed from history, and live).
//
// Run: deno bench -A bench/apiserver_bench.ts
// Events/s for fan-out = 100,000 delivered events / the reported time per iteration.
import { startApiServer } from "../testing/api_server.ts";

const N = 10_000;
const WATCHERS = 10;

const server = await startApiServer({ history: 4 * N });
const base = `${server.url}/api/v1/namespaces/default/configmaps`;
const startRv = await rv();

async function rv(): Promise<string> {
  const r = await fetch(`${base}?limit=1`);
  return (await r.json()).metadata.resourceVersion;
}

async function post(i: number): Promise<void> {
  const r = await fetch(base, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      metadata: {
        name: `cm-${String(i).padStart(5, "0")}`,
        labels: { app: "bench", shard: String(i % 10) },
      },
      data: { key: `value-${i}`, other: "x".repeat(64) },
    }),
  });
  await r.body?.cancel();
  if (r.status !== 201) throw new Error(`expected 201 creating cm-${i}, found ${r.status}`);
}

async function populate(from: number, count: number): Promise<void> {
  let next = from;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < from + count) await post(next++);
  }));
}

await populate(0, N);

/** Reads `count` newline-terminated lines from a watch body. */
async function readLines(body: ReadableStream<Uint8Array>, count: number): Promise<void> {
  const reader = body.getReader();
  let seen = 0;
  while (seen < count) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`watch ended after ${seen} of ${count} events`);
    for (let i = 0; i < value.length; i++) if (value[i] === 10) seen++;
  }
  await reader.cancel();
}

Deno.bench({
  name: `apiserver: LIST ${N} ConfigMaps, one page`,
  group: "list",
  baseline: true,
  async fn() {
    const r = await fetch(base);
    const body = await r.json();
    if (body.items.length !== N) throw new Error(`expected ${N} items, found ${body.items.length}`);
  },
});

Deno.bench({
  name: `apiserver: LIST ${N} ConfigMaps in pages of 500`,
  group: "list",
  async fn() {
    let cont = "";
    let total = 0;
    do {
      const r = await fetch(
        `${base}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`,
      );
      const body = await r.json();
      total += body.items.length;
      cont = body.metadata.continue ?? "";
    } while (cont);
    if (total !== N) throw new Error(`expected ${N} items, found ${total}`);
  },
});

Deno.bench({
  name: `apiserver: LIST ${N} ConfigMaps with labelSelector (1/10 match)`,
  group: "list",
  async fn() {
    const r = await fetch(`${base}?labelSelector=shard%3D3`);
    const body = await r.json();
    if (body.items.length !== N / 10) throw new Error(`expected ${N / 10} items`);
  },
});

Deno.bench({
  name: `apiserver: watch fan-out, ${N} events from history to ${WATCHERS} watchers`,
  group: "watch",
  baseline: true,
  n: 10,
  warmup: 2,
  async fn() {
    const responses = await Promise.all(
      Array.from({ length: WATCHERS }, () => fetch(`${base}?watch=1&resourceVersion=${startRv}`)),
    );
    await Promise.all(responses.map((r) => readLines(r.body!, N)));
  },
});

let round = 0;
Deno.bench({
  name: `apiserver: watch fan-out, ${N} live updates to ${WATCHERS} watchers`,
  group: "watch",
  n: 3,
  warmup: 1,
  async fn(b) {
    const now = await rv();
    const responses = await Promise.all(
      Array.from({ length: WATCHERS }, () => fetch(`${base}?watch=1&resourceVersion=${now}`)),
    );
    const reading = Promise.all(responses.map((r) => readLines(r.body!, N)));
    round++;
    b.start();
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < N) {
        const i = next++;
        const r = await fetch(`${base}/cm-${String(i).padStart(5, "0")}`, {
          method: "PATCH",
          headers: { "content-type": "application/merge-patch+json" },
          body: JSON.stringify({ data: { round: String(round) } }),
        });
        await r.body?.cancel();
      }
    }));
    await reading;
    b.end();
  },
});

Deno.bench({
  name: "apiserver: close (cleanup, not a measurement)",
  group: "zz-cleanup",
  n: 1,
  warmup: 0,
  async fn() {
    await server.close();
  },
});
