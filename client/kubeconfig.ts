/**
 * Loading client configuration: kubeconfig files (merged by kubectl's rules), YAML strings,
 * in-cluster service accounts, and an automatic mode that picks between them. The YAML parser
 * is loaded only when a kubeconfig is not JSON (in-cluster and JSON configurations never load it).
 *
 * @module
 */
import { ConfigError } from "./errors.ts";
import { _inCluster, _inPod, SERVICE_ACCOUNT_DIR } from "./_in_cluster.ts";
import {
  _base64Pem,
  _bool,
  _dirOf,
  _isRecord,
  _kindOf,
  _list,
  _optString,
  _readPem,
  _resolvePath,
} from "./_config_util.ts";
import { _auth, type _Entry } from "./_kubeconfig_user.ts";

/**
 * How requests authenticate. Client certificates live in `KubeConfig.tls`.
 *
 * @example
 * ```ts
 * import type { AuthConfig } from "./kubeconfig.ts";
 * import assert from "node:assert/strict";
 * const auth: AuthConfig = { type: "tokenFile", path: "/var/run/secrets/token", reloadIntervalMs: 60_000 };
 * assert.deepEqual(auth.type, "tokenFile");
 * ```
 */
export type AuthConfig =
  | { type: "none" }
  | { type: "token"; token: string }
  | { type: "tokenFile"; path: string; reloadIntervalMs?: number }
  | { type: "basic"; username: string; password: string }
  | { type: "exec"; exec: ExecConfig };

/**
 * An exec credential plugin (`users[].user.exec`).
 *
 * @example
 * ```ts
 * import type { ExecConfig } from "./kubeconfig.ts";
 * import assert from "node:assert/strict";
 * const exec: ExecConfig = {
 *   apiVersion: "client.authentication.k8s.io/v1",
 *   command: "aws",
 *   args: ["eks", "get-token", "--cluster-name", "prod"],
 * };
 * assert.deepEqual(exec.apiVersion, "client.authentication.k8s.io/v1");
 * ```
 */
export interface ExecConfig {
  /** `client.authentication.k8s.io/v1` or `v1beta1`. */
  apiVersion: string;
  /** The command; a relative path with a slash resolves against the kubeconfig's folder. */
  command: string;
  /** Arguments. */
  args?: string[];
  /** Extra environment variables for the plugin. */
  env?: Array<{ name: string; value: string }>;
  /** Printed when the command is missing. */
  installHint?: string;
  /** Pass the cluster (server, CA) in KUBERNETES_EXEC_INFO. */
  provideClusterInfo?: boolean;
}

/**
 * TLS settings: PEM strings, never file paths (files are read while loading).
 *
 * @example
 * ```ts
 * import type { TlsConfig } from "./kubeconfig.ts";
 * import assert from "node:assert/strict";
 * const tls: TlsConfig = { insecureSkipTlsVerify: false };
 * assert.deepEqual(tls.insecureSkipTlsVerify, false);
 * ```
 */
export interface TlsConfig {
  /** The cluster CA bundle (PEM). */
  caData?: string;
  /** Client certificate (PEM). */
  certData?: string;
  /** Client key (PEM). */
  keyData?: string;
  /** `insecure-skip-tls-verify`; Deno honours it only with `--unsafely-ignore-certificate-errors`. */
  insecureSkipTlsVerify?: boolean;
  /** `tls-server-name` (recorded; Deno's fetch cannot override SNI). */
  serverName?: string;
}

/**
 * A resolved client configuration: one server, one identity, one default namespace.
 * Holds secrets: do not log it.
 *
 * @example
 * ```ts
 * import { loadKubeConfig } from "./kubeconfig.ts";
 * import assert from "node:assert/strict";
 * const config = await loadKubeConfig({
 *   yaml: `
 * apiVersion: v1
 * kind: Config
 * clusters: [{ name: c, cluster: { server: "http://127.0.0.1:8080" } }]
 * users: [{ name: u, user: { token: abc } }]
 * contexts: [{ name: x, context: { cluster: c, user: u, namespace: team-a } }]
 * current-context: x
 * `,
 * });
 * assert.deepEqual(config.server, "http://127.0.0.1:8080");
 * assert.deepEqual(config.namespace, "team-a");
 * ```
 */
