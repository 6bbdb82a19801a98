// The chaos suite: the Website operator (examples/website/main.ts) as two leader-elected
// subprocesses behind a counting proxy, a seeded random workload of Website creates, updates
// and deletes, and a seeded random schedule of faults; then, at quiescence, the invariants.
//
// Embedded tier faults: watch drops, half-open silences, garbage lines, 410 compaction, 429
// and 500 bursts on every verb, latency, a server restart with state kept, an operator
// kill -9 and restart, and a kill -9 of the leader. Real tier (a kube-apiserver + etcd of
// our own): kill -9 and restart of etcd and of kube-apiserver, operator and leader kill -9.
//
// Invariants (all must hold together within the quiescence budget):
// - each of the leader's informer caches holds exactly the objects of a fresh LIST, by count
//   and by a fingerprint of their (uid, resourceVersion) pairs from /metrics, and a change made
//   after quiescence reaches the children (the watches work);
// - every live Website has exactly its ConfigMap, Deployment and Service, owned by it, with
//   the right content; no other managed child exists;
// - every deleted Website is gone (its finalizer ran and was removed) and so are its
//   children; each child that was created was deleted successfully exactly once (counted at
//   the proxy; zero only when a DELETE's answer was lost on the way, and the child is gone);
// - no child was created twice;
// - /readyz is 200 on both replicas.
// The seed is printed first; `--seed N` replays the same decisions.
import { ConfigMaps, Deployments, Leases, Services } from "../../client/builtins.ts";
import type { KubeClient } from "../../client/kube_client.ts";
import type { KubeObject } from "../../client/types.ts";
import { Website } from "../../examples/website/website.ts";
import { OperatorProcess, TEST_FLAGS } from "../cli/_process.ts";
import { prng } from "../informer/_env.ts";
import { _cacheFingerprint } from "../../informer/_fingerprint.ts";
import type { CountingProxy } from "./_proxy.ts";

export type Tier = "embedded" | "real";

export interface ChaosOptions {
  seed: number;
  /** How long faults and workload run, in ms. */
  durationMs: number;
  /** Live Websites to keep around. */
  websites: number;
  /** How long the system may take to settle after the faults stop. */
  quiesceMs: number;
  tier: Tier;
  /** One line of progress. */
  say: (line: string) => void;
}

