// The operatorkit peers' workload, given the SDK names from whichever entry point the peer
// imports (operatorkit_peer.ts: the package root; operatorkit_parts_peer.ts: the client and
// informer entry points).
import type { ConfigMaps, Informer, KubeClient } from "../../mod.ts";
import { cpuMs, heapAfterGc, peerEnv, rss, rvSum } from "./_measure.ts";

/** The SDK names the workload uses. */
export interface Sdk {
  ConfigMaps: typeof ConfigMaps;
  Informer: typeof Informer;
  KubeClient: typeof KubeClient;
}

/** Runs the informer workload and prints the peer's JSON result. */
export async function runInformerPeer({ ConfigMaps, Informer, KubeClient }: Sdk): Promise<void> {
  const env = peerEnv();
  const client = await KubeClient.fromKubeConfig({ path: env.kubeconfig }, { qps: 0 });
  const identity = Deno.env.get("PEER_TRANSFORM") === "identity";
  const informer = new Informer(client.resource(ConfigMaps), {
    namespace: env.namespace,
    pageSize: env.pageSize,
    useStreamingList: Deno.env.get("PEER_LIST") === "stream",
    initialListFromCache: Deno.env.get("PEER_LIST") === "cache",
    ...(identity ? { transform: <T>(o: T) => o } : {}),
  });
  let updates = 0;
  const { promise: watched, resolve } = Promise.withResolvers<void>();
  informer.addHandler({
    onUpdate: () => {
      if (++updates === env.events) resolve();
    },
  });
  const out: Record<string, unknown> = { idleRss: rss() };
  const t0 = performance.now();
  const c0 = cpuMs();
  informer.start();
  await informer.ready();
  const t1 = performance.now();
  const c1 = cpuMs();
  Object.assign(out, {
    syncWallMs: t1 - t0,
    syncCpuMs: c1 - c0,
    syncRss: rss(),
    synced: informer.store.size,
  });
  // Tells the harness to let the watch events flow.
  console.log('{"phase":"synced"}');
  if (env.events > 0) {
    await watched;
    Object.assign(out, { watchWallMs: performance.now() - t1, watchCpuMs: cpuMs() - c1 });
  }
  Object.assign(out, {
    endRss: rss(),
    events: updates,
    objects: informer.store.size,
    rvSum: rvSum(informer.store.list()),
    heap: heapAfterGc(),
  });
  console.log(JSON.stringify(out));
  await informer.stop();
  client[Symbol.dispose]?.();
}
