// Builds the peers outside the repository, under ~/.cache/operatorkit/peers/ (or
// $OPERATORKIT_PEERS_CACHE): client-go with `go build`, kube-rs with `cargo build --release`,
// @kubernetes/client-node with `npm ci`. Builds run niced with one job: the machine is
// shared. Each build is skipped when its output is newer than its pinned inputs.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

/** Where builds, node_modules and results go. */
export const CACHE = Deno.env.get("OPERATORKIT_PEERS_CACHE") ??
  join(Deno.env.get("HOME") ?? "/tmp", ".cache/operatorkit/peers");

/** Paths of the built peers (undefined when the toolchain is missing). */
export interface BuiltPeers {
  clientGo?: string;
  controllerRuntime?: string;
  kubeRs?: string;
  clientNode?: string;
  /** Why a peer could not be built. */
  missing: string[];
}

function mtime(path: string): number {
  try {
    return Deno.statSync(path).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

async function has(cmd: string): Promise<boolean> {
  try {
    const args = cmd === "go" ? ["version"] : ["--version"];
    const o = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" })
      .output();
    return o.success;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const o = await new Deno.Command("nice", {
    args: ["-n", "19", cmd, ...args],
    cwd,
    env,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!o.success) {
    throw new Error(`expected \`${cmd} ${args.join(" ")}\` in ${cwd} to succeed, it failed`);
  }
}

/** Builds what is missing or stale and returns the peers' paths. */
export async function buildPeers(
  want: (peer: "client-go" | "kube-rs" | "client-node" | "controller-runtime") => boolean = () =>
    true,
  log: (msg: string) => void = console.error,
): Promise<BuiltPeers> {
  const out: BuiltPeers = { missing: [] };
  Deno.mkdirSync(join(CACHE, "bin"), { recursive: true });

  // The Go peers: one module each, built with `go build` into the cache's bin/.
  const goPeer = async (peer: "client-go" | "controller-runtime", dir: string) => {
    if (!want(peer)) return undefined;
    if (!(await has("go"))) {
      out.missing.push(`${peer}: no \`go\` on PATH`);
      return undefined;
    }
    const src = join(here, dir);
    const bin = join(CACHE, "bin", dir);
    if (mtime(bin) < Math.max(...["main.go", "go.mod", "go.sum"].map((f) => mtime(join(src, f))))) {
      log(`building the ${peer} peer (go build, niced, one job)...`);
      await run("go", ["build", "-p", "1", "-o", bin, "."], src, { GOMAXPROCS: "1" });
    }
    return bin;
  };
  out.clientGo = await goPeer("client-go", "client_go");
  out.controllerRuntime = await goPeer("controller-runtime", "controller_runtime");

  const rsDir = join(here, "kube_rs");
  const rsTarget = join(CACHE, "kube_rs-target");
  const rsBin = join(rsTarget, "release", "operatorkit-peer-kube-rs");
  if (!want("kube-rs")) { /* not asked for */ }
  else if (!(await has("cargo"))) out.missing.push("kube-rs: no `cargo` on PATH");
  else {
    const src = Math.max(
      ...["Cargo.toml", "Cargo.lock", "src/main.rs"].map((f) => mtime(join(rsDir, f))),
    );
    if (mtime(rsBin) < src) {
      log(
        "building the kube-rs peer (cargo build --release, niced, one job; first build ~15 min)...",
      );
      await run("cargo", ["build", "--release", "--locked"], rsDir, {
        CARGO_TARGET_DIR: rsTarget,
        CARGO_BUILD_JOBS: "1",
      });
    }
    out.kubeRs = rsBin;
  }

  const nodeDir = join(here, "client_node");
  const nodeCache = join(CACHE, "client_node");
  if (!want("client-node")) { /* not asked for */ }
  else if (!(await has("node")) || !(await has("npm"))) {
    out.missing.push("client-node: no `node`/`npm`");
  } else {
    Deno.mkdirSync(nodeCache, { recursive: true });
    const lock = join(nodeCache, "package-lock.json");
    const stale = mtime(lock) < mtime(join(nodeDir, "package-lock.json")) ||
      mtime(join(nodeCache, "node_modules")) === 0;
    for (const f of ["package.json", "package-lock.json", "peer.mjs"]) {
      Deno.copyFileSync(join(nodeDir, f), join(nodeCache, f));
    }
    if (stale) {
      log("installing the client-node peer (npm ci)...");
      await run("npm", ["ci", "--no-audit", "--no-fund"], nodeCache);
    }
    out.clientNode = join(nodeCache, "peer.mjs");
  }
  return out;
}

if (import.meta.main) {
  const built = await buildPeers();
  console.log(JSON.stringify(built, null, 2));
}
