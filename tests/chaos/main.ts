// `deno task chaos [--seed N] [--duration 60] [--websites 20] [--quiesce 120] [--tier embedded|real]`
// Runs one chaos round (see _chaos.ts) and exits 0 when every invariant held, 1 otherwise.
// The seed is printed first; pass it back with --seed to replay the same decisions.
// The real tier starts its own kube-apiserver + etcd (tools/envtest binaries; build them with
// tools/envtest/build.sh) and kills them with SIGKILL on the way.
import { KubeClient } from "../../client/kube_client.ts";
import { Namespaces } from "../../client/builtins.ts";
import { startApiServer } from "../../testing/api_server.ts";
import { startEnvtest } from "../../testing/envtest.ts";
import { type Faults, runChaos, type Tier } from "./_chaos.ts";
import { CountingProxy } from "./_proxy.ts";

function _arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  if (i < 0) return Deno.env.get(`CHAOS_${name.toUpperCase()}`) ?? fallback;
  const v = Deno.args[i + 1];
  if (v === undefined) throw new Error(`--${name}: expected a value`);
  return v;
}

function _int(name: string, fallback: number): number {
  const v = _arg(name, String(fallback));
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`chaos: --${name} expects a non-negative integer, found ${JSON.stringify(v)}`);
    Deno.exit(2);
  }
  return n;
}

const tier = _arg("tier", "embedded") as Tier;
if (tier !== "embedded" && tier !== "real") {
  console.error(`chaos: --tier expects embedded or real, found ${JSON.stringify(tier)}`);
  Deno.exit(2);
}
const seed = _int("seed", Math.floor(Math.random() * 2 ** 31));
const options = {
  seed,
  tier,
  durationMs: _int("duration", 60) * 1000,
  websites: _int("websites", 20),
  quiesceMs: _int("quiesce", tier === "real" ? 180 : 120) * 1000,
  say: (line: string) => console.log(line),
};
console.log(`chaos: seed ${seed} (replay: deno task chaos --tier ${tier} --seed ${seed})`);

const dir = await Deno.makeTempDir({ prefix: "okt-chaos-" });
let problems: string[];
try {
  problems = tier === "embedded" ? await _embedded(dir) : await _real(dir);
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
if (problems.length) {
  console.log(`chaos: FAILED with seed ${seed}:\n- ${problems.join("\n- ")}`);
  Deno.exit(1);
}
console.log(`chaos: ok (seed ${seed})`);
Deno.exit(0);

async function _embedded(dir: string): Promise<string[]> {
  // Bookmarks every second (kube-apiserver: every minute), the operators' liveness bound
  // scaled to match (--watch-idle-timeout 3s).
  await using server = await startApiServer({ bookmarkIntervalMs: 1000 });
  await using proxy = new CountingProxy({ upstream: server.url });
  const kubeconfigPath = `${dir}/kubeconfig`;
  await Deno.writeTextFile(kubeconfigPath, proxy.kubeconfig("default"));
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig }, { qps: 0 });
  const f = server.faults;
  const verbs = ["get", "list", "watch", "create", "update", "patch", "delete"];
  let latencySteps = 0;
  const faults: Faults = {
    kinds: [
      "drop",
      "silence",
      "garbage",
      "compact",
      "burst",
      "latency",
      "restart",
      "kill",
      "leaderkill",
    ],
    async inject(kind, rnd) {
      if (latencySteps > 0 && --latencySteps === 0) f.setLatency(0);
      switch (kind) {
        case "drop":
          f.dropWatches();
          return "drop every watch";
        case "silence":
          f.silenceWatches();
          return "silence every watch (half-open)";
        case "garbage":
          f.garbageWatches();
          return "a garbage line on every watch";
        case "compact":
          f.compact();
          f.dropWatches();
          return "compact history and drop watches (resumes get 410)";
        case "burst": {
          const n = 3 + Math.floor(rnd() * 12);
          const status = rnd() < 0.5 ? 429 : 500;
          // One verb, or (a third of the time) whatever requests come next, of every verb.
          const verb = rnd() < 1 / 3 ? undefined : verbs[Math.floor(rnd() * verbs.length)];
          f.failNext(n, { status, retryAfterSeconds: 1, ...(verb ? { verb } : {}) });
          return `${n} x ${status} on ${verb ?? "every verb"}`;
        }
        case "latency": {
          const ms = 50 + Math.floor(rnd() * 250);
          f.setLatency(ms);
          latencySteps = 3;
          return `latency ${ms} ms for a while`;
        }
        case "restart":
          await f.restart({ keepState: true });
          return "server restart (state kept)";
      }
      throw new Error(`unknown fault ${kind}`);
    },
    calm() {
      f.setLatency(0);
      f.garbageWatches({ sticky: false });
      return Promise.resolve();
    },
  };
  return await runChaos(options, {
    client,
    proxy,
    kubeconfigPath,
    namespace: "default",
    faults,
    // Scaled to the 1 s bookmarks, as the defaults (90 s, 60 s) are to kube-apiserver's 60 s.
    operatorFlags: ["--watch-idle-timeout", "3s", "--watch-stale-threshold", "5s"],
  });
}

async function _real(dir: string): Promise<string[]> {
  await using envtest = await startEnvtest();
  const upstream = Deno.createHttpClient({
    caCerts: [envtest.caPem],
    cert: envtest.clientCertPem,
    key: envtest.clientKeyPem,
  });
  try {
    await using proxy = new CountingProxy({ upstream: envtest.url, client: upstream });
    const namespace = `chaos-${seed}`;
    const kubeconfigPath = `${dir}/kubeconfig`;
    await Deno.writeTextFile(kubeconfigPath, proxy.kubeconfig(namespace));
    using client = await KubeClient.fromKubeConfig({ path: envtest.kubeconfigPath }, { qps: 0 });
    await client.resource(Namespaces).create({ metadata: { name: namespace } });
    const faults: Faults = {
      kinds: ["etcd", "kube-apiserver", "kill", "leaderkill"],
      async inject(kind, rnd) {
        const name = kind as "etcd" | "kube-apiserver";
        await envtest.kill(name);
        const down = 500 + Math.floor(rnd() * 3000);
        await new Promise((r) => setTimeout(r, down));
        await envtest.restart(name);
        return `SIGKILL ${name}, restarted after ${down} ms`;
      },
      calm: () => Promise.resolve(),
    };
    // kube-apiserver bookmarks every 60 s: the default liveness bound and stale threshold.
    return await runChaos(options, {
      client,
      proxy,
      kubeconfigPath,
      namespace,
      faults,
      operatorFlags: [],
    });
  } finally {
    upstream.close();
  }
}
