/**
 * operatorkit: write Kubernetes operators in TypeScript on Deno. This entry point is the
 * operator author's API: the client and custom resources, the informer, the controller and
 * its resources, and `runOperator`. Everything else (every built-in kind under
 * `@operatorkit/operatorkit/api/...`, transports, discovery, watch streams, leader election,
 * probes, manifests, webhooks, the test API server) is in the entry point of its package.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { controllerReference, objectKey, TerminalError } from "./mod.ts";
 * assert.equal(objectKey({ metadata: { name: "cluster-thing" } }), "cluster-thing");
 * const owner = { apiVersion: "demo.io/v1", kind: "Site", metadata: { name: "s", uid: "u" } };
 * assert.equal(controllerReference(owner).controller, true);
 * assert.ok(new TerminalError("bad spec") instanceof Error);
 * ```
 *
 * @module
 */
// Each name comes from the file that defines it, not from its folder's mod.ts: a folder's entry
// point pulls in everything in it (the YAML and flag parsers, webhooks, the test server's
// helpers), and an operator that imports this root should load only what it runs.
// client: configuration, the client, resource types, custom resources, errors, selectors.
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
} from "./client/errors.ts";
export type { Condition } from "./client/builtin_types.ts";
export type { ApplyOptions, PatchOptions } from "./client/resource_options.ts";
export {
  type CustomObject,
  type CustomResourceOptions,
  type CustomResourceType,
  defineCustomResource,
  type InferCustomResource,
  intOrString,
  preserveUnknown,
} from "./client/custom_resource.ts";
export { ensureCustomResourceDefinition } from "./client/_crd_install.ts";
export { defineResource, type ResourceDefinition } from "./client/define_resource.ts";
export { fieldSelector, labelSelector } from "./client/selectors.ts";
export { KubeClient, type KubeClientOptions } from "./client/kube_client.ts";
export {
  type KubeConfig,
  loadKubeConfig,
  type LoadKubeConfigOptions,
} from "./client/kubeconfig.ts";
export {
  type KubeList,
  type KubeObject,
  type ListOptions,
  objectKey,
  type ObjectMeta,
  type OwnerReference,
  type ResourceType,
  type Status,
  type WatchEvent,
} from "./client/types.ts";
export { ResourceClient } from "./client/resource_client.ts";
// The built-in kinds operators manage most; every other one is in api/<group>/<version>.
// Descriptors from `_resources.ts` (what each mod.ts re-exports), types from mod.ts: a type-only
// export loads nothing, so the process does not keep api/core/v1's 150 KB of declarations.
export {
  ConfigMaps,
  Events,
  Namespaces,
  Pods,
  Secrets,
  ServiceAccounts,
  Services,
} from "./api/core/v1/_resources.ts";
export type { ConfigMap, Event, Namespace, Pod, Secret, Service } from "./api/core/v1/mod.ts";
export { Deployments, StatefulSets } from "./api/apps/v1/_resources.ts";
export type { Deployment } from "./api/apps/v1/mod.ts";
export { RoleBindings, Roles } from "./api/rbac/v1/_resources.ts";
// informer: the cache behind a controller, usable alone.
export { Informer, type InformerOptions } from "./informer/informer.ts";
export { InformerFactory } from "./informer/factory.ts";
export { InformerStoppedError } from "./informer/errors.ts";
export type { Store } from "./informer/store.ts";
// controller: the controller, resources and their context, middleware, errors, ownership,
// status conditions, predicates.
export {
  Controller,
  type ControllerContext,
  type ControllerDefaults,
  type ControllerOptions,
} from "./controller/controller.ts";
export { type CrudOperations, crudResource } from "./controller/crud_resource.ts";
export { type EventInput, type EventRecorder } from "./controller/event_recorder.ts";
export {
  defaultErrorPolicy,
  type ErrorAction,
  type ErrorPolicy,
  isRetryable,
  TerminalError,
} from "./controller/error_policy.ts";
export { FinalizerConflictError } from "./controller/finalizer.ts";
export type { OwnsSpec, WatchSpec } from "./controller/informer_source.ts";
export { writeStatus } from "./controller/kube.ts";
export {
  logging,
  metrics,
  ResourceMetrics,
  retry,
  type RetryOptions,
  timeout,
} from "./controller/middlewares.ts";
export {
  AlreadyOwnedError,
  controllerReference,
  getControllerOf,
  setControllerReference,
} from "./controller/ownership.ts";
export {
  annotationsChanged,
  anyOf,
  generationChanged,
  labelsChanged,
  type Predicate,
} from "./controller/predicates.ts";
export { createReconcileContext } from "./controller/reconcile_context.ts";
export { PAUSED_ANNOTATION, ReconcileError } from "./controller/reconciler.ts";
export type { ReconcileContext, Resource } from "./controller/resource.ts";
export {
  getCondition,
  isConditionTrue,
  isObservedGenerationCurrent,
  setCondition,
} from "./controller/status.ts";
export { type Middleware, wrap } from "./controller/wrap.ts";
// cli: the operator process.
export {
  type OperatorContext,
  OperatorRuntime,
  runOperator,
  type RunOperatorOptions,
} from "./cli/run_operator.ts";
