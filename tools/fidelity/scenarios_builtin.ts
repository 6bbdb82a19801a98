/**
 * Scenarios on the built-in kinds operators manage beyond ConfigMaps (issue 14): for each of
 * ResourceQuota, LimitRange, Job, CronJob, Ingress, NetworkPolicy, PodDisruptionBudget,
 * HorizontalPodAutoscaler v2, PersistentVolumeClaim and ValidatingWebhookConfiguration:
 * create a valid object, create an invalid one, get, list, server-side apply.
 */
import type { Scenario, ScenarioContext } from "./runner.ts";
import { createNamespace } from "./scenarios_core.ts";

interface _Kind {
  /** Scenario name. */
  name: string;
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Fields beside metadata of a valid object. */
  valid: Record<string, unknown>;
  /** Fields beside metadata of an object the server rejects. */
  invalid: Record<string, unknown>;
}

const _template = {
  spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36" }] },
};

const _kinds: _Kind[] = [
  {
    name: "resourcequota",
    apiVersion: "v1",
    kind: "ResourceQuota",
    plural: "resourcequotas",
    namespaced: true,
    valid: { spec: { hard: { pods: "10", "requests.cpu": "2" } } },
    invalid: { spec: { hard: { pods: "ten" } } },
  },
  {
    name: "limitrange",
    apiVersion: "v1",
    kind: "LimitRange",
    plural: "limitranges",
    namespaced: true,
    valid: { spec: { limits: [{ type: "Container", max: { cpu: "1" } }] } },
    invalid: { spec: { limits: [{ type: "Container", max: { cpu: ["1"] } }] } },
  },
  {
    name: "job",
    apiVersion: "batch/v1",
    kind: "Job",
    plural: "jobs",
    namespaced: true,
    valid: { spec: { template: _template } },
    invalid: { spec: { template: { spec: { ..._template.spec, restartPolicy: "Always" } } } },
  },
  {
    name: "cronjob",
    apiVersion: "batch/v1",
    kind: "CronJob",
    plural: "cronjobs",
    namespaced: true,
    valid: { spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: _template } } } },
    invalid: { spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: {} } } } },
  },
  {
    name: "ingress",
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    plural: "ingresses",
    namespaced: true,
    valid: { spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } } } },
    invalid: { spec: { defaultBackend: { service: { name: "web", port: { number: "80" } } } } },
  },
  {
    name: "networkpolicy",
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    namespaced: true,
    valid: { spec: { podSelector: { matchLabels: { app: "web" } } } },
    invalid: { spec: { podSelector: { matchLabels: { app: 7 } } } },
  },
  {
    name: "poddisruptionbudget",
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    plural: "poddisruptionbudgets",
    namespaced: true,
    valid: { spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } } },
    invalid: { spec: { minAvailable: true } },
  },
  {
    name: "horizontalpodautoscaler-v2",
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    namespaced: true,
    valid: {
      spec: {
        maxReplicas: 3,
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
      },
    },
    invalid: {
      spec: {
        maxReplicas: 3000000000,
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
      },
    },
  },
  {
    name: "persistentvolumeclaim",
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    plural: "persistentvolumeclaims",
    namespaced: true,
    valid: {
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    },
    invalid: {
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1 Gi" } } },
    },
  },
  {
    name: "validatingwebhookconfiguration",
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    plural: "validatingwebhookconfigurations",
    namespaced: false,
    valid: {
      webhooks: [{
        name: "check.example.com",
        clientConfig: { url: "https://127.0.0.1:9443/validate" },
        sideEffects: "None",
        admissionReviewVersions: ["v1"],
        // never called: nothing in this scenario matches it
        rules: [{
          apiGroups: ["example.com"],
          apiVersions: ["v1"],
          operations: ["CREATE"],
          resources: ["nothings"],
        }],
      }],
    },
    invalid: { webhooks: [{ name: "check.example.com", clientConfig: {} }] },
  },
];

function _collection(k: _Kind, ns: string): string {
  const prefix = k.apiVersion.includes("/") ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  return k.namespaced ? `${prefix}/namespaces/${ns}/${k.plural}` : `${prefix}/${k.plural}`;
}

function _scenario(k: _Kind): Scenario {
  return {
    name: `builtin-${k.name}`,
    async run(ctx: ScenarioContext) {
      const ns = `fid-${k.name}`;
      if (k.namespaced) await createNamespace(ctx, ns);
      const base = _collection(k, ns);
      const name = `fid-${k.name}`;
      const body = (n: string, rest: Record<string, unknown>, labels = { fid: k.name }) => ({
        apiVersion: k.apiVersion,
        kind: k.kind,
        metadata: { name: n, labels },
        ...rest,
      });
      await ctx.request("create valid", { method: "POST", path: base, body: body(name, k.valid) });
      await ctx.request("create invalid", {
        method: "POST",
        path: base,
        body: body(`${name}-bad`, k.invalid),
      });
      await ctx.request("get", { path: `${base}/${name}` });
      await ctx.request("list", { path: `${base}?labelSelector=fid%3D${k.name}` });
      await ctx.request("server-side apply", {
        method: "PATCH",
        path: `${base}/${name}?fieldManager=fidelity&force=true`,
        contentType: "application/apply-patch+yaml",
        body: body(name, {}, { fid: k.name, applied: "yes" } as { fid: string }),
      });
      await ctx.request("delete", { method: "DELETE", path: `${base}/${name}` });
    },
  };
}

