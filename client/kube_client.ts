/**
 * `KubeClient`: one API server connection with typed resource handles, discovery and raw
 * requests.
 *
 * @module
 */
import { Discovery } from "./discovery.ts";
import { type KubeConfig, loadKubeConfig, type LoadKubeConfigOptions } from "./kubeconfig.ts";
import { ResourceClient } from "./resource_client.ts";
import { type RequestSpec, Transport, type TransportOptions } from "./transport.ts";
import type { KubeObject, ResourceType } from "./types.ts";

/**
 * Options for `KubeClient`.
 *
 * @example
 * ```ts
 * import { KubeClient, type KubeClientOptions } from "./kube_client.ts";
 * import { ConfigMaps } from "./builtins.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * const o: KubeClientOptions = { qps: 20, burst: 40, fieldManager: "website-operator" };
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig }, o);
 * const cm = await client.resource(ConfigMaps).apply(
 *   { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "site" }, data: { a: "1" } },
 *   { namespace: "default" },
 * );
 * assert.equal(cm.metadata.managedFields?.[0].manager, "website-operator");
 * ```
 */
export interface KubeClientOptions extends TransportOptions {
  /**
   * Default field manager for writes.
   * @default {"operatorkit"}
   */
  fieldManager?: string;
}

/**
 * The `/version` answer.
 *
 * @example
 * ```ts
 * import { KubeClient, type VersionInfo } from "./kube_client.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const v: VersionInfo = await client.version();
 * assert.equal(v.gitVersion, `v${v.major}.${v.minor}.0+operatorkit`);
 * ```
 */
export interface VersionInfo {
  /** Major version. */
  major: string;
  /** Minor version. */
  minor: string;
  /** Full version, e.g. `v1.32.0`. */
  gitVersion: string;
  /** Other fields (platform, goVersion, ...). */
  [field: string]: unknown;
}

/**
 * A Kubernetes client over `fetch`. Dispose it (or call `close()`) to release its HTTP
 * clients.
 *
 * @example
 * ```ts
 * import { ConfigMaps, KubeClient } from "./mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * // Without options: KUBECONFIG, ~/.kube/config, or in-cluster.
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({ metadata: { name: "settings" }, data: { mode: "fast" } }, { namespace: "default" });
 * const cm = await client.resource(ConfigMaps).get("settings", { namespace: "default" });
 * assert.equal(cm.data?.mode, "fast");
 * assert.equal(client.namespace, "default");
 * ```
 */
export class KubeClient implements Disposable, AsyncDisposable {
  /** The resolved configuration. */
  readonly config: KubeConfig;
  /** The HTTP layer (raw requests, the authenticator). */
  readonly transport: Transport;
  /** Discovery of kinds to resource paths. */
  readonly discovery: Discovery;
  #fieldManager: string;
  #handles = new Map<ResourceType<KubeObject>, ResourceClient<KubeObject>>();

  /**
   * Loads a configuration (`loadKubeConfig(options)`, or uses the given `KubeConfig`) and
   * creates a client.
   */
  static async fromKubeConfig(
    config?: KubeConfig | LoadKubeConfigOptions,
    options: KubeClientOptions = {},
  ): Promise<KubeClient> {
    const resolved = config && "server" in config && "auth" in config
      ? config as KubeConfig
      : await loadKubeConfig(config as LoadKubeConfigOptions | undefined);
    return new KubeClient(resolved, options);
  }

  /** `config` from `loadKubeConfig()`; `options` tune transport and defaults. */
  constructor(config: KubeConfig, options: KubeClientOptions = {}) {
    if (options.fieldManager !== undefined && !options.fieldManager) {
      throw new TypeError("expected a non-empty fieldManager, found an empty string");
    }
    this.config = config;
    this.transport = new Transport(config, options);
    this.discovery = new Discovery(this.transport);
    this.#fieldManager = options.fieldManager ?? "operatorkit";
  }

  /** The default namespace (from the context or the service account). */
  get namespace(): string {
    return this.config.namespace;
  }

  /** The typed handle for `type` (one per type, reused). */
  resource<T extends KubeObject>(type: ResourceType<T>): ResourceClient<T> {
    let h = this.#handles.get(type as ResourceType<KubeObject>);
    if (!h) {
      h = new ResourceClient(this.transport, type as ResourceType<KubeObject>, {
        defaultNamespace: this.config.namespace,
        fieldManager: this.#fieldManager,
      });
      this.#handles.set(type as ResourceType<KubeObject>, h);
    }
    return h as unknown as ResourceClient<T>;
  }

  /** A handle for a kind found through discovery. */
  async resourceFor<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ResourceClient<T>> {
    return this.resource(await this.discovery.resolve<T>(apiVersion, kind, options));
  }

  /** A raw request; resolves with the parsed JSON answer. */
  async request<R = unknown>(spec: RequestSpec): Promise<R> {
    return await this.transport.json<R>(spec);
  }

  /** The server's `/version`. */
  async version(options: { signal?: AbortSignal } = {}): Promise<VersionInfo> {
    return await this.transport.json<VersionInfo>({
      method: "GET",
      path: "/version",
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Releases the HTTP clients. */
  close(): void {
    this.transport.close();
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
