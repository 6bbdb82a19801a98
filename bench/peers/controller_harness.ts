// The controller benchmark: N new primaries (ConfigMaps labelled
// bench.operatorkit.dev/primary=true), each needing a finalizer and one applied child, against
// a real kube-apiserver; operatorkit vs controller-runtime with the same logic and the same
// concurrency. Reports time to quiescence (every primary has its finalizer and child) and the
// operator process's CPU. See bench/peers/README.md.
//
//   deno task bench:peers:controller --kubeconfig PATH [--objects 10000]
//       [--concurrency 1,10,50] [--rounds 1] [--peers operatorkit,controller-runtime] [--publish]
//
// Each run gets a fresh namespace, and its objects are left behind (they carry finalizers that
// nobody removes once the operator stops): use a throwaway cluster such as `deno task envtest`.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigMaps, KubeClient, Namespaces } from "../../mod.ts";
import { buildPeers, CACHE } from "./build.ts";
import { deployedEnv } from "./_deployed_env.ts";
import { median } from "./_targets.ts";

const here = fileURLToPath(new URL(".", import.meta.url));

interface Result {
  quiescenceMs: number;
  cpuMs: number;
  rss: number;
  done: number;
  reconciles: number;
}

function flags(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < Deno.args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(Deno.args[i]);
    if (!m) throw new Error(`expected --flag value, found ${JSON.stringify(Deno.args[i])}`);
    out[m[1]] = m[2] ??
      (m[1] === "publish" ? "true" : Deno.args[++i] ?? "");
  }
  const known = ["kubeconfig", "objects", "concurrency", "rounds", "peers", "publish"];
  for (const k of Object.keys(out)) {
    if (!known.includes(k)) {
      throw new Error(`unknown flag --${k}; expected --${known.join(", --")}`);
    }
  }
  if (!out.kubeconfig) throw new Error("expected --kubeconfig naming a (throwaway) cluster");
  return out;
}

