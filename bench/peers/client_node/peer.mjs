// The @kubernetes/client-node peer of the side-by-side informer benchmark
// (bench/peers/README.md): its informer (makeInformer) over ConfigMaps in one namespace,
// reporting the figures bench/peers/harness.ts compares. Written for this benchmark from
// client-node's documentation. Run by the harness with Node and --expose-gc.
import * as k8s from "@kubernetes/client-node";
import { readFileSync } from "node:fs";

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`expected the environment variable ${name}`);
  return v;
}
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const rss = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) * 1024;

const events = Number(env("PEER_EVENTS"));
const namespace = env("PEER_NAMESPACE");
const kc = new k8s.KubeConfig();
kc.loadFromFile(env("PEER_KUBECONFIG"));
const api = kc.makeApiClient(k8s.CoreV1Api);
const informer = k8s.makeInformer(
  kc,
  `/api/v1/namespaces/${namespace}/configmaps`,
  () => api.listNamespacedConfigMap({ namespace }),
);
const out = { idleRss: rss() };
let updates = 0;
let onWatched;
const watched = new Promise((resolve) => onWatched = resolve);
informer.on("update", () => {
  if (++updates === events) onWatched();
});
let finished = false;
informer.on("error", (err) => {
  if (finished) return; // stop() aborts the watch, which the informer reports as an error
  console.error(`informer error: ${err?.stack ?? err}`);
  process.exit(1);
});
const t0 = performance.now();
const c0 = cpuMs();
await informer.start();
const t1 = performance.now();
const c1 = cpuMs();
out.syncWallMs = t1 - t0;
out.syncCpuMs = c1 - c0;
out.syncRss = rss();
out.synced = informer.list().length;
// Tells the harness to let the watch events flow.
console.log('{"phase":"synced"}');
if (events > 0) {
  await watched;
  out.watchWallMs = performance.now() - t1;
  out.watchCpuMs = cpuMs() - c1;
}
out.endRss = rss();
let sum = 0n;
const list = informer.list();
for (const cm of list) sum += BigInt(cm.metadata.resourceVersion);
out.events = updates;
out.objects = list.length;
out.rvSum = String(sum);
globalThis.gc?.();
out.heap = process.memoryUsage().heapUsed;
console.log(JSON.stringify(out));
finished = true;
await informer.stop();
process.exit(0);
