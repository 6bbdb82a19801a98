/**
 * Which real kube-apiserver the tests in this folder talk to:
 * - `OPERATORKIT_TEST_KUBECONFIG` names a kubeconfig (its current context is used; a user
 *   with a bearer token anywhere in it enables the token tests), or else
 * - the envtest binaries are in the cache and each test file starts its own pair, or else
 * - the tests are reported as ignored, with the reason in their names (`realServer(target)`
 *   with `needs` of tests/_tier.ts), unless `OPERATORKIT_REQUIRE_ENVTEST=1`, in which case
 *   they run and fail.
 */
import { parse } from "yaml";
import { ensureEnvtestBinaries, type Envtest, startEnvtest } from "../../testing/envtest.ts";
import type { Need } from "../_tier.ts";

/** How to reach a real server: URL, CA and the admin credentials. */
export interface RealServer {
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly caPem: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  readonly token?: string;
  /** The context of `kubeconfigPath` whose user has `token`. */
  readonly tokenContext?: string;
  close(): Promise<void>;
}

/** The decision made when the module loads. */
export type RealTarget =
  | { readonly kind: "kubeconfig"; readonly path: string }
  | { readonly kind: "start" }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "fail"; readonly reason: string };

/** Decides, once per test file, where the real-server tests run. */
export async function resolveRealTarget(): Promise<RealTarget> {
  const kubeconfig = Deno.env.get("OPERATORKIT_TEST_KUBECONFIG");
  if (kubeconfig) return { kind: "kubeconfig", path: kubeconfig };
  try {
    await ensureEnvtestBinaries({ build: false });
    return { kind: "start" };
  } catch (error) {
    const reason = `real kube-apiserver tier: ${(error as Error).message}; ` +
      "set OPERATORKIT_TEST_KUBECONFIG or run tools/envtest/build.sh";
    if (Deno.env.get("OPERATORKIT_REQUIRE_ENVTEST") === "1") return { kind: "fail", reason };
    return { kind: "skip", reason };
  }
}

/** A real server, as a test's need: missing when the target is "skip". */
export function realServer(target: RealTarget): Need {
  return target.kind === "skip"
    ? { missing: true, reason: target.reason }
    : { missing: false, reason: "" };
}

function _decode(data: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
}

async function _readPem(
  inline: string | undefined,
  file: string | undefined,
  base: string,
): Promise<string | undefined> {
  if (inline) return _decode(inline);
  if (file) return await Deno.readTextFile(file.startsWith("/") ? file : `${base}/${file}`);
  return undefined;
}

interface _Named<T> {
  name: string;
  [key: string]: unknown;
  value?: T;
}

/** Reads the current context of a kubeconfig into a {@linkcode RealServer}. */
export async function realServerFromKubeconfig(path: string): Promise<RealServer> {
  // deno-lint-ignore no-explicit-any
  const config = parse(await Deno.readTextFile(path)) as any;
  const base = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  const byName = <T>(list: _Named<T>[] | undefined, name: string, field: string) =>
    // deno-lint-ignore no-explicit-any
    (list ?? []).find((entry) => entry.name === name)?.[field] as any;
  const contextName = config["current-context"];
  const context = byName(config.contexts, contextName, "context");
  if (!context) {
    throw new Error(`expected current-context "${contextName}" in ${path}, found none`);
  }
  const cluster = byName(config.clusters, context.cluster, "cluster");
  const user = byName(config.users, context.user, "user") ?? {};
  const caPem = await _readPem(
    cluster?.["certificate-authority-data"],
    cluster?.["certificate-authority"],
    base,
  );
  if (!cluster?.server || !caPem) {
    throw new Error(`expected a server and its CA for cluster "${context.cluster}" in ${path}`);
  }
  // deno-lint-ignore no-explicit-any
  const tokenUser = (config.users ?? []).find((entry: any) => entry.user?.token);
  // deno-lint-ignore no-explicit-any
  const tokenContext = (config.contexts ?? []).find((entry: any) =>
    entry.context?.user === tokenUser?.name
  )?.name;
  return {
    url: cluster.server,
    kubeconfigPath: path,
    caPem,
    clientCertPem: await _readPem(
      user["client-certificate-data"],
      user["client-certificate"],
      base,
    ),
    clientKeyPem: await _readPem(user["client-key-data"], user["client-key"], base),
    token: tokenUser?.user?.token,
    tokenContext,
    close: () => Promise.resolve(),
  };
}

/** Connects to the target: reads the kubeconfig, or starts envtest. */
export async function connectRealServer(target: RealTarget): Promise<RealServer> {
  if (target.kind === "kubeconfig") return await realServerFromKubeconfig(target.path);
  if (target.kind === "fail") {
    throw new Error(`OPERATORKIT_REQUIRE_ENVTEST=1 but ${target.reason}`);
  }
  if (target.kind === "skip") throw new Error(`skipped: ${target.reason}`);
  const envtest: Envtest = await startEnvtest();
  return {
    url: envtest.url,
    kubeconfigPath: envtest.kubeconfigPath,
    caPem: envtest.caPem,
    clientCertPem: envtest.clientCertPem,
    clientKeyPem: envtest.clientKeyPem,
    token: envtest.token,
    tokenContext: "envtest-token",
    close: () => envtest.close(),
  };
}

/** Runs openssl in `dir`, failing with its stderr. */
export async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdin: "null" }).output();
  if (out.code !== 0) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Runs kubectl with the given kubeconfig; returns stdout, throws with stderr on failure. */
export async function kubectl(
  kubeconfigPath: string,
  args: string[],
  options: { stdin?: string } = {},
): Promise<string> {
  const child = new Deno.Command("kubectl", {
    args: [`--kubeconfig=${kubeconfigPath}`, ...args],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  if (out.code !== 0) {
    throw new Error(
      `expected kubectl ${args.join(" ")} to succeed, found exit status ${out.code}: ` +
        decoder.decode(out.stderr).trim(),
    );
  }
  return decoder.decode(out.stdout);
}
