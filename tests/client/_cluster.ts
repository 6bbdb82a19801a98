// Set-up shared by tests/client and tests/crd: a cluster from testCluster() (the embedded API
// server, or the real one named by OPERATORKIT_TEST_KUBECONFIG), a KubeClient whose default
// namespace is a fresh one made for this test, so tests never meet each other's objects on a
// shared real server.
//
// Cleanup deletes the namespace. On a bare kube-apiserver (no controller-manager) a deleted
// namespace stays Terminating with its objects, which is harmless: every test uses a new name.
import { Namespaces } from "../../client/builtins.ts";
import { KubeClient, type KubeClientOptions } from "../../client/kube_client.ts";
import {
  type TestCluster,
  testCluster,
  type TestClusterOptions,
} from "../../testing/test_cluster.ts";

/** One test's cluster, client and namespace; dispose at the end of the test. */
export interface ClusterEnv extends AsyncDisposable {
  readonly cluster: TestCluster;
  /** A client whose default namespace is {@linkcode ClusterEnv.namespace}. */
  readonly client: KubeClient;
  /** The namespace made for this test. */
  readonly namespace: string;
}

let _seq = 0;

/** A name no other test (in this process or another) uses: `<prefix>-<time>-<n>`. */
export function uniqueName(prefix: string): string {
  const rand = Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, "0");
  return `${prefix}-${Date.now().toString(36)}-${++_seq}${rand}`;
}

/** Starts (or connects to) the cluster and makes a fresh namespace named `<prefix>-...`. */
export async function clusterEnv(
  prefix: string,
  options: TestClusterOptions & { client?: KubeClientOptions } = {},
): Promise<ClusterEnv> {
  const { client: clientOptions, ...clusterOptions } = options;
  const stack = new AsyncDisposableStack();
  try {
    const cluster = stack.use(await testCluster(clusterOptions));
    const namespace = uniqueName(prefix);
    const client = await KubeClient.fromKubeConfig(
      { document: cluster.kubeconfig, namespace },
      { qps: 0, ...clientOptions },
    );
    stack.defer(() => client.close());
    await client.resource(Namespaces).create({ metadata: { name: namespace } });
    stack.defer(async () => {
      await client.resource(Namespaces).delete(namespace).catch(() => {});
    });
    const moved = stack.move();
    return {
      cluster,
      client,
      namespace,
      [Symbol.asyncDispose]: () => moved.disposeAsync(),
    };
  } catch (error) {
    await stack.disposeAsync();
    throw error;
  }
}
