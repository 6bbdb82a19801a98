/**
 * Discovery: resolve an apiVersion and kind to the resource's URL path (plural, scope) from
 * the server's discovery documents, cached per group version and refreshed on a miss (so a
 * CRD created later is found).
 *
 * @module
 */
import { defineResource } from "./define_resource.ts";
import { ApiError } from "./errors.ts";
import type { Transport } from "./transport.ts";
import type { KubeObject, ResourceType } from "./types.ts";

/**
 * One entry of an APIResourceList.
 *
 * @example
 * ```ts
 * import type { ApiResource } from "./discovery.ts";
 * import { KubeClient } from "./mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const core: ApiResource[] = await client.discovery.resources("v1");
 * const cms = core.find((r) => r.name === "configmaps");
 * assert.equal(cms?.kind, "ConfigMap");
 * assert.equal(cms?.namespaced, true);
 * assert.ok(cms?.verbs.includes("watch"));
 * ```
 */
export interface ApiResource {
  /** Plural name (`widgets`), or `widgets/status` for a subresource. */
  name: string;
  /** Singular name. */
  singularName?: string;
  /** Scope. */
  namespaced: boolean;
  /** Kind. */
  kind: string;
  /** Supported verbs. */
  verbs: string[];
  /** Short names (`cm`). */
  shortNames?: string[];
}

/**
 * Resolves kinds to resource types through `/api/v1` and `/apis/<group>/<version>`.
 *
 * @example
 * ```ts
 * import { Discovery, KubeClient } from "./mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const discovery: Discovery = client.discovery;
 * const deployments = await discovery.resolve("apps/v1", "Deployment");
 * assert.equal(deployments.plural, "deployments");
 * assert.equal(deployments.namespaced, true);
 * await assert.rejects(discovery.resolve("apps/v1", "Deploymnet"), /Deploymnet/);
 * ```
 */
export class Discovery {
  #t: Transport;
  #cache = new Map<string, Promise<ApiResource[]>>();

  /** Usually created by `KubeClient`. */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** The resources of one group version (cached). */
  async resources(
    apiVersion: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ApiResource[]> {
    let p = this.#cache.get(apiVersion);
    if (!p) {
      p = this.#fetch(apiVersion, options.signal);
      this.#cache.set(apiVersion, p);
      // A failed fetch is not cached.
      p.catch(() => {
        if (this.#cache.get(apiVersion) === p) this.#cache.delete(apiVersion);
      });
    }
    return await p;
  }

  /**
   * The resource type for `apiVersion` and `kind`. A miss refetches the group version once;
   * still missing: an `ApiError` 404 naming the kinds that exist.
   */
  async resolve<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ResourceType<T>> {
    let found = _find(await this.resources(apiVersion, options), kind);
    if (!found) {
      this.#cache.delete(apiVersion);
      const fresh = await this.resources(apiVersion, options);
      found = _find(fresh, kind);
      if (!found) {
        throw ApiError.fromHttp(
          404,
          `expected kind ${kind} in ${apiVersion}, found only: ${
            fresh.filter((r) => !r.name.includes("/")).map((r) => r.kind).join(", ") || "none"
          }`,
        );
      }
    }
    return defineResource<T>({
      apiVersion,
      kind: found.kind,
      plural: found.name,
      namespaced: found.namespaced,
    });
  }

  /** Forgets everything cached. */
  invalidate(): void {
    this.#cache.clear();
  }

  async #fetch(apiVersion: string, signal?: AbortSignal): Promise<ApiResource[]> {
    if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) {
      throw new TypeError(
        `expected apiVersion like "v1" or "apps/v1", found ${JSON.stringify(apiVersion)}`,
      );
    }
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const doc = await this.#t.json<{ resources?: ApiResource[] }>({
      method: "GET",
      path,
      ...(signal ? { signal } : {}),
    });
    return Array.isArray(doc.resources) ? doc.resources : [];
  }
}

function _find(resources: ApiResource[], kind: string): ApiResource | undefined {
  return resources.find((r) => r.kind === kind && !r.name.includes("/"));
}
