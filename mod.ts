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
// client: configuration, the client, resource types, custom resources, errors, selectors.
export {
  ApiError,
  type ApplyOptions,
  type Condition,
  ConfigError,
  type CustomObject,
  type CustomResourceOptions,
  type CustomResourceType,
  DecodeError,
  defineCustomResource,
  defineResource,
  ensureCustomResourceDefinition,
  fieldSelector,
  ignoreNotFound,
  type InferCustomResource,
  intOrString,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isTooManyRequests,
  KubeClient,
  type KubeClientOptions,
  type KubeConfig,
  type KubeList,
  type KubeObject,
  labelSelector,
  type ListOptions,
  loadKubeConfig,
  type LoadKubeConfigOptions,
  objectKey,
  type ObjectMeta,
  type OwnerReference,
  type PatchOptions,
  preserveUnknown,
  ResourceClient,
  type ResourceDefinition,
  type ResourceType,
  type Status,
  type WatchEvent,
} from "./client/mod.ts";
// The built-in kinds operators manage most; every other one is in api/<group>/<version>.
export {
  type ConfigMap,
  ConfigMaps,
  type Deployment,
  Deployments,
  type Event,
  Events,
  type Namespace,
  Namespaces,
  type Pod,
  Pods,
  RoleBindings,
  Roles,
  type Secret,
  Secrets,
  type Service,
  ServiceAccounts,
  Services,
  StatefulSets,
} from "./client/mod.ts";
// informer: the cache behind a controller, usable alone.
export {
  Informer,
  InformerFactory,
  type InformerOptions,
  InformerStoppedError,
  type Store,
} from "./informer/mod.ts";
// controller: the controller, resources and their context, middleware, errors, ownership,
// status conditions, predicates.
export {
  AlreadyOwnedError,
  annotationsChanged,
  anyOf,
  Controller,
  type ControllerContext,
  type ControllerDefaults,
  type ControllerOptions,
  controllerReference,
  createReconcileContext,
  type CrudOperations,
  crudResource,
  defaultErrorPolicy,
  type ErrorAction,
  type ErrorPolicy,
  type EventInput,
  type EventRecorder,
  FinalizerConflictError,
  generationChanged,
  getCondition,
  getControllerOf,
  isConditionTrue,
  isObservedGenerationCurrent,
  isRetryable,
  labelsChanged,
  logging,
  metrics,
  type Middleware,
  type OwnsSpec,
  PAUSED_ANNOTATION,
  type Predicate,
  type ReconcileContext,
  ReconcileError,
  type Resource,
  ResourceMetrics,
  retry,
  type RetryOptions,
  setCondition,
  setControllerReference,
  TerminalError,
  timeout,
  type WatchSpec,
  wrap,
  writeStatus,
} from "./controller/mod.ts";
// cli: the operator process.
export {
  type OperatorContext,
  OperatorRuntime,
  runOperator,
  type RunOperatorOptions,
} from "./cli/mod.ts";
