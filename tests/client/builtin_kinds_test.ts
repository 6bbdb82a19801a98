// The whole built-in API (issue 14), against the embedded API server or the real one named by
// OPERATORKIT_TEST_KUBECONFIG: the kinds operators manage beyond the classic 17 (ResourceQuota,
// LimitRange, Job, CronJob, Ingress, NetworkPolicy, PodDisruptionBudget, HorizontalPodAutoscaler
// v2, PersistentVolumeClaim, ValidatingWebhookConfiguration, PriorityClass, StorageClass) are
// created, read, listed and applied through their generated descriptors, and rejected the way
// the real server rejects them; defaults operators read back; merge keys and list types from
// the OpenAPI documents.
import assert from "node:assert/strict";
import { ApiError, type KubeObject, type ResourceType } from "../../client/mod.ts";
import { Deployments } from "../../client/builtins.ts";
import { LimitRanges, Pods, ResourceQuotas, Services } from "../../api/core/v1/mod.ts";
import { PersistentVolumeClaims } from "../../api/core/v1/mod.ts";
import { CronJobs, Jobs } from "../../api/batch/v1/mod.ts";
import { Ingresses, NetworkPolicies } from "../../api/networking/v1/mod.ts";
import { PodDisruptionBudgets } from "../../api/policy/v1/mod.ts";
import { HorizontalPodAutoscalers } from "../../api/autoscaling/v2/mod.ts";
import { ValidatingWebhookConfigurations } from "../../api/admissionregistration/v1/mod.ts";
import { PriorityClasses } from "../../api/scheduling/v1/mod.ts";
import { StorageClasses } from "../../api/storage/v1/mod.ts";
import { ServiceAccounts } from "../../api/core/v1/mod.ts";
import { clusterEnv, uniqueName } from "./_cluster.ts";
import { KUBECTL, Kubectl, requireKubectl } from "../apiserver/_kubectl.ts";
import { needs } from "../_tier.ts";
import { builtinResources } from "../../testing/_schema/builtin.ts";

const setup = () => clusterEnv("builtin");

interface Case {
  // deno-lint-ignore no-explicit-any
  type: ResourceType<any>;
  valid: Record<string, unknown>;
  invalid: Record<string, unknown>;
  /** 400 (undecodable) or 422 (invalid), and a fragment of the message. */
  rejected: [number, RegExp];
}

const template = {
  spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36" }] },
};

const cases: Record<string, Case> = {
  ResourceQuota: {
    type: ResourceQuotas,
    valid: { spec: { hard: { pods: "10", "requests.cpu": "2" } } },
    invalid: { spec: { hard: { pods: "ten" } } },
    rejected: [400, /quantities must match the regular expression/],
  },
  LimitRange: {
    type: LimitRanges,
    valid: { spec: { limits: [{ type: "Container", max: { cpu: "1" } }] } },
    invalid: { spec: { limits: [{ type: "Container", max: { cpu: ["1"] } }] } },
    rejected: [400, /cannot be handled as a LimitRange/],
  },
  Job: {
    type: Jobs,
    valid: { spec: { template } },
    invalid: { spec: { template: { spec: { ...template.spec, restartPolicy: "Always" } } } },
    rejected: [
      422,
      /spec\.template\.spec\.restartPolicy: Required value: valid values: "OnFailure", "Never"/,
    ],
  },
  CronJob: {
    type: CronJobs,
    valid: { spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template } } } },
    invalid: { spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: {} } } } },
    rejected: [422, /spec\.jobTemplate\.spec\.template\.spec\.containers: Required value/],
  },
  Ingress: {
    type: Ingresses,
    valid: { spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } } } },
    invalid: { spec: { defaultBackend: { service: { name: "web", port: { number: "80" } } } } },
    rejected: [400, /cannot unmarshal string into Go struct field .* of type int32/],
  },
  NetworkPolicy: {
    type: NetworkPolicies,
    valid: { spec: { podSelector: { matchLabels: { app: "web" } } } },
    invalid: { spec: { podSelector: { matchLabels: { app: 7 } } } },
    rejected: [400, /cannot unmarshal number into Go struct field .* of type string/],
  },
  PodDisruptionBudget: {
    type: PodDisruptionBudgets,
    valid: { spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } } },
    invalid: { spec: { minAvailable: true } },
    rejected: [400, /cannot be handled as a PodDisruptionBudget/],
  },
  HorizontalPodAutoscaler: {
    type: HorizontalPodAutoscalers,
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
    rejected: [400, /cannot unmarshal number 3000000000 into Go struct field .* of type int32/],
  },
  PersistentVolumeClaim: {
    type: PersistentVolumeClaims,
    valid: {
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    },
    invalid: {
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1 Gi" } } },
    },
    rejected: [400, /quantities must match the regular expression/],
  },
};

