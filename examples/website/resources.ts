/**
 * The Website operator's resources: three CRUD children and a status resource.
 *
 * @module
 */
import { ConfigMaps, Deployments, Services } from "../../client/builtins.ts";
import { ignoreNotFound, isAlreadyExists } from "../../client/errors.ts";
import type { KubeClient } from "../../client/kube_client.ts";
import type { KubeObject, ResourceType } from "../../client/types.ts";
import { crudResource } from "../../controller/crud_resource.ts";
import { writeStatus } from "../../controller/kube.ts";
import type { Resource } from "../../controller/resource.ts";
import { setCondition } from "../../controller/status.ts";
import { desiredConfigMap, desiredDeployment, desiredService } from "./children.ts";
import { Website } from "./website.ts";

/**
 * A child kept equal to `desired(site)` with crudResource: created when missing, replaced
 * when `differs`, deleted on ensureDeleted. Idempotent: AlreadyExists and NotFound are
 * success.
 */
export function childResource<C extends KubeObject>(
  client: KubeClient,
  type: ResourceType<C>,
  options: {
    desired: (site: Website) => C;
    differs: (current: C, desired: C) => boolean;
    onChange?: (what: string) => void;
  },
): Resource<Website> {
  const api = client.resource(type);
  const say = (verb: string, c: C) => options.onChange?.(`${verb} ${type.kind} ${c.metadata.name}`);
  return crudResource<Website, C | undefined>({
    name: type.kind.toLowerCase(),
    getCurrentState: (site, ctx) =>
      api.get(options.desired(site).metadata.name!, {
        namespace: site.metadata.namespace,
        signal: ctx.signal,
      }).catch(ignoreNotFound),
    getDesiredState: (site) => Promise.resolve(options.desired(site)),
    newUpdatePatch: (_site, { current, desired }) => {
      if (!current) return Promise.resolve({ create: desired });
      if (!options.differs(current, desired!)) return Promise.resolve({});
      const labels = { ...current.metadata.labels, ...desired!.metadata.labels };
      const ownerReferences = desired!.metadata.ownerReferences;
      const metadata = { ...current.metadata, labels, ownerReferences };
      return Promise.resolve({ update: { ...current, ...desired, metadata } as C });
    },
    newDeletePatch: (_site, { current }) => Promise.resolve(current ? { delete: current } : {}),
    applyCreateChange: async (_site, { change, ctx }) => {
      await api.create(change!, { signal: ctx.signal }).then(
        () => say("created", change!),
        (err) => isAlreadyExists(err) || Promise.reject(err),
      );
    },
    applyUpdateChange: async (_site, { change, ctx }) => {
      await api.replace(change!, { signal: ctx.signal });
      say("updated", change!);
    },
    applyDeleteChange: async (_site, { change, ctx }) => {
      const { name, namespace } = change!.metadata;
      const gone = await api.delete(name!, { namespace, signal: ctx.signal }).catch(ignoreNotFound);
      if (gone) say("deleted", change!);
    },
  });
}

/**
 * The Website resources in creation order: ConfigMap, Deployment, Service, then status
 * (observedGeneration and Ready=True once all three exist). Deletion runs them in reverse,
 * so the status resource (whose ensureDeleted does nothing) comes first and the ConfigMap
 * last, after the Deployment mounting it is gone.
 *
 * The status resource is `finally`: when a child fails (say the API refuses it because a
 * 253-character Website name makes `X-html` too long: 422, which nothing retries), it still
 * runs and records `Ready=False` with reason `ReconcileFailed` and the failure as message;
 * the reconcile still fails, and the default error policy does not retry it until the
 * Website changes or resyncs, so there is no hot loop.
 */
export function websiteResources(
  client: KubeClient,
  options: { onChange?: (what: string) => void; now?: () => number } = {},
): Resource<Website>[] {
  const { onChange } = options;
  const configMap = childResource(client, ConfigMaps, {
    desired: desiredConfigMap,
    differs: (c, d) => JSON.stringify(c.data ?? {}) !== JSON.stringify(d.data ?? {}),
    onChange,
  });
  const deployment = childResource(client, Deployments, {
    desired: desiredDeployment,
    differs: (c, d) =>
      c.spec?.replicas !== d.spec?.replicas ||
      c.spec?.template?.spec?.containers?.[0]?.image !==
        d.spec?.template?.spec?.containers?.[0]?.image,
    onChange,
  });
  const service = childResource(client, Services, {
    desired: desiredService,
    differs: (c, d) =>
      JSON.stringify(c.spec?.ports?.map((p) => p.port)) !==
        JSON.stringify(d.spec?.ports?.map((p) => p.port)),
    onChange,
  });
  const status: Resource<Website> = {
    name: "status",
    finally: true,
    async ensureCreated(site, ctx) {
      const { namespace, name } = site.metadata;
      const get = (type: ResourceType, n: string) =>
        client.resource(type).get(n, { namespace, signal: ctx.signal }).catch(ignoreNotFound);
      const children = await Promise.all([
        get(ConfigMaps, `${name}-html`),
        get(Deployments, name!),
        get(Services, name!),
      ]);
      const ready = !ctx.failure && children.every((c) => c !== undefined);
      const conditions = setCondition(site.status?.conditions, {
        type: "Ready",
        status: ready ? "True" : "False",
        reason: ready ? "ChildrenExist" : ctx.failure ? "ReconcileFailed" : "ChildrenMissing",
        message: ready
          ? "ConfigMap, Deployment and Service exist"
          : ctx.failure?.message ?? "waiting for the ConfigMap, Deployment and Service",
        observedGeneration: site.metadata.generation,
      }, { now: options.now?.() ?? Date.now() });
      const next = { observedGeneration: site.metadata.generation, conditions };
      if (
        !await writeStatus(client.resource(Website), site, { status: next, signal: ctx.signal })
      ) {
        return;
      }
      onChange?.(
        `status of Website ${name}: observedGeneration=${next.observedGeneration}, Ready=${
          ready ? "True" : "False"
        }`,
      );
      if (!ready && !ctx.failure) ctx.requeueAfter(1000);
    },
    ensureDeleted: () => Promise.resolve(),
  };
  return [configMap, deployment, service, status];
}
