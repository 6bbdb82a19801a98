/**
 * The Kubernetes client: configuration (kubeconfig, in-cluster, exec plugins), typed
 * resource handles, watches, discovery and typed errors, built on `fetch` alone.
 *
 * @example
 * ```ts
 * import { ConfigMaps, KubeClient, labelSelector, loadKubeConfig, objectKey } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const config = await loadKubeConfig({
 *   document: {
 *     clusters: [{ name: "local", cluster: { server: "http://127.0.0.1:6443" } }],
 *     contexts: [{ name: "dev", context: { cluster: "local", namespace: "team-a" } }],
 *     "current-context": "dev",
 *   },
 * });
 * using client = new KubeClient(config, { fieldManager: "my-operator" });
 * const configMaps = client.resource(ConfigMaps);
 * assert.equal(configMaps.path({ namespace: "team-a", name: "web" }), "/api/v1/namespaces/team-a/configmaps/web");
 * assert.equal(labelSelector({ app: "web" }), "app=web");
 * assert.equal(objectKey({ metadata: { namespace: "team-a", name: "web" } }), "team-a/web");
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./clock.ts";
export {
  ApiError,
  ConfigError,
  DecodeError,
  ignoreNotFound,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isTooManyRequests,
  WatchIdleError,
  WatchLineError,
} from "./errors.ts";
export { fieldSelector, type LabelRequirement, labelSelector } from "./selectors.ts";
export { defineResource, type ResourceDefinition } from "./define_resource.ts";
export * from "./builtins.ts";
export type * from "./builtin_types.ts";
export {
  type AuthConfig,
  type ExecConfig,
  type KubeConfig,
  loadKubeConfig,
  type LoadKubeConfigOptions,
  type TlsConfig,
} from "./kubeconfig.ts";
export { Authenticator, type Credentials } from "./auth.ts";
export {
  defaultUserAgent,
  type RequestSpec,
  Transport,
  type TransportOptions,
} from "./transport.ts";
export { decodeList, decodeObject, type DecodeResult } from "./decode.ts";
export {
  watchEvents,
  watchIdleTimeoutMs,
  type WatchIterator,
  type WatchStreamOptions,
} from "./watch.ts";
export { ResourceClient } from "./resource_client.ts";
export type {
  ApplyOptions,
  DeleteCollectionOptions,
  DeleteOptions,
  ListAllOptions,
  PatchOptions,
  RequestOptions,
  SubresourceClient,
  WriteOptions,
} from "./resource_options.ts";
export { type ApiResource, Discovery } from "./discovery.ts";
export { KubeClient, type KubeClientOptions, type VersionInfo } from "./kube_client.ts";
export * from "./custom_resource.ts";
