// The bare baseline: what any Deno program does without a library. LIST pages with fetch and
// JSON.parse into a Map, then one watch from the list's resourceVersion: split lines,
// JSON.parse each, put the object in the Map. No retries, no decoding beyond JSON. Against the
// replay server it speaks plain HTTP; against a real kube-apiserver (cold sync only) it reads
// the server, CA, client certificate or token from a JSON kubeconfig (YAML would need a
// library).
//
// PEER_PARSE=none makes it the wire floor: the same LIST requests, each body read and UTF-8
// decoded, its items counted and its continue token read from the list's head, nothing parsed:
// what the server and the connection cost a client that does no work.
import { cpuMs, heapAfterGc, peerEnv, rss, rvSum } from "./_measure.ts";

const env = peerEnv();
const floor = Deno.env.get("PEER_PARSE") === "none";
const conn = connection(env.kubeconfig);
const base = `${conn.server}/api/v1/namespaces/${env.namespace}/configmaps`;
type Obj = { metadata: { name: string; namespace: string; resourceVersion: string } };
const out: Record<string, unknown> = { idleRss: rss() };

const t0 = performance.now();
const c0 = cpuMs();
const map = new Map<string, Obj>();
let cont = "";
let listRv = "";
let floorCount = 0;
do {
  const res = await fetch(
    `${base}?limit=${env.pageSize}${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`,
    conn.init,
  );
  if (!res.ok) throw new Error(`expected 200 from LIST, found ${res.status}: ${await res.text()}`);
  const text = await res.text();
  if (floor) {
    // The list's own metadata comes first; every item starts with its metadata and name.
    const head = text.slice(0, 1024);
    listRv ||= /"resourceVersion":"(\d+)"/.exec(head)?.[1] ?? "";
    cont = /"continue":"([^"]*)"/.exec(head)?.[1] ?? "";
    for (
      let i = text.indexOf('{"metadata":{"name":"');
      i >= 0;
      i = text.indexOf('{"metadata":{"name":"', i + 1)
    ) {
      floorCount++;
    }
    continue;
  }
  const page = JSON.parse(text);
  for (const item of page.items) map.set(`${item.metadata.namespace}/${item.metadata.name}`, item);
  listRv ||= page.metadata.resourceVersion;
  cont = page.metadata.continue ?? "";
} while (cont);
const t1 = performance.now();
const c1 = cpuMs();
const synced = floor ? floorCount : map.size;
Object.assign(out, { syncWallMs: t1 - t0, syncCpuMs: c1 - c0, syncRss: rss(), synced });

console.log('{"phase":"synced"}'); // the harness lets the watch events flow
let seen = 0;
if (env.events > 0) {
  const ac = new AbortController();
  const res = await fetch(`${base}?watch=1&resourceVersion=${listRv}`, {
    ...conn.init,
    signal: ac.signal,
  });
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
  objects: floor ? floorCount : map.size,
  rvSum: rvSum(map.values()),
  heap: heapAfterGc(),
});
console.log(JSON.stringify(out));

// The server and credentials of a JSON kubeconfig's current context.
function connection(path: string): { server: string; init: RequestInit } {
  const text = Deno.readTextFileSync(path);
  let kc;
  try {
    kc = JSON.parse(text);
  } catch {
    throw new Error(`the bare Deno peer reads JSON kubeconfigs only; ${path} is not JSON`);
  }
  const ctx = kc.contexts?.find((c: { name: string }) => c.name === kc["current-context"]) ??
    kc.contexts?.[0];
  const cluster = kc.clusters?.find((c: { name: string }) => c.name === ctx?.context?.cluster)
    ?.cluster ?? kc.clusters?.[0]?.cluster;
  const user = kc.users?.find((u: { name: string }) => u.name === ctx?.context?.user)?.user ?? {};
  const server: string | undefined = cluster?.server;
  if (!server) throw new Error(`expected a cluster server in ${path}, found none`);
  if (server.startsWith("http://")) return { server, init: {} };
  const pem = (b64?: string) => (b64 ? atob(b64) : undefined);
  const ca = pem(cluster["certificate-authority-data"]);
  const cert = pem(user["client-certificate-data"]);
  const key = pem(user["client-key-data"]);
  const client = Deno.createHttpClient({
    ...(ca ? { caCerts: [ca] } : {}),
    ...(cert && key ? { cert, key } : {}),
  });
  const headers: Record<string, string> = user.token
    ? { authorization: `Bearer ${user.token}` }
    : {};
  return { server, init: { client, headers } as RequestInit };
}
