/**
 * The Website operator: a Controller for `websites.demo.operatorkit.io` with the ConfigMap,
 * Deployment, Service and status resources, built from any client with the structural
 * shape below (operatorkit's `KubeClient` has it).
 *
 * @module
 */
import type { KubeObject, ListWatch, ResourceType } from "../../client/types.ts";
import { Controller } from "../../controller/controller.ts";
import type { InformerSource } from "../../controller/informer_source.ts";
import { KubeEventRecorder } from "../../controller/event_recorder.ts";
import { eventSink, EventType, primaryApi, type ResourceHandle } from "../../controller/kube.ts";
import { logging, metrics, ResourceMetrics, retry } from "../../controller/middlewares.ts";
import {
  annotationsChanged,
  anyOf,
  generationChanged,
  labelsChanged,
} from "../../controller/predicates.ts";
import type { Clock } from "../../client/clock.ts";
import { wrap } from "../../controller/wrap.ts";
import type { WebsiteLike } from "./children.ts";
import { type ChildApi, websiteResources } from "./resources.ts";
import { WebsiteType } from "./_website_type.ts";

/** The finalizer the Website operator manages. */
export const WEBSITE_FINALIZER = "demo.operatorkit.io/website";

/** A typed handle with everything the operator uses. */
export type WebsiteHandle<U extends KubeObject> = ResourceHandle<U> & ListWatch<U> & {
  replace(obj: U, options?: { namespace?: string; signal?: AbortSignal }): Promise<U>;
  delete(name: string, options?: { namespace?: string; signal?: AbortSignal }): Promise<unknown>;
  readonly status: Pick<ResourceHandle<U>, "patch">;
};

/** The client shape the operator needs. */
export interface WebsiteClient {
  /** A typed handle for `type`. */
  resource<U extends KubeObject>(type: ResourceType<U>): WebsiteHandle<U>;
}

const _Types = {
  configMaps: {
    group: "",
    version: "v1",
    apiVersion: "v1",
    kind: "ConfigMap",
    plural: "configmaps",
    namespaced: true,
  },
  deployments: {
    group: "apps",
    version: "v1",
    apiVersion: "apps/v1",
    kind: "Deployment",
    plural: "deployments",
    namespaced: true,
  },
  services: {
    group: "",
    version: "v1",
    apiVersion: "v1",
    kind: "Service",
    plural: "services",
    namespaced: true,
  },
} as const satisfies Record<string, ResourceType>;

function _childApi<C extends KubeObject>(handle: WebsiteHandle<C>): ChildApi<C> {
  return {
    async get(namespace, name, options = {}) {
      try {
        return await handle.get(name, { namespace, ...options });
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    },
    create: (obj, options = {}) => handle.create(obj, { ...options }),
    replace: (obj, options = {}) => handle.replace(obj, { ...options }),
    delete: async (namespace, name, options = {}) => {
      await handle.delete(name, { namespace, ...options });
    },
  };
}

/** Options of {@linkcode websiteController}. */
export interface WebsiteOperatorOptions {
  /** The Kubernetes client. */
  client: WebsiteClient;
  /** Informers (an `InformerFactory` over the same client). */
  informers: InformerSource;
  /** Only Websites in this namespace (default: the operator's `--namespace`s, else all). */
  namespace?: string;
  /** Parallel reconciles (default: the operator's `--concurrency`, else 1). */
  concurrency?: number;
  /** Receives one line per change (the demo prints them). */
  onChange?: (line: string) => void;
  /** Per-resource metrics (default: a fresh registry). */
  metrics?: ResourceMetrics;
  /** Clock (default the system clock). */
  clock?: Clock;
  /** Resync period (default: the operator's `--resync-period`, else 10 minutes). */
  resyncPeriodMs?: number;
}

/** Builds the Website controller; call `start()` on it. */
export function websiteController(options: WebsiteOperatorOptions): Controller<WebsiteLike> {
  const { client } = options;
  const websites = client.resource(WebsiteType);
  const registry = options.metrics ?? new ResourceMetrics();
  const resources = websiteResources<WebsiteLike>({
    configMaps: _childApi(client.resource(_Types.configMaps)),
    deployments: _childApi(client.resource(_Types.deployments)) as never,
    services: _childApi(client.resource(_Types.services)) as never,
    status: {
      patchStatus: (site, status, o = {}) =>
        websites.status.patch(site.metadata.name!, {
          namespace: site.metadata.namespace!,
          type: "merge",
          body: { status },
          ...(o.signal ? { signal: o.signal } : {}),
        }),
    },
    ...(options.onChange ? { onChange: options.onChange } : {}),
  }).map((r) => wrap(r, logging(), metrics(registry), retry({ attempts: 3, baseDelayMs: 50 })));
  return new Controller<WebsiteLike>({
    name: "website-operator",
    type: WebsiteType,
    resources,
    finalizer: WEBSITE_FINALIZER,
    api: primaryApi(websites),
    informers: options.informers,
    owns: [_Types.configMaps, _Types.deployments, _Types.services],
    // Status writes (ours included) change none of these, so they do not loop.
    predicates: [anyOf(generationChanged, annotationsChanged, labelsChanged)],
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.resyncPeriodMs !== undefined ? { resyncPeriodMs: options.resyncPeriodMs } : {}),
    client,
    events: new KubeEventRecorder(eventSink(client.resource(EventType)), {
      component: "website-operator",
      defaultType: { apiVersion: WebsiteType.apiVersion, kind: WebsiteType.kind },
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