export interface KubeConfig {
  /** The API server URL, without a trailing slash. */
  readonly server: string;
  /** The default namespace (from the context, or the service account). */
  readonly namespace: string;
  /** Where it came from: file path(s), `<yaml>`, `<object>` or `in-cluster`. */
  readonly source: string;
  /** The selected context. */
  readonly context?: string;
  /** TLS settings. */
  readonly tls: TlsConfig;
  /** `proxy-url`. */
  readonly proxyUrl?: string;
  /** How requests authenticate. */
  readonly auth: AuthConfig;
}

/**
 * Options for `loadKubeConfig()`.
 *
 * @example
 * ```ts
 * import type { LoadKubeConfigOptions } from "./kubeconfig.ts";
 * import assert from "node:assert/strict";
 * const o: LoadKubeConfigOptions = { path: "/tmp/kubeconfig", context: "kind-dev" };
 * assert.deepEqual(o.path, "/tmp/kubeconfig");
 * ```
 */
export interface LoadKubeConfigOptions {
  /**
   * How to find the configuration: `auto` is in-cluster inside a pod unless a kubeconfig is given or set.
   * @default {"auto"}
   */
  mode?: "auto" | "kubeconfig" | "in-cluster";
  /** Explicit kubeconfig file(s); several are merged like KUBECONFIG. */
  path?: string | string[];
  /** A kubeconfig as YAML text. */
  yaml?: string;
  /** A kubeconfig already parsed into an object. */
  document?: unknown;
  /** Use this context instead of `current-context`. */
  context?: string;
  /** Override the default namespace. */
  namespace?: string;
  /**
   * Environment to read.
   * @default {the process environment (`Deno.env`)}
   */
  env?: Record<string, string | undefined>;
  /**
   * Service-account folder for in-cluster mode.
   * @default {"/var/run/secrets/kubernetes.io/serviceaccount"}
   */
  serviceAccountDir?: string;
}

type Source = { file: string; doc: Record<string, unknown> };
type Entry = _Entry;

/**
 * Loads a client configuration. With no options: in-cluster inside a pod, else KUBECONFIG
 * (a list of files: the first file to set a value wins) or `~/.kube/config`.
 *
 * @example
 * ```ts
 * import { loadKubeConfig } from "./kubeconfig.ts";
 * import assert from "node:assert/strict";
 * const config = await loadKubeConfig({
 *   document: {
 *     clusters: [{ name: "c", cluster: { server: "http://127.0.0.1:8080" } }],
 *     contexts: [{ name: "x", context: { cluster: "c" } }],
 *     "current-context": "x",
 *   },
 * });
 * assert.deepEqual(config.namespace, "default");
 * ```
 */
export async function loadKubeConfig(options: LoadKubeConfigOptions = {}): Promise<KubeConfig> {
  const env = options.env ?? Deno.env.toObject();
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const explicit = options.path !== undefined || options.yaml !== undefined ||
    options.document !== undefined;
  let mode = options.mode ?? "auto";
  if (mode === "auto") {
    mode = !explicit && !env.KUBECONFIG && (await _inPod(env, saDir)) ? "in-cluster" : "kubeconfig";
  }
  if (mode === "in-cluster") {
    const c = await _inCluster(env, saDir);
    return options.namespace ? { ...c, namespace: options.namespace } : c;
  }
  const sources = await _sources(options, env);
  return await _resolve(sources, options);
}

