// Watch decode throughput: 10k ConfigMap events and 10k ~6 KiB Pod events through the
// client's watch (fetch, line split, JSON.parse once, typed events) against the bare
// baseline (the same bytes through fetch, a line split and JSON.parse), in the same run,
// served by a local Deno.serve on 127.0.0.1.
//
// Run: deno bench -A bench/watch_decode_bench.ts
// The "summary" lines give the client's time relative to the baseline; throughput ratio =
// baseline time / client time.
import { ConfigMaps, KubeClient, Pods } from "../client/mod.ts";

const EVENTS = 10_000;

function configMapEvent(i: number): string {
  return JSON.stringify({
    type: i % 3 === 0 ? "ADDED" : "MODIFIED",
    object: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: `cm-${i}`,
        namespace: "default",
        uid: crypto.randomUUID(),
        resourceVersion: String(1000 + i),
        creationTimestamp: "2026-01-01T00:00:00Z",
        labels: { app: "web", tier: "frontend" },
      },
      data: { "config.yaml": `replicas: ${i % 7}\nmode: fast\n`, key: `value-${i}` },
    },
  });
}

function podEvent(i: number): string {
  const containers = Array.from({ length: 3 }, (_, c) => ({
    name: `container-${c}`,
    image: `registry.example.com/team/app-${c}:v1.${i % 50}.${c}`,
    ports: [{ name: "http", containerPort: 8080 + c, protocol: "TCP" }],
    env: Array.from({ length: 16 }, (_, e) => ({ name: `ENV_VAR_${e}`, value: `value-${i}-${e}` })),
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    volumeMounts: [{ name: "config", mountPath: "/etc/config", readOnly: true }],
    readinessProbe: { httpGet: { path: "/healthz", port: 8080 + c }, periodSeconds: 10 },
  }));
  return JSON.stringify({
    type: "MODIFIED",
    object: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `web-${i}`,
        namespace: "default",
        uid: crypto.randomUUID(),
        resourceVersion: String(50_000 + i),
        creationTimestamp: "2026-01-01T00:00:00Z",
        labels: { app: "web", "pod-template-hash": "5d8f7c9b4", tier: "frontend" },
        annotations: { "example.com/checksum": "a".repeat(64), "example.com/owner": "team-web" },
        managedFields: [{
          manager: "kubelet",
          operation: "Update",
          apiVersion: "v1",
          time: "2026-01-01T00:00:06Z",
          fieldsType: "FieldsV1",
          subresource: "status",
          fieldsV1: {
            "f:status": Object.fromEntries(
              ["conditions", "containerStatuses", "hostIP", "phase", "podIP", "startTime"].map((
                f,
              ) => [`f:${f}`, {
                ".": {},
                "f:lastTransitionTime": {},
                "f:status": {},
                "f:type": {},
              }]),
            ),
          },
        }],
        ownerReferences: [{
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "web-5d8f7c9b4",
          uid: crypto.randomUUID(),
          controller: true,
          blockOwnerDeletion: true,
        }],
      },
      spec: {
        containers,
        volumes: [{ name: "config", configMap: { name: "web-config" } }],
        serviceAccountName: "web",
        nodeName: `node-${i % 20}`,
        restartPolicy: "Always",
      },
      status: {
        phase: "Running",
        podIP: `10.0.${i % 250}.${i % 200}`,
        hostIP: `192.168.0.${i % 200}`,
        startTime: "2026-01-01T00:00:05Z",
        conditions: ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({
          type,
          status: "True",
          lastTransitionTime: "2026-01-01T00:00:06Z",
        })),
        containerStatuses: containers.map((c) => ({
          name: c.name,
          ready: true,
          restartCount: 0,
          image: c.image,
          imageID: `${c.image}@sha256:${"b".repeat(64)}`,
          state: { running: { startedAt: "2026-01-01T00:00:06Z" } },
        })),
      },
    },
  });
}