const clusterCases: Record<string, Case> = {
  ValidatingWebhookConfiguration: {
    type: ValidatingWebhookConfigurations,
    valid: {
      webhooks: [{
        name: "check.example.com",
        clientConfig: { url: "https://127.0.0.1:9443/validate" },
        sideEffects: "None",
        admissionReviewVersions: ["v1"],
      }],
    },
    invalid: { webhooks: [{ name: "check.example.com", clientConfig: {} }] },
    rejected: [422, /webhooks\[0\]\.sideEffects: Required value/],
  },
  PriorityClass: {
    type: PriorityClasses,
    valid: { value: 1000, description: "test" },
    invalid: { value: 1000.5 },
    rejected: [400, /cannot unmarshal number 1000.5 into Go struct field .* of type int32/],
  },
  StorageClass: {
    type: StorageClasses,
    valid: { provisioner: "example.com/none" },
    invalid: { provisioner: 5 },
    rejected: [400, /cannot be handled as a StorageClass/],
  },
};

async function exercise(
  env: Awaited<ReturnType<typeof setup>>,
  kind: string,
  c: Case,
  name: string,
): Promise<void> {
  const rc = env.client.resource(c.type);
  const created = await rc.create({ metadata: { name, labels: { t: name } }, ...c.valid });
  assert.equal(created.kind, kind);
  assert.ok(created.metadata.uid, `${kind}: uid`);
  const got = await rc.get(name);
  assert.equal(got.metadata.uid, created.metadata.uid);
  const list = await rc.list({ labelSelector: `t=${name}` });
  assert.deepEqual(list.items.map((i: KubeObject) => i.metadata.name), [name]);
  const applied = await rc.apply(
    { apiVersion: c.type.apiVersion, kind, metadata: { name, labels: { t: name, x: "y" } } },
    { fieldManager: "builtin-test", force: true },
  );
  assert.equal(applied.metadata.labels?.x, "y", `${kind}: SSA merged the label`);
  const e = await rc.create({ metadata: { name: `${name}-bad` }, ...c.invalid }).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(e instanceof ApiError, `${kind}: the invalid object was accepted`);
  assert.equal(e.code, c.rejected[0], `${kind}: ${e.message}`);
  assert.match(e.message, c.rejected[1], kind);
  await rc.delete(name);
}

for (const [kind, c] of Object.entries(cases)) {
  Deno.test(`built-in ${kind}: create valid, get, list, apply; create invalid is rejected`, async () => {
    await using env = await setup();
    await exercise(env, kind, c, uniqueName(kind.toLowerCase()));
  });
}

Deno.test("cluster-scoped built-ins: webhook configuration, PriorityClass, StorageClass", async () => {
  await using env = await setup();
  for (const [kind, c] of Object.entries(clusterCases)) {
    await exercise(env, kind, c, uniqueName(kind.toLowerCase()));
  }
});