async function _sources(
  options: LoadKubeConfigOptions,
  env: Record<string, string | undefined>,
): Promise<Source[]> {
  if (options.document !== undefined) {
    return [{ file: "<object>", doc: _checkDoc(options.document, "<object>") }];
  }
  if (options.yaml !== undefined) return [await _parse(options.yaml, "<yaml>")];
  let paths: string[];
  let mustExist: boolean;
  if (options.path !== undefined) {
    paths = Array.isArray(options.path) ? options.path : [options.path];
    mustExist = true;
  } else if (env.KUBECONFIG) {
    const sep = Deno.build.os === "windows" ? ";" : ":";
    paths = env.KUBECONFIG.split(sep).filter((p) => p !== "");
    mustExist = false; // kubectl skips missing files in KUBECONFIG
  } else {
    const home = env.HOME ?? env.USERPROFILE;
    if (!home) {
      throw new ConfigError(
        "expected KUBECONFIG, HOME or an explicit path to find a kubeconfig, found none set",
      );
    }
    paths = [`${home}/.kube/config`];
    mustExist = true;
  }
  const seen = new Set<string>();
  const out: Source[] = [];
  for (const p of paths) {
    if (seen.has(p)) continue;
    seen.add(p);
    let text: string;
    try {
      text = await Deno.readTextFile(p);
    } catch (err) {
      if (!mustExist && err instanceof Deno.errors.NotFound) continue;
      throw new ConfigError(`expected a readable kubeconfig file, found ${(err as Error).name}`, {
        file: p,
        cause: err,
      });
    }
    out.push(await _parse(text, p));
  }
  if (out.length === 0) {
    throw new ConfigError(
      `expected at least one existing kubeconfig among ${paths.join(", ")}, found none`,
    );
  }
  return out;
}

async function _parse(text: string, file: string): Promise<Source> {
  // JSON is YAML too; a JSON kubeconfig (what many generators write) is read without loading
  // the YAML parser, which costs a process about 5 MB of memory it would otherwise not use.
  if (/^\s*\{/.test(text)) {
    try {
      return { file, doc: _checkDoc(JSON.parse(text), file) };
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      // Not strict JSON (comments, trailing commas, YAML flow style): the YAML parser decides.
    }
  }
  const { parse: parseYaml } = await import("yaml");
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // The YAML error may quote the file's content (secrets); keep only where it failed.
    const pos = (err as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    throw new ConfigError(
      `expected valid YAML, found a syntax error${
        pos ? ` at line ${pos.line}, column ${pos.col}` : ""
      }`,
      { file },
    );
  }
  return { file, doc: _checkDoc(doc ?? {}, file) };
}

function _checkDoc(doc: unknown, file: string): Record<string, unknown> {
  if (!_isRecord(doc)) {
    throw new ConfigError(`expected a mapping at the top level, found ${_kindOf(doc)}`, { file });
  }
  if (doc.kind !== undefined && doc.kind !== "Config") {
    throw new ConfigError(`expected kind Config, found ${JSON.stringify(doc.kind)}`, {
      file,
      field: "kind",
    });
  }
  return doc;
}

// kubectl's merge: for clusters, users and contexts the first file to define a name wins.
function _merge(sources: Source[], section: string, inner: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const { file, doc } of sources) {
    const list = _list(doc[section], { file, field: section });
    list.forEach((item, i) => {
      const field = `${section}[${i}]`;
      if (!_isRecord(item)) {
        throw new ConfigError(`expected a mapping, found ${_kindOf(item)}`, { file, field });
      }
      if (typeof item.name !== "string" || item.name === "") {
        throw new ConfigError(`expected a non-empty string, found ${_kindOf(item.name)}`, {
          file,
          field: `${field}.name`,
        });
      }
      const body = item[inner] ?? {};
      if (!_isRecord(body)) {
        throw new ConfigError(`expected a mapping, found ${_kindOf(body)}`, {
          file,
          field: `${field}.${inner}`,
        });
      }
      if (!out.has(item.name)) {
        out.set(item.name, { name: item.name, body, file, field: `${field}.${inner}` });
      }
    });
  }
  return out;
}

