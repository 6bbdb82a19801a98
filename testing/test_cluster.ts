/**
 * A cluster for integration tests: the real one named by `OPERATORKIT_TEST_KUBECONFIG`
 * (testing tier 3), else the embedded API server (tier 2).
 *
 * @module
 */
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { type ApiServerFaults, type ApiServerOptions, startApiServer } from "./api_server.ts";

/**
 * A cluster to run a test against.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type TestCluster, testCluster } from "./test_cluster.ts";
 * await using cluster: TestCluster = await testCluster({ realKubeconfig: null });
 * assert.equal(cluster.real, false);
 * assert.ok(cluster.faults);
 * const version = await fetch(`${cluster.url}/version`);
 * assert.equal(version.status, 200);
 * await version.body?.cancel();
 * ```
 */
export interface TestCluster extends AsyncDisposable {
  /** The API server's URL (the kubeconfig's current cluster server). */
  readonly url: string;
  /** The kubeconfig as an object. */
  readonly kubeconfig: Record<string, unknown>;
  /** The kubeconfig as YAML. */
  readonly kubeconfigYaml: string;
  /** Fault controls: only on the embedded server. */
  readonly faults?: ApiServerFaults;
  /** True when this is the real cluster from `OPERATORKIT_TEST_KUBECONFIG`. */
  readonly real: boolean;
}

/**
 * The environment variable naming a real cluster's kubeconfig.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TEST_KUBECONFIG_ENV, testCluster } from "./test_cluster.ts";
 * // without options, the variable decides: a real cluster when it is set, else the embedded one
 * await using cluster = await testCluster();
 * assert.equal(cluster.real, Deno.env.get(TEST_KUBECONFIG_ENV) !== undefined);
 * ```
 */
export const TEST_KUBECONFIG_ENV = "OPERATORKIT_TEST_KUBECONFIG";

function currentServer(config: Record<string, unknown>, path: string): string {
  const ctxName = config["current-context"];
  const contexts = (config.contexts ?? []) as Array<{ name: string; context: { cluster: string } }>;
  const ctx = contexts.find((c) => c.name === ctxName);
  const clusters = (config.clusters ?? []) as Array<{ name: string; cluster: { server: string } }>;
  const cluster = clusters.find((c) => c.name === ctx?.context.cluster);
  if (!cluster?.cluster?.server) {
    throw new Error(
      `${TEST_KUBECONFIG_ENV}=${path}: expected a current-context whose cluster has a server, found none`,
    );
  }
  return cluster.cluster.server;
}

/**
 * Options of {@linkcode testCluster}: those of `startApiServer` for the embedded tier, plus
 * the real cluster's kubeconfig path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startApiServer } from "./api_server.ts";
 * import { testCluster, type TestClusterOptions } from "./test_cluster.ts";
 * // a "real" cluster: here another embedded server, named by its kubeconfig file
 * await using server = await startApiServer();
 * const path = await Deno.makeTempFile({ suffix: ".yaml" });
 * await server.writeKubeconfig(path);
 * const options: TestClusterOptions = { realKubeconfig: path };
 * await using cluster = await testCluster(options);
 * assert.equal(cluster.real, true);
 * assert.equal(cluster.url, server.url);
 * assert.equal(cluster.faults, undefined);
 * await Deno.remove(path);
 * ```
 */
export interface TestClusterOptions extends ApiServerOptions {
  /**
   * Kubeconfig of a real cluster to use instead of the embedded server; `null` forces the
   * embedded server.
   * @default {the value of `OPERATORKIT_TEST_KUBECONFIG`}
   */
  realKubeconfig?: string | null;
}

/**
 * Returns the cluster tests should use. On the embedded tier, `options` go to
 * `startApiServer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { testCluster } from "./test_cluster.ts";
 * await using cluster = await testCluster({ realKubeconfig: null, bookmarkIntervalMs: 1000 });
 * const res = await fetch(`${cluster.url}/api/v1/namespaces/default`);
 * assert.equal(res.status, 200);
 * assert.equal((await res.json()).metadata.name, "default");
 * ```
 */
export async function testCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const { realKubeconfig, ...serverOptions } = options;
  const path = realKubeconfig === undefined ? Deno.env.get(TEST_KUBECONFIG_ENV) : realKubeconfig;
  if (path) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      throw new Error(`${TEST_KUBECONFIG_ENV}=${path}: cannot read the kubeconfig`, { cause: e });
    }
    const kubeconfig = parseYaml(text) as Record<string, unknown>;
    return {
      url: currentServer(kubeconfig, path),
      kubeconfig,
      kubeconfigYaml: toYaml(kubeconfig),
      real: true,
      [Symbol.asyncDispose]: () => Promise.resolve(),
    };
  }
  const server = await startApiServer(serverOptions);
  return {
    url: server.url,
    kubeconfig: server.kubeconfig,
    kubeconfigYaml: server.kubeconfigYaml,
    faults: server.faults,
    real: false,
    [Symbol.asyncDispose]: () => server.close(),
  };
}

/**
 * The cluster's fault controls; throws on a cluster without them (the real tier), so a test
 * that needs faults never passes without asserting. Declare such tests ignored on the real
 * tier: `Deno.test({ name, ignore: Boolean(Deno.env.get(TEST_KUBECONFIG_ENV)), fn })`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireFaults, testCluster } from "./test_cluster.ts";
 * await using cluster = await testCluster({ realKubeconfig: null });
 * const faults = requireFaults({ name: "drops watches" }, cluster);
 * assert.equal(faults, cluster.faults);
 * faults.dropWatches();
 * ```
 */
export function requireFaults(
  t: Deno.TestContext | { name: string },
  cluster: TestCluster,
): ApiServerFaults {
  if (cluster.faults) return cluster.faults;
  throw new Error(
    `${t.name}: fault injection needs the embedded API server, found a real cluster ` +
      `(declare the test with ignore: Boolean(Deno.env.get("${TEST_KUBECONFIG_ENV}")))`,
  );
}