const enc = new TextEncoder();
const cmBytes = enc.encode(
  Array.from({ length: EVENTS }, (_, i) => configMapEvent(i)).join("\n") + "\n",
);
const podBytes = enc.encode(
  Array.from({ length: EVENTS }, (_, i) => podEvent(i)).join("\n") + "\n",
);
const podAvg = Math.round(podBytes.length / EVENTS);
if (podAvg < 5500 || podAvg > 6800) {
  throw new Error(`expected ~6 KiB pod events, found ${podAvg} B`);
}

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
  const path = new URL(req.url).pathname;
  const body = path.endsWith("/pods") ? podBytes : cmBytes;
  return new Response(body, { headers: { "content-type": "application/json" } });
});
server.unref();
const url = `http://127.0.0.1:${server.addr.port}`;
const client = new KubeClient({
  server: url,
  namespace: "default",
  source: "<bench>",
  tls: {},
  auth: { type: "none" },
}, { qps: 0 });

// The bare baseline: fetch, split lines, JSON.parse each, count the objects.
async function baseline(path: string): Promise<number> {
  const res = await fetch(`${url}${path}?watch=1`);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  let n = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const text = rest + decoder.decode(value, { stream: true });
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const ev = JSON.parse(text.slice(start, nl));
      if (ev.object.metadata.name) n++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  return n;
}

function check(n: number): void {
  if (n !== EVENTS) throw new Error(`expected ${EVENTS} events, found ${n}`);
}

async function clientWatch(path: "configmaps" | "pods"): Promise<number> {
  let n = 0;
  for await (const ev of client.resource(path === "pods" ? Pods : ConfigMaps).watch()) {
    if (ev.type !== "BOOKMARK" && ev.type !== "INVALID" && ev.object.metadata.name) n++;
  }
  return n;
}

// Interleaved measurement (ABBA order, so load drift on a shared machine hits both sides
// alike): throughput ratio = median baseline time / median client time, printed once.
async function interleavedRatio(
  kind: "configmaps" | "pods",
  rounds: number,
): Promise<{ ratio: number; baselineMs: number; clientMs: number }> {
  const base: number[] = [];
  const ours: number[] = [];
  const timeBase = async () => {
    const t = performance.now();
    check(await baseline(`/api/v1/${kind}`));
    base.push(performance.now() - t);
  };
  const timeOurs = async () => {
    const t = performance.now();
    check(await clientWatch(kind));
    ours.push(performance.now() - t);
  };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      await timeBase();
      await timeOurs();
    } else {
      await timeOurs();
      await timeBase();
    }
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const baselineMs = median(base);
  const clientMs = median(ours);
  return { ratio: baselineMs / clientMs, baselineMs, clientMs };
}

// Warm both paths up before any timing, so neither side pays for JIT compilation or the
// first connection (the first bench of a group otherwise looks slower whichever it is).
for (let i = 0; i < 5; i++) {
  check(await baseline("/api/v1/configmaps"));
  check(await clientWatch("configmaps"));
  check(await baseline("/api/v1/pods"));
  check(await clientWatch("pods"));
}

for (const [kind, rounds] of [["configmaps", 40], ["pods", 10]] as const) {
  const r = await interleavedRatio(kind, rounds);
  console.log(
    `watch decode ${kind}: client ${r.clientMs.toFixed(1)} ms, baseline ${
      r.baselineMs.toFixed(1)
    } ms per ${EVENTS} events; throughput ratio client/baseline = ${r.ratio.toFixed(2)}`,
  );
}

Deno.bench({
  name: `baseline: fetch + line split + JSON.parse, ${EVENTS} ConfigMap events`,
  group: "configmaps",
  baseline: true,
  n: 60,
  warmup: 10,
  async fn() {
    check(await baseline("/api/v1/configmaps"));
  },
});

Deno.bench({
  name: `client watch: ${EVENTS} ConfigMap events`,
  group: "configmaps",
  n: 60,
  warmup: 10,
  async fn() {
    check(await clientWatch("configmaps"));
  },
});

Deno.bench({
  name: `baseline: fetch + line split + JSON.parse, ${EVENTS} Pod events (~${podAvg} B)`,
  group: "pods",
  baseline: true,
  n: 15,
  warmup: 3,
  async fn() {
    check(await baseline("/api/v1/pods"));
  },
});

Deno.bench({
  name: `client watch: ${EVENTS} Pod events (~${podAvg} B)`,
  group: "pods",
  n: 15,
  warmup: 3,
  async fn() {
    check(await clientWatch("pods"));
  },
});