async function _resolve(sources: Source[], options: LoadKubeConfigOptions): Promise<KubeConfig> {
  const clusters = _merge(sources, "clusters", "cluster");
  const users = _merge(sources, "users", "user");
  const contexts = _merge(sources, "contexts", "context");
  const sourceName = sources.map((s) => s.file).join(":");
  let contextName = options.context;
  if (!contextName) {
    for (const { file, doc } of sources) {
      const cc = _optString(doc["current-context"], { file, field: "current-context" });
      if (cc) {
        contextName = cc;
        break;
      }
    }
  }
  if (!contextName) {
    throw new ConfigError(
      `expected current-context or a context option, found neither (contexts: ${
        [...contexts.keys()].join(", ") || "none"
      })`,
      { file: sourceName },
    );
  }
  const ctx = contexts.get(contextName);
  if (!ctx) {
    throw new ConfigError(
      `expected a context named ${JSON.stringify(contextName)}, found only: ${
        [...contexts.keys()].join(", ") || "none"
      }`,
      { file: sourceName, field: "contexts" },
    );
  }
  const at = (e: Entry, key: string) => ({ file: e.file, field: `${e.field}.${key}` });
  const clusterName = _optString(ctx.body.cluster, at(ctx, "cluster"));
  const cluster = clusterName ? clusters.get(clusterName) : undefined;
  if (!cluster) {
    throw new ConfigError(
      `expected a cluster named ${JSON.stringify(clusterName ?? "")}, found only: ${
        [...clusters.keys()].join(", ") || "none"
      }`,
      at(ctx, "cluster"),
    );
  }
  const server = _optString(cluster.body.server, at(cluster, "server"));
  if (!server || !/^https?:\/\/[^/]/.test(server)) {
    throw new ConfigError(
      `expected an http(s) URL, found ${server ? JSON.stringify(server) : "nothing"}`,
      at(cluster, "server"),
    );
  }
  const cdir = _dirOf(cluster.file);
  const tls: TlsConfig = {};
  const caData = _optString(
    cluster.body["certificate-authority-data"],
    at(cluster, "certificate-authority-data"),
  );
  const caFile = _optString(
    cluster.body["certificate-authority"],
    at(cluster, "certificate-authority"),
  );
  if (caData) tls.caData = _base64Pem(caData, at(cluster, "certificate-authority-data"));
  else if (caFile) {
    tls.caData = await _readPem(_resolvePath(cdir, caFile), at(cluster, "certificate-authority"));
  }
  if (_bool(cluster.body["insecure-skip-tls-verify"], at(cluster, "insecure-skip-tls-verify"))) {
    tls.insecureSkipTlsVerify = true;
  }
  const sni = _optString(cluster.body["tls-server-name"], at(cluster, "tls-server-name"));
  if (sni) tls.serverName = sni;
  const proxyUrl = _optString(cluster.body["proxy-url"], at(cluster, "proxy-url"));

  const userName = _optString(ctx.body.user, at(ctx, "user"));
  const user = userName ? users.get(userName) : undefined;
  if (userName && !user) {
    throw new ConfigError(
      `expected a user named ${JSON.stringify(userName)}, found only: ${
        [...users.keys()].join(", ") || "none"
      }`,
      at(ctx, "user"),
    );
  }
  const auth = user ? await _auth(user, tls, at) : { type: "none" as const };
  const namespace = options.namespace ??
    _optString(ctx.body.namespace, at(ctx, "namespace")) ?? "default";
  return {
    server: server.replace(/\/+$/, ""),
    namespace,
    source: sourceName,
    context: contextName,
    tls,
    ...(proxyUrl ? { proxyUrl } : {}),
    auth,
  };
}
