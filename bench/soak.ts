// Soak benchmark (not a test): the Website operator as a subprocess against the embedded API
// server, 1,000 Websites (4,000 objects with their children), a steady 20 Website updates per
// second (each one reconciled into its ConfigMap), every watch dropped once a minute; the
// operator's RSS (/proc/<pid>/status) and V8 heap (its /metrics) sampled every 30 s. At the end
// it prints the samples and the least-squares slope of each after the warm-up, and writes them
// as JSON.
//
//   deno task soak [--minutes 30] [--rate 20] [--objects 1000] [--warmup 5] [--out FILE]
//
// Takes `--minutes` of wall time. The goal is no growth after warm-up, within noise.
import { KubeClient } from "../client/kube_client.ts";
import { ConfigMaps } from "../client/builtins.ts";
import { Website } from "../examples/website/website.ts";
import { startApiServer } from "../testing/api_server.ts";

function _num(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(Deno.args[i + 1]);
  if (!(n > 0)) {
    console.error(`soak: --${name} expects a positive number, found ${Deno.args[i + 1]}`);
    Deno.exit(2);
  }
  return n;
}
const outIdx = Deno.args.indexOf("--out");
const out = outIdx >= 0 ? Deno.args[outIdx + 1] : "soak-result.json";
const minutes = _num("minutes", 30);
const rate = _num("rate", 20);
const objects = _num("objects", 1000);
const warmupMin = _num("warmup", 5);
const sampleMs = _num("sample", 30) * 1000;
const dropMs = _num("drop", 60) * 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function _freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function _rssBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const m = status.match(/^VmRSS:\s+(\d+) kB/m);
  if (!m) throw new Error(`expected VmRSS in /proc/${pid}/status, found none`);
  return Number(m[1]) * 1024;
}

async function _heapBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("operatorkit_heap_used_bytes "));
  if (!line) throw new Error("expected operatorkit_heap_used_bytes in /metrics, found none");
  return Number(line.split(" ")[1]);
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return num / den;
}

if (import.meta.main) {
  await using server = await startApiServer({ history: 100_000 });
  const dir = await Deno.makeTempDir({ prefix: "okt-soak-" });
  const kubeconfig = `${dir}/kubeconfig`;
  await server.writeKubeconfig(kubeconfig);
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig }, { qps: 0 });
  const port = _freePort();
  const probe = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "examples/website/main.ts",
      "--kubeconfig",
      kubeconfig,
      "--namespace",
      "default",
      "--log-format",
      "json",
      "--log-level",
      "warning",
      "--metrics-bind-address",
      `127.0.0.1:${port}`,
      "--health-probe-bind-address",
      `127.0.0.1:${port}`,
    ],
    cwd: new URL("../", import.meta.url).pathname,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const websites = client.resource(Website);
    // The operator installs the CRD; wait until Websites are served.
    for (;;) {
      try {
        await websites.list({ namespace: "default", limit: 1 });
        break;
      } catch {
        await sleep(200);
      }
    }
    const t0 = performance.now();
    for (let i = 0; i < objects; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, objects - i) }, (_, j) =>
          websites.create({
            apiVersion: Website.apiVersion,
            kind: Website.kind,
            metadata: { name: `s${i + j}`, namespace: "default" },
            spec: { html: `<h1>s${i + j} v0</h1>`, replicas: 1 },
          } as never)),
      );
    }
    for (;;) {
      const cms = await client.resource(ConfigMaps).list({ namespace: "default" });
      if (cms.items.length >= objects) break;
      await sleep(1000);
    }
    console.log(
      `soak: ${objects} Websites reconciled in ${((performance.now() - t0) / 1000).toFixed(1)} s;` +
        ` ${minutes} min at ${rate} updates/s, a watch drop every ${dropMs / 1000} s`,
    );
    const samples: Array<{ t: number; rss: number; heap: number }> = [];
    const start = performance.now();
    const end = start + minutes * 60_000;
    let nextSample = start;
    let nextDrop = start + dropMs;
    let updates = 0;
    let failures = 0;
    const inflight = new Set<Promise<unknown>>();
    while (performance.now() < end) {
      const now = performance.now();
      if (now >= nextSample) {
        nextSample += sampleMs;
        const s = {
          t: (now - start) / 1000,
          rss: await _rssBytes(child.pid),
          heap: await _heapBytes(probe),
        };
        samples.push(s);
        console.log(
          `${s.t.toFixed(0).padStart(5)} s  rss ${(s.rss / 2 ** 20).toFixed(1)} MiB  heap ${
            (s.heap / 2 ** 20).toFixed(1)
          } MiB  updates ${updates} (failed ${failures})`,
        );
      }
      if (now >= nextDrop) {
        nextDrop += dropMs;
        server.faults.dropWatches();
      }
      // A steady rate: the n-th update is due at n / rate seconds.
      const due = start + (updates * 1000) / rate;
      if (now < due) {
        await sleep(Math.min(due - now, 50));
        continue;
      }
      const name = `s${Math.floor(Math.random() * objects)}`;
      const p = websites.patch(name, {
        namespace: "default",
        type: "merge",
        body: { spec: { html: `<h1>${name} ${updates}</h1>` } },
      }).catch(() => failures++).finally(() => inflight.delete(p));
      inflight.add(p);
      updates++;
    }
    await Promise.all(inflight);
    const after = samples.filter((s) => s.t >= warmupMin * 60);
    const perHour = (k: "rss" | "heap") =>
      slope(after.map((s) => [s.t / 3600, s[k] / 2 ** 20] as [number, number]));
    const mean = (k: "rss" | "heap") =>
      after.reduce((a, s) => a + s[k], 0) / after.length / 2 ** 20;
    const result = {
      minutes,
      rate,
      objects,
      warmupMinutes: warmupMin,
      updates,
      failedUpdates: failures,
      rssSlopeMiBPerHour: perHour("rss"),
      heapSlopeMiBPerHour: perHour("heap"),
      rssMeanMiB: mean("rss"),
      heapMeanMiB: mean("heap"),
      samples,
    };
    await Deno.writeTextFile(out, JSON.stringify(result, null, 2) + "\n");
    console.log(
      `soak: after ${warmupMin} min warm-up: RSS mean ${result.rssMeanMiB.toFixed(1)} MiB, slope ${
        result.rssSlopeMiBPerHour.toFixed(2)
      } MiB/h; heap mean ${result.heapMeanMiB.toFixed(1)} MiB, slope ${
        result.heapSlopeMiBPerHour.toFixed(2)
      } MiB/h; ${updates} updates (${failures} failed); written to ${out}`,
    );
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
