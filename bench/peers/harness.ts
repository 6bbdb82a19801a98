// The side-by-side informer benchmark: the same workload in operatorkit and its peers, each
// in its own process, against one replay server (or a real kube-apiserver for the cold sync).
// See bench/peers/README.md for what is measured and how to read it.
//
//   deno task bench:peers [--objects 10000] [--events 50000] [--rounds 5] [--page 500]
//                         [--peers id,id,...] [--kubeconfig path] [--publish] [--serve]
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deployedEnv } from "./_deployed_env.ts";
import { buildPeers, CACHE } from "./build.ts";
import { type Panel, renderChart } from "./chart.ts";
import { type FixtureObject, makeFixtures, NAMESPACE } from "./fixtures.ts";
import { type ProtoFixtures, type ReplayStats, startReplayServer } from "./replay_server.ts";
import { median, targetLines } from "./_targets.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const MB = 1024 * 1024;

/** What each peer prints as its last stdout line. */
interface PeerResult {
  idleRss: number;
  syncWallMs: number;
  syncCpuMs: number;
  syncRss: number;
  synced: number;
  watchWallMs?: number;
  watchCpuMs?: number;
  endRss: number;
  events: number;
  objects: number;
  rvSum: string;
  heap: number;
}

interface PeerSpec {
  id: string;
  label: string;
  version: string;
  cmd: string[];
  env?: Record<string, string>;
  ours?: boolean;
  /** Needs a plain-HTTP server (the replay server): left out against a real cluster. */
  replayOnly?: boolean;
  /** Only differs from another peer against a real cluster: left out against the replay server. */
  realOnly?: boolean;
  /** Reads only JSON kubeconfigs: left out against a real cluster whose kubeconfig is YAML. */
  jsonKubeconfig?: boolean;
}

function args(): Record<string, string> {
  const out: Record<string, string> = {};
  const a = Deno.args;
  for (let i = 0; i < a.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a[i]);
    if (!m) throw new Error(`expected --flag or --flag=value, found ${JSON.stringify(a[i])}`);
    if (m[2] !== undefined) out[m[1]] = m[2];
    else if (a[i + 1] !== undefined && !a[i + 1].startsWith("--")) out[m[1]] = a[++i];
    else out[m[1]] = "true";
  }
  const known = ["objects", "events", "rounds", "page", "peers", "kubeconfig", "publish", "serve"];
  for (const k of Object.keys(out)) {
    if (!known.includes(k)) {
      throw new Error(`unknown flag --${k}; expected one of --${known.join(", --")}`);
    }
  }
  return out;
}

function int(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`expected --${name} to be a count, found ${v}`);
  }
  return n;
}