Deno.test("built-in defaults operators read back", async () => {
  await using env = await setup();
  await env.client.resource(ServiceAccounts).create({ metadata: { name: "default" } }).catch(
    () => {}, // a real cluster's controller-manager may have made it
  );
  const d = await env.client.resource(Deployments).create({
    metadata: { name: "web" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "nginx" }, { name: "b", image: "b:1.0" }] },
      },
    },
  });
  assert.equal(d.spec?.replicas, 1);
  assert.deepEqual(d.spec?.strategy, {
    type: "RollingUpdate",
    rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
  });
  assert.equal(d.spec?.revisionHistoryLimit, 10);
  assert.equal(d.spec?.progressDeadlineSeconds, 600);
  const ps = d.spec?.template.spec;
  assert.equal(ps?.restartPolicy, "Always");
  assert.equal(ps?.dnsPolicy, "ClusterFirst");
  assert.equal(ps?.terminationGracePeriodSeconds, 30);
  assert.equal(ps?.schedulerName, "default-scheduler");
  const [latest, pinned] = ps?.containers ?? [];
  assert.equal(latest.terminationMessagePath, "/dev/termination-log");
  assert.equal(latest.imagePullPolicy, "Always");
  assert.equal(pinned.imagePullPolicy, "IfNotPresent");

  const svc = await env.client.resource(Services).create({
    metadata: { name: "web" },
    spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
  });
  assert.equal(svc.spec?.type, "ClusterIP");
  assert.equal(svc.spec?.sessionAffinity, "None");
  assert.deepEqual(svc.spec?.ipFamilies, ["IPv4"]);
  assert.equal(svc.spec?.ports?.[0].protocol, "TCP");
  assert.equal(svc.spec?.ports?.[0].targetPort, 80);
  assert.match(svc.spec?.clusterIP ?? "", /^\d+\.\d+\.\d+\.\d+$/);

  const pod = await env.client.resource(Pods).create({
    metadata: { name: "p" },
    spec: { containers: [{ name: "c", image: "busybox:1.36" }] },
  });
  assert.equal(pod.spec?.restartPolicy, "Always");
  assert.equal(pod.spec?.dnsPolicy, "ClusterFirst");
  assert.equal(pod.spec?.terminationGracePeriodSeconds, 30);
  assert.equal(pod.spec?.schedulerName, "default-scheduler");
  assert.equal(pod.spec?.containers[0].terminationMessagePath, "/dev/termination-log");
  assert.equal(pod.spec?.containers[0].imagePullPolicy, "IfNotPresent");

  const job = await env.client.resource(Jobs).create({
    metadata: { name: "j" },
    spec: { template },
  });
  assert.equal(job.spec?.backoffLimit, 6);
  assert.equal(job.spec?.completions, 1);
  assert.equal(job.spec?.parallelism, 1);
  const uid = job.metadata.uid!;
  assert.deepEqual(job.spec?.selector, {
    matchLabels: { "batch.kubernetes.io/controller-uid": uid },
  });
  assert.equal(job.spec?.template.metadata?.labels?.["job-name"], "j");
});

Deno.test("built-in validation: selector vs template labels, int32 range, unknown fields", async () => {
  await using env = await setup();
  const deployments = env.client.resource(Deployments);
  const mismatch = await deployments.create({
    metadata: { name: "m" },
    spec: {
      selector: { matchLabels: { app: "a" } },
      template: {
        metadata: { labels: { app: "b" } },
        spec: { containers: [{ name: "c", image: "nginx:1.27" }] },
      },
    },
  }).catch((e) => e);
  assert.ok(mismatch instanceof ApiError);
  assert.equal(mismatch.code, 422);
  assert.ok(
    mismatch.status.details?.causes?.some((c) =>
      c.field === "spec.template.metadata.labels" &&
      /`selector` does not match template `labels`/.test(c.message ?? "")
    ),
    mismatch.message,
  );
  const noContainers = await deployments.create({
    metadata: { name: "n" },
    spec: {
      selector: { matchLabels: { app: "a" } },
      template: { metadata: { labels: { app: "a" } }, spec: { containers: [] } },
    },
  }).catch((e) => e);
  assert.ok(noContainers instanceof ApiError);
  assert.equal(noContainers.code, 422);
  assert.ok(
    noContainers.status.details?.causes?.some((c) =>
      c.field === "spec.template.spec.containers" && /^Required value/.test(c.message ?? "")
    ),
    noContainers.message,
  );
  const overflow = await env.client.request({
    method: "POST",
    path: `/apis/apps/v1/namespaces/${env.namespace}/deployments`,
    body: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "o" },
      spec: { replicas: 2147483648 },
    },
  }).catch((e) => e);
  assert.ok(overflow instanceof ApiError);
  assert.equal(overflow.code, 400);
  assert.match(
    overflow.message,
    /json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec\.spec\.replicas of type int32/,
  );
  const strict = await env.client.request({
    method: "POST",
    path: `/api/v1/namespaces/${env.namespace}/configmaps`,
    query: { fieldValidation: "Strict" },
    body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "s" }, dta: { a: "b" } },
  }).catch((e) => e);
  assert.ok(strict instanceof ApiError);
  assert.equal(strict.code, 400);
  assert.match(strict.message, /strict decoding error: unknown field "dta"/);
});

