// The embedded API server with a small test CRD, for controller unit tests that need a real
// API (guarded JSON patches, deletion with finalizers, watches) instead of an in-memory fake.
import { z } from "zod";
import { defineCustomResource, ensureCustomResourceDefinition } from "../client/custom_resource.ts";
import { KubeClient } from "../client/kube_client.ts";
import type { ResourceClient } from "../client/resource_client.ts";
import type { KubeObject } from "../client/types.ts";
import { type ApiServer, type ApiServerOptions, startApiServer } from "../testing/api_server.ts";

export const Thing = defineCustomResource({
  group: "unit.operatorkit.io",
  version: "v1",
  kind: "Thing",
  scope: "Namespaced",
  spec: z.object({ n: z.int().default(0) }),
  status: z.object({ seen: z.int().optional() }),
});

export interface ServerEnv extends AsyncDisposable {
  server: ApiServer;
  client: KubeClient;
  things: ResourceClient<KubeObject>;
  /** Creates Thing `name` in `default`. */
  create(name: string, metadata?: KubeObject["metadata"]): Promise<KubeObject>;
  /** The Thing from the server, or undefined when it is gone. */
  get(name: string): Promise<KubeObject | undefined>;
  /** Merge-patches Thing `name`. */
  merge(name: string, body: unknown): Promise<KubeObject>;
}

export async function startServerEnv(options: ApiServerOptions = {}): Promise<ServerEnv> {
  const server = await startApiServer(options);
  const client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  try {
    await ensureCustomResourceDefinition(client, Thing);
  } catch (err) {
    client.close();
    await server.close();
    throw err;
  }
  const things = client.resource(Thing) as unknown as ResourceClient<KubeObject>;
  return {
    server,
    client,
    things,
    create: (name, metadata = {}) =>
      things.create({
        metadata: { ...metadata, name, namespace: "default" },
        spec: { n: 0 },
      } as KubeObject),
    async get(name) {
      try {
        return await things.get(name, { namespace: "default" });
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    },
    merge: (name, body) => things.patch(name, { namespace: "default", type: "merge", body }),
    async [Symbol.asyncDispose]() {
      client.close();
      await server.close();
    },
  };
}

/** Waits (real time, for watch events from the server) until `check()` holds. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`Expected a condition within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