async function main(): Promise<void> {
  const f = flags();
  const objects = Number(f.objects ?? 10_000);
  const rounds = Number(f.rounds ?? 1);
  const levels = (f.concurrency ?? "1,10,50").split(",").map(Number);
  const wanted = (f.peers ?? "operatorkit,controller-runtime").split(",");
  const built = await buildPeers((p) => p === "controller-runtime" && wanted.includes(p));
  const peers: Array<{ id: string; cmd: string[]; env?: Record<string, string> }> = [];
  if (wanted.includes("operatorkit")) {
    peers.push({
      id: "operatorkit",
      cmd: [Deno.execPath(), "run", "--allow-all", join(here, "operatorkit_controller.ts")],
      env: await deployedEnv(),
    });
  }
  if (wanted.includes("controller-runtime")) {
    if (!built.controllerRuntime) throw new Error(built.missing.join("; "));
    peers.push({ id: "controller-runtime", cmd: [built.controllerRuntime] });
  }
  await new Deno.Command(Deno.execPath(), {
    args: ["cache", join(here, "operatorkit_controller.ts")],
  })
    .output();

  await using client = await KubeClient.fromKubeConfig({ path: f.kubeconfig }, { qps: 0 });
  const cms = client.resource(ConfigMaps);
  const results = new Map<string, Result[]>();
  const failures: string[] = [];
  const stamp = Date.now().toString(36);
  let run = 0;
  for (let r = 0; r < rounds; r++) {
    for (const c of levels) {
      const order = peers.map((_, i) => peers[(i + r + c) % peers.length]);
      for (const p of order) {
        const ns = `ctl-${stamp}-${run++}`;
        await client.resource(Namespaces).create({ metadata: { name: ns } });
        let next = 0;
        await Promise.all(Array.from({ length: 32 }, async () => {
          while (next < objects) {
            const i = next++;
            await cms.create({
              metadata: {
                name: `primary-${i}`,
                namespace: ns,
                labels: { "bench.operatorkit.dev/primary": "true" },
              },
              data: { n: String(i) },
            }, { namespace: ns });
          }
        }));
        const child = new Deno.Command(p.cmd[0], {
          args: p.cmd.slice(1),
          env: {
            ...p.env,
            PEER_KUBECONFIG: f.kubeconfig,
            PEER_NAMESPACE: ns,
            PEER_OBJECTS: String(objects),
            PEER_CONCURRENCY: String(c),
          },
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const timer = setTimeout(() => child.kill("SIGKILL"), 900_000);
        const o = await child.output();
        clearTimeout(timer);
        const id = `${p.id} c=${c}`;
        try {
          const lines = new TextDecoder().decode(o.stdout).trim().split("\n");
          if (!o.success) {
            throw new Error(`exited ${o.code}: ${new TextDecoder().decode(o.stderr).slice(-1500)}`);
          }
          const res = JSON.parse(lines[lines.length - 1]) as Result;
          // Checked from outside: every primary has the finalizer, every child exists.
          let withFinalizer = 0, children = 0;
          for await (const cm of cms.listAll({ namespace: ns, limit: 500 })) {
            if (cm.metadata.labels?.["bench.operatorkit.dev/child"] === "true") children++;
            else if (cm.metadata.finalizers?.includes("bench.operatorkit.dev/cleanup")) {
              withFinalizer++;
            }
          }
          if (withFinalizer !== objects || children !== objects) {
            throw new Error(
              `expected ${objects} primaries with the finalizer and ${objects} children, found ` +
                `${withFinalizer} and ${children}`,
            );
          }
          if (!results.has(id)) results.set(id, []);
          results.get(id)!.push(res);
          console.error(
            `round ${r + 1} ${id}: ${res.quiescenceMs.toFixed(0)} ms to quiescence, ` +
              `${res.cpuMs.toFixed(0)} ms CPU`,
          );
        } catch (err) {
          failures.push(`round ${r + 1} ${id}: ${err instanceof Error ? err.message : err}`);
          console.error(`FAILED ${failures.at(-1)}`);
        }
      }
    }
  }
  const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  const lines = [
    `Controller benchmark, ${new Date().toISOString().slice(0, 10)}: ${objects} new primaries ` +
    `(finalizer + one applied child each), real kube-apiserver, medians of ${rounds} round(s); ` +
    `load average at the end ${load}.`,
    "",
    "| concurrency | peer | time to quiescence (ms) | operator CPU (ms) | RSS at end (MB) | ratio (time, CPU) |",
    "|---:|---|---:|---:|---:|---|",
  ];
  for (const c of levels) {
    const ref = results.get(`controller-runtime c=${c}`);
    for (const p of peers) {
      const rs = results.get(`${p.id} c=${c}`);
      if (!rs) continue;
      const t = median(rs.map((x) => x.quiescenceMs)), cpu = median(rs.map((x) => x.cpuMs));
      const ratio = p.id === "operatorkit" && ref
        ? `${(t / median(ref.map((x) => x.quiescenceMs))).toFixed(2)}x, ${
          (cpu / median(ref.map((x) => x.cpuMs))).toFixed(2)
        }x`
        : "";
      lines.push(
        `| ${c} | ${p.id} | ${t.toFixed(0)} | ${cpu.toFixed(0)} | ${
          (median(rs.map((x) => x.rss)) / 1048576).toFixed(0)
        } | ${ratio} |`,
      );
    }
  }
  if (failures.length) lines.push("", "Failures:", ...failures.map((x) => `- ${x}`));
  const report = lines.join("\n") + "\n";
  console.log(report);
  const outDir = join(CACHE, "results");
  Deno.mkdirSync(outDir, { recursive: true });
  Deno.writeTextFileSync(join(outDir, `controller-${objects}.md`), report);
  if (f.publish === "true") {
    Deno.writeTextFileSync(join(here, "results", `controller-${objects}.md`), report);
  }
  if (failures.length) Deno.exitCode = 1;
}

if (import.meta.main) await main();
