// What every Deno peer measures about itself, the same way the Go, Rust and Node peers do:
// process CPU (all threads, getrusage), RSS (/proc/self/status) and heap after a full GC.
import process from "node:process";

/** Process CPU time (user + system, all threads) in milliseconds. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Resident set size in bytes. */
export function rss(): number {
  const m = /VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Heap in use after a full collection (needs --v8-flags=--expose-gc). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("expected --v8-flags=--expose-gc, found no gc()");
  gc();
  return Deno.memoryUsage().heapUsed;
}

/** The peer's environment: what to read and how much of it. */
export function peerEnv(): {
  kubeconfig: string;
  namespace: string;
  objects: number;
  events: number;
  pageSize: number;
} {
  const get = (name: string) => {
    const v = Deno.env.get(name);
    if (!v) throw new Error(`expected the environment variable ${name}`);
    return v;
  };
  return {
    kubeconfig: get("PEER_KUBECONFIG"),
    namespace: get("PEER_NAMESPACE"),
    objects: Number(get("PEER_OBJECTS")),
    events: Number(get("PEER_EVENTS")),
    pageSize: Number(Deno.env.get("PEER_PAGE_SIZE") ?? "500"),
  };
}

/** Sums resourceVersions (the harness compares it with what a lossless cache ends with). */
export function rvSum(objects: Iterable<{ metadata: { resourceVersion?: string } }>): string {
  let sum = 0n;
  for (const o of objects) sum += BigInt(o.metadata.resourceVersion ?? "0");
  return String(sum);
}
