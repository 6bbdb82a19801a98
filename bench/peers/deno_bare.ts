// The bare baseline: what any Deno program does without a library. LIST pages with fetch and
// JSON.parse into a Map, then one watch from the list's resourceVersion: split lines,
// JSON.parse each, put the object in the Map. No TLS or auth (the replay server is plain
// HTTP on loopback), no retries, no decoding beyond JSON.
import { cpuMs, heapAfterGc, peerEnv, rss, rvSum } from "./_measure.ts";

const env = peerEnv();
// The harness writes the replay server's kubeconfig as JSON (YAML would need a library).
const kubeconfig = Deno.readTextFileSync(env.kubeconfig);
const server = /"?server"?:\s*"?([^\s",]+)/.exec(kubeconfig)?.[1];
if (!server?.startsWith("http://")) {
  throw new Error(`expected a plain http:// server in ${env.kubeconfig}, found ${server}`);
}
const base = `${server}/api/v1/namespaces/${env.namespace}/configmaps`;
type Obj = { metadata: { name: string; namespace: string; resourceVersion: string } };
const out: Record<string, unknown> = { idleRss: rss() };

const t0 = performance.now();
const c0 = cpuMs();
const map = new Map<string, Obj>();
let cont = "";
let listRv = "";
do {
  const res = await fetch(`${base}?limit=${env.pageSize}${cont ? `&continue=${cont}` : ""}`);
  const page = JSON.parse(await res.text());
  for (const item of page.items) map.set(`${item.metadata.namespace}/${item.metadata.name}`, item);
  listRv ||= page.metadata.resourceVersion;
  cont = page.metadata.continue ?? "";
} while (cont);
const t1 = performance.now();
const c1 = cpuMs();
Object.assign(out, { syncWallMs: t1 - t0, syncCpuMs: c1 - c0, syncRss: rss(), synced: map.size });

console.log('{"phase":"synced"}'); // the harness lets the watch events flow
let seen = 0;
if (env.events > 0) {
  const ac = new AbortController();
  const res = await fetch(`${base}?watch=1&resourceVersion=${listRv}`, { signal: ac.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  while (seen < env.events) {
    const { value, done } = await reader.read();
    if (done) break;
    const text = rest + decoder.decode(value, { stream: true });
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const ev = JSON.parse(text.slice(start, nl));
      const o = ev.object as Obj;
      map.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
      seen++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  Object.assign(out, { watchWallMs: performance.now() - t1, watchCpuMs: cpuMs() - c1 });
  await reader.cancel();
  ac.abort();
}
Object.assign(out, {
  endRss: rss(),
  events: seen,
  objects: map.size,
  rvSum: rvSum(map.values()),
  heap: heapAfterGc(),
});
console.log(JSON.stringify(out));
