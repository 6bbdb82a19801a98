/**
 * The Website operator's resources: three CRUD children and a status resource.
 *
 * @module
 */
import { crudResource } from "../../controller/crud_resource.ts";
import type { Resource } from "../../controller/resource.ts";
import { setCondition, statusChanged } from "../../controller/status.ts";
import type { KubeObject } from "../../client/types.ts";
import {
  type ConfigMapObject,
  type DeploymentObject,
  desiredConfigMap,
  desiredDeployment,
  desiredService,
  type ServiceObject,
  type WebsiteLike,
} from "./children.ts";

/** What a child resource needs from the API: a typed handle for one kind. */
export interface ChildApi<C extends KubeObject> {
  /** The object, or undefined when it does not exist. */
  get(namespace: string, name: string, options?: { signal?: AbortSignal }): Promise<C | undefined>;
  /** Creates; an AlreadyExists error must be thrown as is (the resource treats it as success). */
  create(obj: C, options?: { signal?: AbortSignal }): Promise<C>;
  /** Replaces (PUT with the resourceVersion in `obj`). */
  replace(obj: C, options?: { signal?: AbortSignal }): Promise<C>;
  /** Deletes; a NotFound error is success for the resource. */
  delete(namespace: string, name: string, options?: { signal?: AbortSignal }): Promise<void>;
}

/** Writes `.status` through the status subresource. */
export interface StatusApi<T extends KubeObject> {
  /** Merge-patches the status of `obj`. */
  patchStatus(obj: T, status: unknown, options?: { signal?: AbortSignal }): Promise<unknown>;
}

function _code(err: unknown): number | undefined {
  const e = err as { code?: number; status?: { code?: number } };
  return e?.code ?? e?.status?.code;
}

/**
 * A child kept equal to `desired(site)` with crudResource: created when missing, replaced
 * when `differs`, deleted on ensureDeleted. Idempotent: AlreadyExists and NotFound are
 * success.
 */
export function childResource<T extends WebsiteLike, C extends KubeObject>(
  name: string,
  options: {
    api: ChildApi<C>;
    desired: (site: T) => C;
    differs: (current: C, desired: C) => boolean;
    onChange?: (what: string) => void;
  },
): Resource<T> {
  const { api } = options;
  const say = (what: string) => options.onChange?.(what);
  return crudResource<T, C | undefined>({
    name,
    getCurrentState: (site, ctx) =>
      api.get(site.metadata.namespace!, options.desired(site).metadata.name!, {
        signal: ctx.signal,
      }),
    getDesiredState: (site) => Promise.resolve(options.desired(site)),
    newUpdatePatch: (_site, { current, desired }) => {
      if (!current) return Promise.resolve({ create: desired });
      if (options.differs(current, desired!)) {
        const update = {
          ...current,
          ...desired,
          metadata: {
            ...current.metadata,
            labels: { ...current.metadata.labels, ...desired!.metadata.labels },
            ownerReferences: desired!.metadata.ownerReferences,
          },
        } as C;
        return Promise.resolve({ update });
      }
      return Promise.resolve({});
    },
    newDeletePatch: (_site, { current }) => Promise.resolve(current ? { delete: current } : {}),
    applyCreateChange: async (_site, { change, ctx }) => {
      try {
        await api.create(change!, { signal: ctx.signal });
        say(`created ${change!.kind} ${change!.metadata.name}`);
      } catch (err) {
        if (_code(err) !== 409) throw err;
      }
    },
    applyUpdateChange: async (_site, { change, ctx }) => {
      await api.replace(change!, { signal: ctx.signal });
      say(`updated ${change!.kind} ${change!.metadata.name}`);
    },
    applyDeleteChange: async (_site, { change, ctx }) => {
      try {
        await api.delete(change!.metadata.namespace!, change!.metadata.name!, {
          signal: ctx.signal,
        });
        say(`deleted ${change!.kind} ${change!.metadata.name}`);
      } catch (err) {
        if (_code(err) !== 404) throw err;
      }
    },
  });
}

/** The clients the Website resources use. */
export interface WebsiteApis<T extends WebsiteLike> {
  configMaps: ChildApi<ConfigMapObject>;
  deployments: ChildApi<DeploymentObject>;
  services: ChildApi<ServiceObject>;
  status: StatusApi<T>;
  /** Called with a line describing each change (the demo prints them). */
  onChange?: (what: string) => void;
  /** Time source for condition timestamps (default Date.now). */
  now?: () => number;
}

/**
 * The Website resources in creation order: ConfigMap, Deployment, Service, then status
 * (observedGeneration and Ready=True once all three exist). Deletion runs them in reverse,
 * so the status resource (whose ensureDeleted does nothing) comes first and the ConfigMap
 * last, after the Deployment mounting it is gone.
 */
export function websiteResources<T extends WebsiteLike>(apis: WebsiteApis<T>): Resource<T>[] {
  const onChange = apis.onChange;
  const configMap = childResource<T, ConfigMapObject>("configmap", {
    api: apis.configMaps,
    desired: desiredConfigMap,
    differs: (c, d) => JSON.stringify(c.data ?? {}) !== JSON.stringify(d.data ?? {}),
    ...(onChange ? { onChange } : {}),
  });
  const deployment = childResource<T, DeploymentObject>("deployment", {
    api: apis.deployments,
    desired: desiredDeployment,
    differs: (c, d) =>
      c.spec?.replicas !== d.spec.replicas ||
      c.spec?.template?.spec?.containers?.[0]?.image !== d.spec.template.spec.containers[0].image,
    ...(onChange ? { onChange } : {}),
  });
  const service = childResource<T, ServiceObject>("service", {
    api: apis.services,
    desired: desiredService,
    differs: (c, d) =>
      JSON.stringify(c.spec?.ports?.map((p) => p.port)) !==
        JSON.stringify(d.spec.ports.map((p) => p.port)),
    ...(onChange ? { onChange } : {}),
  });
  const status: Resource<T> = {
    name: "status",
    async ensureCreated(site, ctx) {
      const ns = site.metadata.namespace!;
      const name = site.metadata.name!;
      const [cm, dep, svc] = await Promise.all([
        apis.configMaps.get(ns, `${name}-html`, { signal: ctx.signal }),
        apis.deployments.get(ns, name, { signal: ctx.signal }),
        apis.services.get(ns, name, { signal: ctx.signal }),
      ]);
      const ready = !!(cm && dep && svc);
      const current = site.status ?? {};
      const conditions = setCondition(
        current.conditions as Parameters<typeof setCondition>[0],
        {
          type: "Ready",
          status: ready ? "True" : "False",
          reason: ready ? "ChildrenExist" : "ChildrenMissing",
          message: ready
            ? "ConfigMap, Deployment and Service exist"
            : "waiting for the ConfigMap, Deployment and Service",
          observedGeneration: site.metadata.generation,
        },
        { now: apis.now?.() ?? Date.now() },
      );
      const next = { ...current, observedGeneration: site.metadata.generation, conditions };
      if (!statusChanged(current, next)) return;
      await apis.status.patchStatus(site, next, { signal: ctx.signal });
      onChange?.(
        `status of Website ${name}: observedGeneration=${next.observedGeneration}, Ready=${
          ready ? "True" : "False"
        }`,
      );
      if (!ready) ctx.requeueAfter(1000);
    },
    ensureDeleted() {
      return Promise.resolve();
    },
  };
  return [configMap, deployment, service, status];
}