async function output(cmd: string, argv: string[]): Promise<string> {
  try {
    const o = await new Deno.Command(cmd, { args: argv, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(o.stdout).trim();
  } catch {
    return "";
  }
}

/** Converts the fixtures to protobuf with the client-go tool (cached per size). */
async function protoFixtures(
  tool: string,
  objects: FixtureObject[],
  events: FixtureObject[],
  listRv: number,
): Promise<ProtoFixtures> {
  const dir = join(CACHE, "fixtures");
  Deno.mkdirSync(dir, { recursive: true });
  const bin = join(dir, `proto-${objects.length}-${events.length}.bin`);
  try {
    Deno.statSync(bin);
  } catch {
    const bookmark = {
      metadata: {
        resourceVersion: String(listRv),
        annotations: { "k8s.io/initial-events-end": "true" },
      },
    };
    const json = join(dir, `all-${objects.length}-${events.length}.json`);
    Deno.writeTextFileSync(json, JSON.stringify([...objects, ...events, bookmark]));
    const o = await new Deno.Command(tool, { args: ["proto-fixtures", json, bin] }).output();
    Deno.removeSync(json);
    if (!o.success) throw new Error(`expected the client-go tool to write ${bin}, it failed`);
  }
  const bytes = Deno.readFileSync(bin);
  const view = new DataView(bytes.buffer);
  const records: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const len = view.getUint32(at);
    records.push(bytes.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  if (records.length !== objects.length + events.length + 1) {
    throw new Error(
      `expected ${objects.length + events.length + 1} protobuf records, found ${records.length}`,
    );
  }
  return {
    objects: records.slice(0, objects.length),
    events: records.slice(objects.length, objects.length + events.length),
    bookmark: records[records.length - 1],
  };
}

/** Creates the objects on a real cluster (once; kept between runs). */
async function populate(kubeconfig: string, objects: FixtureObject[]): Promise<void> {
  const { ConfigMaps, KubeClient, Namespaces } = await import("../../mod.ts");
  await using client = await KubeClient.fromKubeConfig({ path: kubeconfig }, { qps: 0 });
  const ns = client.resource(Namespaces);
  await ns.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } })
    .catch((e) => {
      if (!e?.isAlreadyExists?.()) throw e;
    });
  const cms = client.resource(ConfigMaps);
  const have = new Set<string>();
  for await (const cm of cms.listAll({ namespace: NAMESPACE, limit: 500 })) {
    have.add(cm.metadata.name!);
  }
  const todo = objects.filter((o) => !have.has(o.metadata.name));
  console.error(`populating ${todo.length} ConfigMaps in namespace ${NAMESPACE}...`);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < todo.length) {
      const o = todo[next++];
      await cms.create({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: o.metadata.name,
          namespace: NAMESPACE,
          labels: o.metadata.labels,
          annotations: o.metadata.annotations,
        },
        data: o.data,
      });
    }
  }));
}

/** Runs one peer; `onSynced` is called when it prints its `{"synced":...}` line. */
async function runPeer(
  spec: PeerSpec,
  env: Record<string, string>,
  onSynced: () => void,
): Promise<PeerResult> {
  const child = new Deno.Command(spec.cmd[0], {
    args: spec.cmd.slice(1),
    env: { ...env, ...spec.env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
  const stdout: string[] = [];
  const stderr = new Response(child.stderr).text();
  for await (const line of child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lines())) {
    if (line.startsWith('{"phase":"synced"')) onSynced();
    else if (line.trim()) stdout.push(line);
  }
  const status = await child.status;
  clearTimeout(timer);
  if (!status.success) {
    throw new Error(`${spec.id} exited with ${status.code}: ${(await stderr).slice(-2000)}`);
  }
  await stderr;
  try {
    return JSON.parse(stdout[stdout.length - 1]);
  } catch {
    throw new Error(`expected ${spec.id} to print a JSON result, found ${stdout.at(-1)}`);
  }
}

function lines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const p of parts) controller.enqueue(p);
    },
    flush(controller) {
      if (rest) controller.enqueue(rest);
    },
  });
}

function checkResult(
  r: PeerResult,
  expect: { objects: number; events: number; rvSum?: bigint },
): string | undefined {
  const problems: string[] = [];
  if (r.synced !== expect.objects) {
    problems.push(`synced ${r.synced} objects, expected ${expect.objects}`);
  }
  if (r.objects !== expect.objects) {
    problems.push(`ended with ${r.objects} objects, expected ${expect.objects}`);
  }
  if (r.events !== expect.events) {
    problems.push(`saw ${r.events} events, expected ${expect.events}`);
  }
  if (expect.rvSum !== undefined && BigInt(r.rvSum) !== expect.rvSum) {
    problems.push(
      `resourceVersion sum ${r.rvSum}, expected ${expect.rvSum} (lost or stale objects)`,
    );
  }
  return problems.length ? problems.join("; ") : undefined;
}

