/**
 * `defineResource()`: describe any API resource (built-in or custom) as a `ResourceType`.
 *
 * @module
 */
import type { Decoder, KubeObject, ResourceType } from "./types.ts";

/**
 * What `defineResource()` needs: the apiVersion, kind, plural, scope and optionally a schema.
 *
 * @example
 * ```ts
 * import { defineResource, type ResourceDefinition } from "./define_resource.ts";
 * import assert from "node:assert/strict";
 * const d: ResourceDefinition = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", plural: "clusterroles", namespaced: false };
 * const ClusterRoles = defineResource(d);
 * assert.equal(ClusterRoles.group, "rbac.authorization.k8s.io");
 * assert.equal(ClusterRoles.namespaced, false);
 * ```
 */
export interface ResourceDefinition<T extends KubeObject = KubeObject> {
  /** `group/version`, or `version` for the core group (`v1`). */
  apiVersion: string;
  /** The kind, e.g. `Website`. */
  kind: string;
  /** The plural resource name used in URLs, e.g. `websites`. */
  plural: string;
  /**
   * Namespaced (`true`) or cluster-scoped.
   * @default {true}
   */
  namespaced?: boolean;
  /** A decoder (a zod schema fits) that validates every object read from the server. */
  schema?: Decoder<T>;
}

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Builds a `ResourceType` from an apiVersion, kind and plural. With a zod schema the object
 * type is inferred from it and objects read from the server are validated.
 *
 * @example
 * ```ts
 * import { defineResource } from "./define_resource.ts";
 * import type { KubeObject } from "./types.ts";
 * import assert from "node:assert/strict";
 *
 * type Website = KubeObject & { spec: { url: string } };
 * const Websites = defineResource<Website>({
 *   apiVersion: "demo.operatorkit.io/v1alpha1",
 *   kind: "Website",
 *   plural: "websites",
 * });
 * assert.equal(Websites.group, "demo.operatorkit.io");
 * assert.equal(Websites.version, "v1alpha1");
 * assert.equal(Websites.namespaced, true);
 * ```
 */
export function defineResource<T extends KubeObject = KubeObject>(
  definition: ResourceDefinition<T>,
): ResourceType<T> {
  const { apiVersion, kind, plural } = definition;
  if (typeof apiVersion !== "string" || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) {
    throw new TypeError(
      `expected apiVersion like "v1" or "group/v1", found ${JSON.stringify(apiVersion)}`,
    );
  }
  if (typeof kind !== "string" || !/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) {
    throw new TypeError(`expected a kind like "Website", found ${JSON.stringify(kind)}`);
  }
  if (typeof plural !== "string" || !NAME_RE.test(plural)) {
    throw new TypeError(
      `expected a lowercase plural like "websites", found ${JSON.stringify(plural)}`,
    );
  }
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return Object.freeze({
    group,
    version,
    apiVersion,
    kind,
    plural,
    namespaced: definition.namespaced ?? true,
    ...(definition.schema ? { schema: definition.schema } : {}),
  });
}
