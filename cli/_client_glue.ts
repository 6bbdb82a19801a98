// The runtime's only contact with the client implementation: connect from flags, a client
// that never connects (for `manifests`), Leases, and CRD installation.
import { Leases } from "../client/builtins.ts";
import { ensureCustomResourceDefinition } from "../client/custom_resource.ts";
import { KubeClient } from "../client/kube_client.ts";
import { loadKubeConfig } from "../client/kubeconfig.ts";
import type { CustomResourceDefinition } from "../client/builtin_types.ts";
import type { OperatorFlags } from "./flags.ts";
import type { LeaseApi } from "./leader_election.ts";

/** The client operators get: operatorkit's `KubeClient`. */
export type { KubeClient as OperatorClient };

export async function _connect(
  flags: OperatorFlags,
  env: Record<string, string>,
): Promise<KubeClient & { readonly server: string }> {
  const config = await loadKubeConfig({
    env,
    ...(flags.kubeconfig ? { path: flags.kubeconfig, mode: "kubeconfig" as const } : {}),
    ...(flags.context ? { context: flags.context } : {}),
  });
  const client = new KubeClient(config, { fieldManager: "operatorkit" });
  return Object.assign(client, { server: config.server });
}

/** A client for building controllers without talking to a cluster (it is never used). */
export async function _offlineClient(): Promise<KubeClient> {
  const config = await loadKubeConfig({
    mode: "kubeconfig",
    document: {
      clusters: [{ name: "offline", cluster: { server: "http://127.0.0.1:1" } }],
      contexts: [{ name: "offline", context: { cluster: "offline" } }],
      "current-context": "offline",
    },
  });
  return new KubeClient(config);
}

export function _leaseApi(client: KubeClient): LeaseApi {
  return client.resource(Leases) as unknown as LeaseApi;
}

export async function _installCrds(
  client: KubeClient,
  types: ReadonlyArray<{ crd: CustomResourceDefinition }>,
  signal: AbortSignal,
): Promise<void> {
  for (const t of types) {
    await ensureCustomResourceDefinition(client, t.crd, { signal });
  }
}