Deno.test("strategic merge and server-side apply use the OpenAPI merge keys and list types", async () => {
  await using env = await setup();
  const svcs = env.client.resource(Services);
  await svcs.create({
    metadata: { name: "s" },
    spec: { selector: { app: "s" }, ports: [{ name: "a", port: 80 }, { name: "b", port: 81 }] },
  });
  // Service ports merge by `port` (x-kubernetes-patch-merge-key)
  const patched = await svcs.patch("s", {
    type: "strategic",
    body: { spec: { ports: [{ name: "b", port: 81, targetPort: 8081 }] } },
  });
  assert.deepEqual(patched.spec?.ports?.map((p) => [p.port, p.targetPort]), [[80, 80], [81, 8081]]);
  const deployments = env.client.resource(Deployments);
  const applied = await deployments.apply({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d" },
    spec: {
      selector: { matchLabels: { app: "d" } },
      template: {
        metadata: { labels: { app: "d" } },
        spec: {
          containers: [{ name: "c", image: "nginx:1.27", ports: [{ containerPort: 80 }] }],
        },
      },
    },
  }, { fieldManager: "mgr" });
  const fields = JSON.stringify(applied.metadata.managedFields?.[0].fieldsV1);
  // containers are a map keyed by name; ports by containerPort and (defaulted) protocol
  assert.match(fields, /"k:\{\\"name\\":\\"c\\"\}"/);
  assert.match(fields, /"k:\{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"\}"/);
});

// Listed by a real kube-apiserver, not served by the embedded one (virtual resources).
const VIRTUAL = [
  "bindings",
  "componentstatuses",
  "localsubjectaccessreviews.authorization.k8s.io",
  "selfsubjectaccessreviews.authorization.k8s.io",
  "selfsubjectreviews.authentication.k8s.io",
  "selfsubjectrulesreviews.authorization.k8s.io",
  "subjectaccessreviews.authorization.k8s.io",
  "tokenreviews.authentication.k8s.io",
];

Deno.test(
  needs("kubectl api-resources: the generated table is what the server lists", KUBECTL),
  async (t) => {
    requireKubectl(t.name);
    await using env = await setup();
    await using k = await Kubectl.for(env.cluster);
    const listed = (await k.ok(["api-resources", "-o", "name"])).trim().split("\n").sort();
    const names = new Set<string>();
    for (const r of builtinResources()) names.add(r.group ? `${r.plural}.${r.group}` : r.plural);
    // a real server may list CRDs other tests installed meanwhile: compare built-in groups only
    const builtinGroup = (n: string) =>
      !n.includes(".") || n.endsWith(".k8s.io") ||
      ["apps", "batch", "policy", "autoscaling"].some((g) => n.endsWith(`.${g}`));
    const expected = [...names].filter((n) => env.cluster.real || !VIRTUAL.includes(n)).sort();
    assert.deepEqual(listed.filter(builtinGroup), expected);
  },
);