const METRICS = [
  { key: "syncWallMs", label: "cold sync wall", unit: "ms", get: (r: PeerResult) => r.syncWallMs },
  { key: "syncCpuMs", label: "sync CPU", unit: "ms", get: (r: PeerResult) => r.syncCpuMs },
  {
    key: "watchCpuUs",
    label: "watch CPU per event",
    unit: "µs",
    get: (r: PeerResult) =>
      r.watchCpuMs === undefined || !r.events ? undefined : r.watchCpuMs * 1000 / r.events,
  },
  { key: "idleRss", label: "RSS idle", unit: "MB", get: (r: PeerResult) => r.idleRss / MB },
  { key: "syncRss", label: "RSS after sync", unit: "MB", get: (r: PeerResult) => r.syncRss / MB },
  { key: "endRss", label: "RSS at end", unit: "MB", get: (r: PeerResult) => r.endRss / MB },
  { key: "heap", label: "heap after GC", unit: "MB", get: (r: PeerResult) => r.heap / MB },
] as const;
type MetricKey = typeof METRICS[number]["key"];

async function main(): Promise<void> {
  const a = args();
  const objects = int(a.objects, 10_000, "objects");
  const real = a.kubeconfig;
  const events = real ? 0 : int(a.events, 50_000, "events");
  const rounds = int(a.rounds, 5, "rounds");
  const page = int(a.page, 500, "page");
  if (objects < 1 || rounds < 1 || page < 1) {
    throw new Error("expected --objects, --rounds and --page >= 1");
  }
  const started = performance.now();

  const wanted = a.peers?.split(",");
  const built = await buildPeers((peer) =>
    peer !== "controller-runtime" && (!wanted || wanted.some((w) => w.startsWith(peer)))
  );
  for (const m of built.missing) console.error(`left out: ${m}`);
  const fx = makeFixtures(objects, events);
  const denoJson = JSON.parse(Deno.readTextFileSync(join(here, "../../deno.json")));
  const goVersion = (await output("go", ["version"])).split(" ")[2] ?? "go";
  const nodeVersion = await output("node", ["--version"]);
  const rustVersion = (await output("rustc", ["--version"])).split(" ")[1] ?? "";
  // No Deno peer looks up dl.deno.land for an upgrade notice while it is measured.
  const deno = (script: string, env?: Record<string, string>) => ({
    cmd: [Deno.execPath(), "run", "--allow-all", "--v8-flags=--expose-gc", join(here, script)],
    env: { DENO_NO_UPDATE_CHECK: "1", ...env },
  });
  // operatorkit runs with the V8 flags and malloc setting its generated Deployment sets.
  const deployed = await deployedEnv();
  const tuning = Object.entries(deployed).map(([k, v]) => `${k}=${v}`).join(", ");
  const all: PeerSpec[] = [
    {
      id: "operatorkit",
      label: "operatorkit (default transform)",
      version: `operatorkit ${denoJson.version}, Deno ${Deno.version.deno}, ${tuning}`,
      ours: true,
      ...deno("operatorkit_peer.ts", deployed),
    },
    {
      id: "operatorkit-identity",
      label: "operatorkit (identity transform)",
      version: `operatorkit ${denoJson.version}, Deno ${Deno.version.deno}, ${tuning}`,
      ours: true,
      ...deno("operatorkit_peer.ts", { ...deployed, PEER_TRANSFORM: "identity" }),
    },
    {
      id: "operatorkit-parts",
      label: "operatorkit (client + informer entry points)",
      version: `operatorkit ${denoJson.version}, Deno ${Deno.version.deno}, ${tuning}`,
      ours: true,
      ...deno("operatorkit_parts_peer.ts", deployed),
    },
    {
      id: "operatorkit-cache",
      label: "operatorkit (first list from cache)",
      version: `operatorkit ${denoJson.version}, Deno ${Deno.version.deno}, initialListFromCache`,
      ours: true,
      realOnly: true,
      ...deno("operatorkit_peer.ts", { ...deployed, PEER_LIST: "cache" }),
    },
    {
      id: "operatorkit-stream",
      label: "operatorkit (streaming list)",
      version: `operatorkit ${denoJson.version}, Deno ${Deno.version.deno}, useStreamingList`,
      ours: true,
      realOnly: true,
      ...deno("operatorkit_peer.ts", { ...deployed, PEER_LIST: "stream" }),
    },
    {
      id: "deno-bare",
      label: "bare Deno (fetch + JSON.parse + Map)",
      version: `Deno ${Deno.version.deno}`,
      jsonKubeconfig: true,
      ...deno("deno_bare.ts"),
    },
    {
      id: "wire-floor",
      label: "wire floor (bytes read and decoded, no parsing)",
      version: `Deno ${Deno.version.deno}, PEER_PARSE=none`,
      realOnly: true,
      jsonKubeconfig: true,
      ...deno("deno_bare.ts", { PEER_PARSE: "none" }),
    },
  ];
  if (built.clientGo) {
    for (const ct of ["json", "protobuf"]) {
      all.push({
        id: `client-go-${ct}`,
        label: `client-go (${ct === "json" ? "JSON" : "protobuf"})`,
        version: `client-go v0.36.3, ${goVersion}`,
        cmd: [built.clientGo],
        env: { PEER_CONTENT_TYPE: ct },
      });
    }
  }
  if (built.kubeRs) {
    all.push({
      id: "kube-rs",
      label: "kube-rs (reflector)",
      version: `kube 5.0.0, rustc ${rustVersion}`,
      cmd: [built.kubeRs],
    });
  }
  if (built.clientNode) {
    all.push({
      id: "client-node",
      label: "@kubernetes/client-node",
      version: `@kubernetes/client-node 1.4.0, Node ${nodeVersion}`,
      cmd: ["node", "--expose-gc", built.clientNode],
    });
  }
  let realIsJson = true;
  if (real) {
    try {
      JSON.parse(Deno.readTextFileSync(real));
    } catch {
      realIsJson = false;
      console.error(`${real} is not JSON: the bare Deno and wire-floor peers are left out`);
    }
  }
  const peers = all.filter((p) =>
    (!wanted || wanted.includes(p.id)) && !(real && p.replayOnly) && !(!real && p.realOnly) &&
    !(real && p.jsonKubeconfig && !realIsJson)
  );
  if (wanted) {
    for (const w of wanted) {
      if (!all.some((p) => p.id === w)) {
        throw new Error(`unknown peer ${w}; expected one of ${all.map((p) => p.id).join(", ")}`);
      }
    }
  }

  // Compile the Deno peers once so no round pays for it.
  for (const s of ["operatorkit_peer.ts", "operatorkit_parts_peer.ts", "deno_bare.ts"]) {
    await new Deno.Command(Deno.execPath(), { args: ["cache", join(here, s)] }).output();
  }

  let kubeconfig: string;
  let server: ReturnType<typeof startReplayServer> | undefined;
  if (real) {
    kubeconfig = real;
    await populate(real, fx.objects);
  } else {
    const proto = built.clientGo
      ? await protoFixtures(built.clientGo, fx.objects, fx.events, fx.listRv)
      : undefined;
    server = startReplayServer(fx, { proto });
    // JSON (which every peer's kubeconfig loader reads, JSON being YAML): an operator in a
    // cluster reads no YAML to configure its client, and operatorkit loads its YAML parser only
    // for a kubeconfig that is not JSON, so the idle RSS compares the libraries, not the format.
    kubeconfig = join(CACHE, "replay-kubeconfig.json");
    Deno.writeTextFileSync(
      kubeconfig,
      JSON.stringify(
        {
          apiVersion: "v1",
          kind: "Config",
          clusters: [{
            name: "replay",
            cluster: { server: server.url, "insecure-skip-tls-verify": true },
          }],
          users: [{ name: "anonymous", user: {} }],
          contexts: [{
            name: "replay",
            context: { cluster: "replay", user: "anonymous", namespace: NAMESPACE },
          }],
          "current-context": "replay",
        },
        null,
        2,
      ) + "\n",
    );
  }

  if (a.serve === "true" && server) {
    // For running one peer by hand: the events flow at once.
    server.release();
    console.log(
      `replay server at ${server.url}; run a peer with PEER_KUBECONFIG=${kubeconfig} ` +
        `PEER_NAMESPACE=${NAMESPACE} PEER_OBJECTS=${objects} PEER_EVENTS=${events}; Ctrl-C stops`,
    );
    await new Promise(() => {});
  }
  const env = {
    PEER_KUBECONFIG: kubeconfig,
    PEER_NAMESPACE: NAMESPACE,
    PEER_OBJECTS: String(objects),
    PEER_EVENTS: String(events),
    PEER_PAGE_SIZE: String(page),
  };
  const expect = {
    objects,
    events,
    rvSum: real ? undefined : events ? fx.finalRvSum : fx.listRvSum,
  };
  // Each peer's result in each round (undefined where it failed), to pair peers round by round.
  const byRound = new Map<string, (PeerResult | undefined)[]>(
    peers.map((p) => [p.id, new Array(rounds).fill(undefined)]),
  );
  const requests = new Map<string, ReplayStats>();
  const failures: string[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      // Interleaved: each round starts at a different peer.
      const order = peers.map((_, i) => peers[(i + r) % peers.length]);
      for (const p of order) {
        server?.reset();
        try {
          const res = await runPeer(p, env, () => server?.release());
          const bad = checkResult(res, expect);
          if (bad) throw new Error(bad);
          byRound.get(p.id)![r] = res;
          if (server) requests.set(p.id, server.stats());
          console.error(
            `round ${r + 1}/${rounds} ${p.id}: sync ${res.syncWallMs.toFixed(0)} ms wall, ` +
              `${res.syncCpuMs.toFixed(0)} ms CPU` +
              (res.watchCpuMs !== undefined ? `; watch ${res.watchCpuMs.toFixed(0)} ms CPU` : ""),
          );
        } catch (err) {
          const msg = `round ${r + 1} ${p.id}: ${err instanceof Error ? err.message : err}`;
          failures.push(msg);
          console.error(`FAILED ${msg}`);
        }
      }
    }
  } finally {
    await server?.[Symbol.asyncDispose]();
  }

  // Medians and ratios, over the rounds that passed their checks.
  const results = new Map(
    peers.map((p) => [p.id, byRound.get(p.id)!.filter((x): x is PeerResult => !!x)]),
  );
  const med = new Map<string, Partial<Record<MetricKey, number>>>();
  for (const p of peers) {
    const rs = results.get(p.id)!;
    const m: Partial<Record<MetricKey, number>> = {};
    for (const metric of METRICS) {
      const xs = rs.map(metric.get).filter((x): x is number => x !== undefined);
      if (xs.length) m[metric.key] = median(xs);
    }
    med.set(p.id, m);
  }
  const shown = METRICS.filter((m) => peers.some((p) => med.get(p.id)![m.key] !== undefined));
  const f = (v: number | undefined) =>
    v === undefined ? "–" : v >= 100 ? v.toFixed(0) : v.toFixed(1);
  const date = new Date().toISOString().slice(0, 10);
  const cpuModel =
    (/model name\s*:\s*(.*)/.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1] ?? "?")
      .trim();
  const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  const lines: string[] = [];
  lines.push(
    `Peer benchmark, ${date}: ${objects.toLocaleString("en")} ConfigMaps` +
      (events ? `, then ${events.toLocaleString("en")} MODIFIED events` : "") +
      `, ${
        real ? "a real kube-apiserver (cold sync only)" : "the replay server"
      }; pages of ${page}; ` +
      `medians of ${rounds} interleaved rounds.`,
    `Machine: ${navigator.hardwareConcurrency} cores (${cpuModel}), ${Deno.build.os}; ` +
      `load average at the end ${load}.`,
    "",
    `| peer | ${shown.map((m) => `${m.label} (${m.unit})`).join(" | ")} | requests |`,
    `|---|${shown.map(() => "---:").join("|")}|---|`,
  );
  for (const p of peers) {
    const m = med.get(p.id)!;
    const q = requests.get(p.id);
    const req = q
      ? [
        q.listPages ? `${q.listPages} LIST` : "",
        q.streamingLists ? `${q.streamingLists} streaming list` : "",
        q.watches ? `${q.watches} watch` : "",
        q.protobuf ? "protobuf" : "",
      ].filter(Boolean).join(", ")
      : "";
    lines.push(`| ${p.label} | ${shown.map((s) => f(m[s.key])).join(" | ")} | ${req} |`);
  }
  for (const ours of peers.filter((p) => p.ours)) {
    lines.push(
      "",
      `${ours.label} ÷ peer (below 1 is better for operatorkit):`,
      "",
      `| peer | ${shown.map((m) => m.label).join(" | ")} |`,
      `|---|${shown.map(() => "---:").join("|")}|`,
    );
    const o = med.get(ours.id)!;
    for (const p of peers.filter((p) => !p.ours)) {
      const m = med.get(p.id)!;
      lines.push(
        `| ${p.label} | ${
          shown.map((s) => {
            const x = o[s.key], y = m[s.key];
            return x === undefined || y === undefined || y === 0 ? "–" : `${(x / y).toFixed(2)}x`;
          }).join(" | ")
        } |`,
      );
    }
  }
  lines.push("", "Versions: " + peers.map((p) => `${p.id}: ${p.version}`).join("; ") + ".");
  if (failures.length) {
    lines.push(
      "",
      "Failures (left out of the medians):",
      ...failures.map((x) => `- ${x}`),
    );
  }
  const targets = targetLines((peer, metric) => {
    const get = METRICS.find((m) => m.key === metric)?.get;
    return (byRound.get(peer) ?? []).map((res) => res && get?.(res));
  }, { real: !!real, objects });
  if (targets.length) lines.push("", "Targets (issue #17):", ...targets);
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  lines.push("", `Run time: ${minutes} min.`);
  const report = lines.join("\n") + "\n";
  console.log(report);

  const panels: Panel[] = shown.filter((m) =>
    ["syncWallMs", "syncCpuMs", "watchCpuUs", "syncRss"].includes(m.key)
  )
    .map((m) => ({
      title: m.label,
      unit: m.unit,
      values: peers.map((p) => ({ label: p.label, value: med.get(p.id)![m.key], ours: !!p.ours })),
    }));
  const svg = renderChart(
    `operatorkit vs peers: informer over ${objects.toLocaleString("en")} ConfigMaps`,
    `${date}, ${
      real ? "real kube-apiserver" : "replay server"
    }, medians of ${rounds} rounds, ${navigator.hardwareConcurrency}-core machine`,
    panels,
  );
  const outDir = join(CACHE, "results");
  Deno.mkdirSync(outDir, { recursive: true });
  const stem = `${real ? "real" : "replay"}-${objects}`;
  Deno.writeTextFileSync(join(outDir, `${stem}.md`), report);
  Deno.writeTextFileSync(join(outDir, `${stem}.svg`), svg);
  Deno.writeTextFileSync(
    join(outDir, `${stem}.json`),
    JSON.stringify(
      { date, objects, events, rounds, page, results: Object.fromEntries(results), failures },
      null,
      2,
    ),
  );
  console.error(`written: ${join(outDir, stem)}.{md,svg,json}`);
  if (a.publish === "true") {
    Deno.writeTextFileSync(join(here, "results", `${stem}.md`), report);
    Deno.writeTextFileSync(join(here, "results", `${stem}.svg`), svg);
    console.error(`published: bench/peers/results/${stem}.{md,svg}`);
  }
  if (failures.length) Deno.exitCode = 1;
}

if (import.meta.main) await main();
