// In-cluster configuration from the pod's service account and the service environment.
import { ConfigError } from "./errors.ts";
import type { KubeConfig } from "./kubeconfig.ts";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

// Projected service-account tokens rotate (about hourly); client-go re-reads every minute.
export const TOKEN_RELOAD_MS = 60_000;

async function _exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** True inside a pod: the service host is set and a service-account token is mounted. */
export async function _inPod(
  env: Record<string, string | undefined>,
  dir: string,
): Promise<boolean> {
  return !!env.KUBERNETES_SERVICE_HOST && await _exists(`${dir}/token`);
}

export async function _inCluster(
  env: Record<string, string | undefined>,
  dir: string,
): Promise<KubeConfig> {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new ConfigError(
      `expected KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT for in-cluster configuration, found ${
        !host && !port ? "neither" : !host ? "no host" : "no port"
      }`,
      { file: "in-cluster" },
    );
  }
  if (!/^[0-9]+$/.test(port)) {
    throw new ConfigError(`expected a numeric port, found ${JSON.stringify(port)}`, {
      file: "in-cluster",
      field: "KUBERNETES_SERVICE_PORT",
    });
  }
  const tokenPath = `${dir}/token`;
  try {
    const token = (await Deno.readTextFile(tokenPath)).trim();
    if (!token) throw new Error("empty");
  } catch (err) {
    throw new ConfigError(
      `expected a non-empty service-account token, found ${
        (err as Error).message === "empty" ? "an empty file" : (err as Error).name
      }`,
      {
        file: tokenPath,
        cause: err,
      },
    );
  }
  let caData: string | undefined;
  try {
    caData = await Deno.readTextFile(`${dir}/ca.crt`);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      throw new ConfigError(`expected a readable CA bundle, found ${(err as Error).name}`, {
        file: `${dir}/ca.crt`,
        cause: err,
      });
    }
  }
  let namespace = "default";
  try {
    namespace = (await Deno.readTextFile(`${dir}/namespace`)).trim() || "default";
  } catch {
    // Without a namespace file the default namespace is "default", as in client-go.
  }
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return {
    server: `https://${h}:${port}`,
    namespace,
    source: "in-cluster",
    tls: caData ? { caData } : {},
    auth: { type: "tokenFile", path: tokenPath, reloadIntervalMs: TOKEN_RELOAD_MS },
  };
}