const _hpaRef = { apiVersion: "apps/v1", kind: "Deployment", name: "web" };

/**
 * HorizontalPodAutoscalers stored at autoscaling/v2 and read and written at autoscaling/v1:
 * the CPU target and the annotations that carry the rest of v2 (other metrics, behavior,
 * conditions, current metrics), on create, get, list, watch, status, merge patch and apply.
 */
export const hpaConversionScenario: Scenario = {
  name: "builtin-horizontalpodautoscaler-v1-v2",
  async run(ctx: ScenarioContext) {
    const ns = "fid-hpa-conv";
    await createNamespace(ctx, ns);
    const at = (v: string) => `/apis/autoscaling/${v}/namespaces/${ns}/horizontalpodautoscalers`;
    await ctx.request("create at v2", {
      method: "POST",
      path: at("v2"),
      body: {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "two", labels: { fid: "hpa-conv" } },
        spec: {
          scaleTargetRef: _hpaRef,
          maxReplicas: 5,
          metrics: [
            {
              type: "Resource",
              resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } },
            },
            {
              type: "Pods",
              pods: {
                metric: { name: "qps" },
                target: { type: "AverageValue", averageValue: "10" },
              },
            },
          ],
          behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
        },
      },
    });
    await ctx.request("get v2 object at v1", { path: `${at("v1")}/two` });
    await ctx.request("create at v1", {
      method: "POST",
      path: at("v1"),
      body: {
        apiVersion: "autoscaling/v1",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "one", labels: { fid: "hpa-conv" } },
        spec: { scaleTargetRef: _hpaRef, maxReplicas: 4, targetCPUUtilizationPercentage: 70 },
      },
    });
    await ctx.request("get v1 object at v2", { path: `${at("v2")}/one` });
    await ctx.request("create at v1 without a target", {
      method: "POST",
      path: `${at("v1")}?dryRun=All`,
      body: {
        apiVersion: "autoscaling/v1",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "bare" },
        spec: { scaleTargetRef: _hpaRef, maxReplicas: 2 },
      },
    });
    await ctx.request("create at v1 undecodable", {
      method: "POST",
      path: at("v1"),
      body: {
        apiVersion: "autoscaling/v1",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "bad" },
        spec: { scaleTargetRef: _hpaRef, maxReplicas: "4" },
      },
    });
    await ctx.request("status at v2", {
      method: "PATCH",
      path: `${at("v2")}/two/status`,
      contentType: "application/merge-patch+json",
      body: {
        status: {
          currentReplicas: 2,
          desiredReplicas: 3,
          currentMetrics: [{
            type: "Resource",
            resource: { name: "cpu", current: { averageUtilization: 55, averageValue: "100m" } },
          }],
          conditions: [{
            type: "AbleToScale",
            status: "True",
            lastTransitionTime: "2026-01-01T00:00:00Z",
            reason: "ReadyForNewScale",
          }],
        },
      },
    });
    await ctx.request("list at v1", { path: `${at("v1")}?labelSelector=fid%3Dhpa-conv` });
    await ctx.request("merge patch at v1", {
      method: "PATCH",
      // its own manager name: managedFields sort by time (seconds), then manager, so this
      // entry comes last whether or not the second turned since the create
      path: `${at("v1")}/two?fieldManager=fidelity-v1`,
      contentType: "application/merge-patch+json",
      body: { spec: { targetCPUUtilizationPercentage: 50 } },
    });
    await ctx.request("get patched at v2", { path: `${at("v2")}/two` });
    await ctx.request("apply at v1", {
      method: "PATCH",
      path: `${at("v1")}/one?fieldManager=fidelity&force=true`,
      contentType: "application/apply-patch+yaml",
      body: {
        apiVersion: "autoscaling/v1",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "one" },
        spec: { scaleTargetRef: _hpaRef, maxReplicas: 6, targetCPUUtilizationPercentage: 65 },
      },
    });
    await ctx.request("list at v2", { path: `${at("v2")}?labelSelector=fid%3Dhpa-conv` });
    await ctx.watch("watch at v1", {
      path: `${at("v1")}?watch=1&resourceVersion=0&fieldSelector=metadata.name%3Dtwo`,
      events: 1,
    });
    await ctx.request("delete at v1", { method: "DELETE", path: `${at("v1")}/two` });
  },
};

/** One scenario per kind, in the order above, then the HPA v1/v2 conversion. */
export const builtinScenarios: Scenario[] = [..._kinds.map(_scenario), hpaConversionScenario];