/** The operations a tier's fault schedule picks from. */
export interface Faults {
  kinds: readonly string[];
  inject(kind: string, rnd: () => number): Promise<string>;
  /** Undo lasting faults (latency) before quiescence. */
  calm(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

/** Two operator replicas with leader election, restartable. */
export class Replicas implements AsyncDisposable {
  readonly procs: OperatorProcess[] = [];
  started = 0;

  constructor(
    readonly kubeconfigPath: string,
    readonly namespace: string,
    readonly flags: readonly string[],
  ) {}

  /** Replicas that exited on their own (not killed by us), with their exit codes. */
  readonly exits: Array<{ replica: number; code: number; tail: string }> = [];
  readonly #exited = new Set<OperatorProcess>();
  readonly #killed = new Set<OperatorProcess>();

  /**
   * Restarts replicas that exited on their own, as the kubelet restarts a pod's container;
   * returns how many.
   */
  async revive(): Promise<number> {
    let n = 0;
    for (const [i, p] of this.procs.entries()) {
      if (!this.#exited.has(p) || this.#killed.has(p)) continue;
      const status = await p.status;
      this.exits.push({ replica: i, code: status.code, tail: p.tail(5) });
      await p[Symbol.asyncDispose]();
      this.start(i);
      n++;
    }
    return n;
  }

  start(i: number): void {
    this.started++;
    const p = this.procs[i] = new OperatorProcess("examples/website/main.ts", [
      ...TEST_FLAGS,
      "--kubeconfig",
      this.kubeconfigPath,
      "--namespace",
      this.namespace,
      "--leader-elect",
      "--leader-election-lease-duration",
      "6s",
      "--leader-election-renew-deadline",
      "4s",
      "--leader-election-retry-period",
      "1s",
      ...this.flags,
    ]);
    p.status.then(() => this.#exited.add(p));
  }

  async kill(i: number): Promise<void> {
    const p = this.procs[i];
    this.#killed.add(p);
    p.kill("SIGKILL");
    await p[Symbol.asyncDispose]();
    this.start(i);
  }

  /** The index of the replica holding the lease, if known. */
  async leader(client: KubeClient): Promise<number | undefined> {
    const holder = await _leaseHolder(client, this.namespace);
    if (!holder) return undefined;
    const i = this.procs.findIndex((p) => {
      try {
        return p.records().some((r) =>
          r.message.includes("became leader") && r.properties.identity === holder
        );
      } catch {
        return false;
      }
    });
    return i < 0 ? undefined : i;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const p of this.procs) if (p) await p[Symbol.asyncDispose]();
  }
}

async function _leaseHolder(client: KubeClient, ns: string): Promise<string | undefined> {
  try {
    const lease = await client.resource(Leases).get("website-operator-leader", { namespace: ns });
    return lease.spec?.holderIdentity || undefined;
  } catch {
    return undefined;
  }
}

/** Retries a harness write through faults; `ok` decides which errors mean done. */
async function _retry<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (e: { code?: number }) => boolean = () => false,
): Promise<T | undefined> {
  const deadline = Date.now() + 120_000;
  for (let i = 0;; i++) {
    try {
      return await fn();
    } catch (err) {
      if (ok(err as { code?: number })) return undefined;
      if (Date.now() > deadline) throw new Error(`harness: ${what} kept failing: ${err}`);
      await sleep(Math.min(2000, 100 * 2 ** i));
    }
  }
}

interface Model {
  live: Map<string, string>; // name -> html
  deleted: Set<string>;
  seq: number;
}

/** Runs one chaos round; resolves to the problems found (empty: passed). */
export async function runChaos(
  o: ChaosOptions,
  env: {
    client: KubeClient;
    proxy: CountingProxy;
    kubeconfigPath: string;
    namespace: string;
    faults: Faults;
    /** Extra operator flags (the watch liveness bound and stale threshold of the tier). */
    operatorFlags: readonly string[];
  },
): Promise<string[]> {
  const { client, proxy, namespace: ns } = env;
  const rnd = prng(o.seed);
  const started = Date.now();
  const t = () => ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  const schedule: string[] = [];
  const note = (line: string) => {
    schedule.push(`${t()}s ${line}`);
    o.say(`${t()}s ${line}`);
  };
  const websites = client.resource(Website);
  const model: Model = { live: new Map(), deleted: new Set(), seq: 0 };
  await using replicas = new Replicas(env.kubeconfigPath, ns, env.operatorFlags);
  replicas.start(0);
  replicas.start(1);

  const create = async () => {
    const name = `w${model.seq++}`;
    const html = `<h1>${name} v0</h1>`;
    model.live.set(name, html);
    await _retry(`create ${name}`, () =>
      websites.create({
        apiVersion: Website.apiVersion,
        kind: Website.kind,
        metadata: { name, namespace: ns },
        spec: { html, replicas: 1 },
      } as never), (e) => e.code === 409);
  };
  const update = async () => {
    if (model.live.size === 0) return;
    const name = pick(rnd, [...model.live.keys()].sort());
    const html = `<h1>${name} v${Math.floor(rnd() * 1e6)}</h1>`;
    model.live.set(name, html);
    await _retry(
      `update ${name}`,
      () => websites.patch(name, { namespace: ns, type: "merge", body: { spec: { html } } }),
    );
  };
  const remove = async () => {
    if (model.live.size <= o.websites / 2) return;
    const name = pick(rnd, [...model.live.keys()].sort());
    model.live.delete(name);
    model.deleted.add(name);
    await _retry(
      `delete ${name}`,
      () => websites.delete(name, { namespace: ns }),
      (e) => e.code === 404,
    );
  };

  // The CRD is installed by the operator: wait until Websites can be listed.
  await _retry("the Website CRD", () => websites.list({ namespace: ns }));
  note(`seed ${o.seed}: ${o.websites} Websites, ${o.durationMs / 1000} s of faults (${o.tier})`);
  for (let i = 0; i < o.websites; i++) await create();

  const until = Date.now() + o.durationMs;
  while (Date.now() < until) {
    const r = rnd();
    if (r < 0.3 && model.live.size < o.websites) await create();
    else if (r < 0.75) await update();
    else await remove();
    if (rnd() < 0.35) {
      const kind = pick(rnd, env.faults.kinds);
      if (kind === "kill" || kind === "leaderkill") {
        let i = Math.floor(rnd() * 2);
        if (kind === "leaderkill") i = (await replicas.leader(client)) ?? i;
        note(`${kind}: SIGKILL replica ${i} (pid ${replicas.procs[i].child.pid}), start a new one`);
        await replicas.kill(i);
      } else {
        note(await env.faults.inject(kind, rnd));
      }
    }
    if (await replicas.revive()) {
      const e = replicas.exits.at(-1)!;
      note(`replica ${e.replica} exited with code ${e.code}; restarted (as the kubelet would)`);
    }
    await sleep(100 + Math.floor(rnd() * 400));
  }
  await env.faults.calm();
  note(
    `faults stop; ${model.live.size} live, ${model.deleted.size} deleted; ` +
      `${replicas.started} operator starts; waiting for quiescence`,
  );

  // A change after the faults: every live Website gets a final html, which must reach its
  // ConfigMap (proves the watches and the leader work, not just that nothing changed).
  for (const name of [...model.live.keys()].sort()) {
    const html = `<h1>${name} final</h1>`;
    model.live.set(name, html);
    await _retry(
      `final update ${name}`,
      () => websites.patch(name, { namespace: ns, type: "merge", body: { spec: { html } } }),
    );
  }

  const deadline = Date.now() + o.quiesceMs;
  let problems: string[] = [];
  while (true) {
    if (await replicas.revive()) {
      const e = replicas.exits.at(-1)!;
      note(`replica ${e.replica} exited with code ${e.code}; restarted (as the kubelet would)`);
    }
    problems = await _invariants(client, proxy, replicas, model, ns);
    if (problems.length === 0) break;
    if (Date.now() > deadline) break;
    await sleep(2000);
  }
  const childOps = proxy.log.filter((r) =>
    (r.method === "POST" || r.method === "DELETE") &&
    /\/(configmaps|deployments|services)(\/|$)/.test(r.path)
  );
  note(
    `proxy: ${proxy.log.length} requests; child creates ${
      childOps.filter((r) => r.method === "POST").length
    } (${childOps.filter((r) => r.method === "POST" && r.status === 201).length} created), ` +
      `child deletes ${childOps.filter((r) => r.method === "DELETE").length} (${
        childOps.filter((r) => r.method === "DELETE" && r.status >= 200 && r.status < 300).length
      } succeeded)`,
  );
  for (const e of replicas.exits) {
    note(`replica ${e.replica} had exited by itself (code ${e.code}):\n${e.tail}`);
  }
  if (problems.length === 0) {
    note(`quiescent after ${((Date.now() - (deadline - o.quiesceMs)) / 1000).toFixed(1)} s: ok`);
  } else {
    o.say(`FAILED (seed ${o.seed}); schedule:\n${schedule.join("\n")}`);
    for (const [i, p] of replicas.procs.entries()) {
      const status = await Promise.race([p.status, sleep(100).then(() => undefined)]);
      o.say(
        `--- replica ${i} (pid ${p.child.pid}, ${
          status ? `exited ${status.code}` : "running"
        }, ${p.lines.length} log lines; last ones) ---\n${p.tail(15)}`,
      );
    }
  }
  return problems;
}

function _childPaths(ns: string, name: string) {
  return {
    configmap: {
      coll: `/api/v1/namespaces/${ns}/configmaps`,
      name: `${name}-html`,
    },
    deployment: { coll: `/apis/apps/v1/namespaces/${ns}/deployments`, name },
    service: { coll: `/api/v1/namespaces/${ns}/services`, name },
  };
}

async function _get<T extends KubeObject>(
  fn: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

async function _invariants(
  client: KubeClient,
  proxy: CountingProxy,
  replicas: Replicas,
  model: Model,
  ns: string,
): Promise<string[]> {
  const problems: string[] = [];
  const cms = client.resource(ConfigMaps);
  const deps = client.resource(Deployments);
  const svcs = client.resource(Services);
  const websites = client.resource(Website);
  try {
    // Live Websites: exactly their children, right content, owned.
    for (const [name, html] of model.live) {
      const site = await _get(() => websites.get(name, { namespace: ns }));
      if (!site) {
        problems.push(`live Website ${name} missing`);
        continue;
      }
      const uid = site.metadata.uid;
      const owned = (o: KubeObject | undefined) =>
        o?.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller) ?? false;
      const cm = await _get(() => cms.get(`${name}-html`, { namespace: ns }));
      if (!cm) problems.push(`ConfigMap ${name}-html missing`);
      else if (cm.data?.["index.html"] !== html) {
        problems.push(`ConfigMap ${name}-html has ${JSON.stringify(cm.data?.["index.html"])}`);
      } else if (!owned(cm)) problems.push(`ConfigMap ${name}-html not owned by ${uid}`);
      const dep = await _get(() => deps.get(name, { namespace: ns }));
      if (!dep || !owned(dep)) problems.push(`Deployment ${name} missing or not owned`);
      const svc = await _get(() => svcs.get(name, { namespace: ns }));
      if (!svc || !owned(svc)) problems.push(`Service ${name} missing or not owned`);
    }
    // Deleted Websites: gone, with their children.
    for (const name of model.deleted) {
      const site = await _get(() => websites.get(name, { namespace: ns }));
      if (site) {
        problems.push(
          `deleted Website ${name} still there (finalizers ${
            JSON.stringify(site.metadata.finalizers)
          })`,
        );
      }
    }
    // No managed child beyond those of live Websites.
    const selector = "app.kubernetes.io/managed-by=website-operator";
    const lists = {
      configmaps: await cms.list({ namespace: ns }),
      deployments: await deps.list({ namespace: ns }),
      services: await svcs.list({ namespace: ns }),
      websites: await websites.list({ namespace: ns }),
    };
    for (const [kind, list] of Object.entries(lists)) {
      if (kind === "websites") continue;
      for (const o of list.items) {
        const inst = o.metadata.labels?.["app.kubernetes.io/instance"];
        if (o.metadata.labels?.["app.kubernetes.io/managed-by"] !== "website-operator") continue;
        if (!inst || !model.live.has(inst)) {
          problems.push(`leftover ${kind} ${o.metadata.name} (instance ${inst}; ${selector})`);
        }
      }
    }
    // Creates and deletes as counted at the proxy.
    const ok = (s: number) => s >= 200 && s < 300;
    for (const name of [...model.live.keys(), ...model.deleted]) {
      for (const [kind, c] of Object.entries(_childPaths(ns, name))) {
        const creates = proxy.log.filter((r) =>
          r.method === "POST" && r.path === c.coll && r.name === c.name
        );
        const created = creates.filter((r) => ok(r.status)).length;
        if (created > 1) problems.push(`${kind} ${c.name} created ${created} times`);
        if (!model.deleted.has(name)) continue;
        const dels = proxy.log.filter((r) =>
          r.method === "DELETE" && r.path === `${c.coll}/${c.name}`
        );
        const succeeded = dels.filter((r) => ok(r.status)).length;
        const lost = dels.some((r) => r.status === 502);
        if (succeeded > 1) problems.push(`${kind} ${c.name} deleted ${succeeded} times`);
        if (created === 1 && succeeded === 0 && !lost) {
          problems.push(`${kind} ${c.name} was created but never deleted by the operator`);
        }
        if (created === 1 && dels.length === 0) {
          problems.push(`${kind} ${c.name}: no DELETE from the operator (cleanup never ran)`);
        }
      }
    }
    // Readiness of both replicas; the leader's informer caches against fresh LISTs.
    const leader = await replicas.leader(client);
    if (leader === undefined) problems.push("no leader");
    for (const [i, p] of replicas.procs.entries()) {
      const url = await p.probeUrl();
      const r = await fetch(`${url}/readyz`).catch((err) => {
        throw new Error(`replica ${i} (pid ${p.child.pid}) ${url}/readyz: ${err.message}`);
      });
      const text = await r.text();
      if (r.status !== 200) problems.push(`replica ${i} /readyz ${r.status}: ${text.trim()}`);
      if (i !== leader) continue;
      const metrics = await (await fetch(`${url}/metrics`)).text();
      for (
        const [resource, list] of [
          ["websites.demo.operatorkit.io", lists.websites],
          ["configmaps", lists.configmaps],
          ["deployments.apps", lists.deployments],
          ["services", lists.services],
        ] as const
      ) {
        const sample =
          `operatorkit_informer_cached_objects{resource="${resource}",namespace="${ns}"}`;
        const line = metrics.split("\n").find((l) => l.startsWith(sample + " "));
        const cached = line === undefined ? undefined : Number(line.slice(sample.length + 1));
        if (cached !== list.items.length) {
          problems.push(`leader cache of ${resource}: ${cached}, fresh LIST: ${list.items.length}`);
        }
        // The same (uid, resourceVersion) set, not just the same count.
        const fpSample =
          `operatorkit_informer_cache_fingerprint{resource="${resource}",namespace="${ns}"}`;
        const fpLine = metrics.split("\n").find((l) => l.startsWith(fpSample + " "));
        const fp = fpLine === undefined ? undefined : Number(fpLine.slice(fpSample.length + 1));
        const want = _cacheFingerprint(list.items);
        if (fp !== want) {
          problems.push(
            `leader cache of ${resource} differs from a fresh LIST (fingerprint ${fp}, LIST ${want})`,
          );
        }
      }
    }
  } catch (err) {
    problems.push(`checking failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  return problems;
}
