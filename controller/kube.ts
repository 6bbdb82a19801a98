/**
 * Adapters from a Kubernetes client to the narrow interfaces the controller uses
 * (`PrimaryApi`, `EventSink`), written against the small structural `ResourceHandle`
 * that operatorkit's `ResourceClient` satisfies, and a status writer.
 *
 * @module
 */
import type { Event } from "../client/builtin_types.ts";
import type { KubeObject } from "../client/types.ts";
import { _isNotFound } from "./_errors.ts";
import type { EventSink } from "./event_recorder.ts";
import type { JsonPatchOperation, PrimaryApi } from "./finalizer.ts";
import { statusChanged } from "./status.ts";

/**
 * The part of a typed resource handle the controller uses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConfigMap, ConfigMaps, KubeClient } from "../client/mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import type { ResourceHandle } from "./kube.ts";
 * await using server = await startApiServer();
 * using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * // a client's resource handle is one
 * const handle: ResourceHandle<ConfigMap> = client.resource(ConfigMaps);
 * await handle.create({ metadata: { name: "a" } }, { namespace: "default" });
 * const body = { data: { greeting: "hello" } };
 * await handle.patch("a", { namespace: "default", type: "merge", body });
 * assert.equal((await handle.get("a", { namespace: "default" })).data?.greeting, "hello");
 * ```
 */
export interface ResourceHandle<T extends KubeObject> {
  /** GET one object; rejects with a 404 ApiError when missing. */
  get(name: string, options?: { namespace?: string; signal?: AbortSignal }): Promise<T>;
  /** POST. */
  create(obj: T, options?: { namespace?: string; signal?: AbortSignal }): Promise<T>;
  /** PATCH with a JSON, merge or strategic-merge patch. */
  patch(
    name: string,
    options: {
      namespace?: string;
      type: "json" | "merge" | "strategic";
      body: unknown;
      signal?: AbortSignal;
    },
  ): Promise<T>;
}

/**
 * A `PrimaryApi` (fresh reads and JSON patches of primary objects) over a resource handle.
 *
 * @example
 * ```ts ignore
 * const api = primaryApi(client.resource(Website));
 * ```
 */
export function primaryApi<T extends KubeObject>(handle: ResourceHandle<T>): PrimaryApi<T> {
  return {
    async get(obj, options = {}) {
      try {
        return await handle.get(obj.metadata.name!, {
          ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (err) {
        if (_isNotFound(err)) return undefined;
        throw err;
      }
    },
    jsonPatch(obj, options: { operations: JsonPatchOperation[]; signal?: AbortSignal }) {
      return handle.patch(obj.metadata.name!, {
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        type: "json",
        body: options.operations,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    },
  };
}

/**
 * An `EventSink` writing core/v1 Events through a resource handle for `Events`.
 *
 * @example
 * ```ts ignore
 * const recorder = new KubeEventRecorder(eventSink(client.resource(Events)), { component: "website" });
 * ```
 */
export function eventSink(handle: ResourceHandle<Event>): EventSink {
  return {
    create: (namespace, event) => handle.create(event, { namespace }),
    patch: (namespace, name, body) => handle.patch(name, { namespace, type: "merge", body }),
  };
}

/**
 * Writes `status` to `obj` through the status subresource with a merge patch, unless it
 * equals the object's current `.status` (so an unchanged status costs no write and no
 * watch event). Returns true when it wrote.
 *
 * @example
 * ```ts
 * import { writeStatus } from "./kube.ts";
 * import assert from "node:assert/strict";
 * const bodies: unknown[] = [];
 * const handle = {
 *   status: {
 *     patch: (_name: string, o: { body: unknown }) => {
 *       bodies.push(o.body);
 *       return Promise.resolve({ metadata: {} });
 *     },
 *   },
 * };
 * const site = { metadata: { name: "a", namespace: "ns", generation: 2 }, status: { observedGeneration: 1 } };
 * assert.equal(await writeStatus(handle, site, { status: { observedGeneration: 2 } }), true);
 * assert.equal(await writeStatus(handle, site, { status: { observedGeneration: 1 } }), false);
 * assert.deepEqual(bodies, [{ status: { observedGeneration: 2 } }]);
 * ```
 */
export async function writeStatus<T extends KubeObject & { status?: unknown }>(
  handle: { readonly status: Pick<ResourceHandle<T>, "patch"> },
  obj: T,
  options: { status: NonNullable<T["status"]>; signal?: AbortSignal },
): Promise<boolean> {
  if (!statusChanged(obj.status, options.status)) return false;
  await handle.status.patch(obj.metadata.name!, {
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    type: "merge",
    body: { status: options.status },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return true;
}
