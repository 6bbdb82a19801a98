/**
 * `InformerFactory`: shared, reference-counted informers.
 *
 * @module
 */
import type { KubeObject, ListWatch, ResourceType } from "../client/types.ts";
import type { InformerHealth } from "./health.ts";
import { Informer, type InformerOptions } from "./informer.ts";

/**
 * What scopes a shared informer: an informer is shared by every `acquire` with the same
 * resource type and the same scope.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { InformerFactory, type InformerScope } from "./factory.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({
 *   metadata: { name: "web", namespace: "default", labels: { app: "web" } },
 * });
 * await client.resource(ConfigMaps).create({ metadata: { name: "db", namespace: "default" } });
 * await using factory = new InformerFactory({ listWatch: (t) => client.resource(t) });
 * const scope: InformerScope = { namespace: "default", labelSelector: "app=web" };
 * await using web = factory.acquire(ConfigMaps, scope);
 * await using all = factory.acquire(ConfigMaps, { namespace: "default" });
 * await Promise.all([web.informer.ready(), all.informer.ready()]);
 * assert.deepEqual(web.informer.store.keys(), ["default/web"]);
 * assert.equal(all.informer.store.size, 2);
 * assert.deepEqual(factory.health().map((h) => h.scope.labelSelector), ["app=web", undefined]);
 * ```
 */
export interface InformerScope {
  /** Namespace (omit for all namespaces). */
  namespace?: string;
  /** Label selector. */
  labelSelector?: string;
  /** Field selector. */
  fieldSelector?: string;
  /** Metadata-only informer. */
  metadataOnly?: boolean;
}

/**
 * A lease on a shared informer; `release()` (or disposal) gives it back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { InformerFactory, type InformerLease } from "./factory.ts";
 * import type { ConfigMap } from "../client/mod.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * await client.resource(ConfigMaps).create({ metadata: { name: "web", namespace: "default" } });
 * await using factory = new InformerFactory({ listWatch: (t) => client.resource(t) });
 * const lease: InformerLease<ConfigMap> = factory.acquire(ConfigMaps, { namespace: "default" });
 * await lease.informer.ready();
 * assert.equal(lease.informer.store.get("default/web")?.metadata.name, "web");
 * assert.equal(factory.size, 1);
 * await lease.release();
 * assert.equal(factory.size, 0);
 * assert.equal(lease.informer.health().running, false);
 * ```
 */
export interface InformerLease<T extends KubeObject> extends AsyncDisposable {
  /** The shared, started informer. */
  readonly informer: Informer<T>;
  /** Gives the informer back; the last release stops it. Calling it twice does nothing. */
  release(): Promise<void>;
}

/**
 * Options for {@linkcode InformerFactory}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import { InformerFactory, type InformerFactoryOptions } from "./factory.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const options: InformerFactoryOptions = {
 *   listWatch: (t) => client.resource(t),
 *   defaults: { pageSize: 100 },
 *   namespaces: ["team-a"],
 * };
 * await using factory = new InformerFactory(options);
 * // a namespaced type acquired without a namespace gets the only namespace of the cache
 * await using lease = factory.acquire(ConfigMaps);
 * await lease.informer.ready();
 * assert.equal(factory.health()[0].scope.namespace, "team-a");
 * ```
 */
export interface InformerFactoryOptions {
  /** The ListWatch for a type, e.g. `(t) => client.resource(t)`. */
  listWatch<T extends KubeObject>(type: ResourceType<T>): ListWatch<T>;
  /** Options applied to every informer (scope options are ignored here). */
  defaults?: Omit<InformerOptions, keyof InformerScope | "transform" | "onDecodeFailure">;
  /**
   * The namespaces this cache is limited to (an operator's `--namespace`s; empty: all). An
   * `acquire` of a namespaced type that names no namespace gets the only one, or fails when
   * there are several (acquire each, as a controller does); cluster-scoped types and
   * explicit namespaces are unaffected.
   */
  namespaces?: readonly string[];
}

interface _Entry {
  informer: Informer<KubeObject>;
  refs: number;
  scope: InformerScope;
}

/**
 * One informer per (resource type, namespace, selectors, metadataOnly), shared and
 * reference-counted: `acquire` starts it on first use, and the last `release` stops it.
 * Disposing the factory stops every informer it still holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InformerFactory } from "./factory.ts";
 * const type = { group: "", version: "v1", apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true };
 * await using factory = new InformerFactory({
 *   listWatch: (t) => ({
 *     type: t,
 *     list: () => Promise.resolve({ metadata: { resourceVersion: "1" }, items: [], invalid: [] }),
 *     watch: async function* () {},
 *   }),
 *   defaults: { backoff: { initialMs: 1 } },
 * });
 * const a = factory.acquire(type, { namespace: "default" });
 * const b = factory.acquire(type, { namespace: "default" });
 * assert.equal(a.informer, b.informer);
 * await a.informer.ready();
 * await a.release();
 * await b.release();
 * assert.equal(factory.size, 0);
 * ```
 */
export class InformerFactory implements AsyncDisposable {
  #options: InformerFactoryOptions;
  #entries = new Map<string, _Entry>();

  /** Creates an empty factory. */
  constructor(options: InformerFactoryOptions) {
    this.#options = options;
  }

  /** How many informers are alive. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Health of every informer alive now (for readiness probes and metrics), with the scope
   * each one watches; `fingerprint` adds each cache's fingerprint (O(n)).
   */
  health(
    options: { fingerprint?: boolean } = {},
  ): Array<InformerHealth & { scope: InformerScope }> {
    return [...this.#entries.values()].map((e) => ({
      ...e.informer.health(options),
      scope: e.scope,
    }));
  }

  /** A started informer for `type` in `scope`, shared with other users of the same scope. */
  acquire<T extends KubeObject>(
    type: ResourceType<T>,
    scope: InformerScope = {},
  ): InformerLease<T> {
    const limit = this.#options.namespaces ?? [];
    if (type.namespaced && !scope.namespace && limit.length > 0) {
      if (limit.length > 1) {
        throw new RangeError(
          `Expected a namespace to watch ${type.plural}: this cache is limited to namespaces ` +
            `${limit.join(", ")}; acquire each of them`,
        );
      }
      scope = { ...scope, namespace: limit[0] };
    }
    const key = _scopeKey(type, scope);
    let entry = this.#entries.get(key);
    if (!entry) {
      const informer = new Informer<T>(this.#options.listWatch(type), {
        ...(this.#options.defaults as InformerOptions<T>),
        namespace: scope.namespace,
        labelSelector: scope.labelSelector,
        fieldSelector: scope.fieldSelector,
        metadataOnly: scope.metadataOnly,
      });
      entry = {
        informer: informer as unknown as Informer<KubeObject>,
        refs: 0,
        scope: { ...scope },
      };
      this.#entries.set(key, entry);
      informer.start();
    }
    entry.refs++;
    const e = entry;
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      if (--e.refs > 0) return;
      if (this.#entries.get(key) === e) this.#entries.delete(key);
      await e.informer.stop();
    };
    return {
      informer: e.informer as unknown as Informer<T>,
      release,
      [Symbol.asyncDispose]: release,
    };
  }

  /** Stops every informer. */
  async [Symbol.asyncDispose](): Promise<void> {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(all.map((e) => e.informer.stop()));
  }
}

function _scopeKey(type: ResourceType<KubeObject>, s: InformerScope): string {
  return JSON.stringify([
    type.group,
    type.version,
    type.plural,
    s.namespace ?? "",
    s.labelSelector ?? "",
    s.fieldSelector ?? "",
    s.metadataOnly ?? false,
  ]);
}
