// HorizontalPodAutoscalers at autoscaling/v1 and autoscaling/v2, against the embedded API server
// or the real one named by OPERATORKIT_TEST_KUBECONFIG: both store them at v2 and convert v1
// (k8s.io/kubernetes pkg/apis/autoscaling/v1/conversion.go): the CPU target is a v2 Resource
// metric, and what v1 cannot say travels in autoscaling.alpha.kubernetes.io/* annotations. The
// same assertions run on both tiers, so the two agree.
import assert from "node:assert/strict";
import { HorizontalPodAutoscalers as V1 } from "../../api/autoscaling/v1/mod.ts";
import { HorizontalPodAutoscalers as V2 } from "../../api/autoscaling/v2/mod.ts";
import { clusterEnv } from "./_cluster.ts";

const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "web" };
const cpu = (averageUtilization: number) => ({
  type: "Resource",
  resource: { name: "cpu", target: { type: "Utilization", averageUtilization } },
});
const qps = {
  type: "Pods",
  pods: { metric: { name: "qps" }, target: { type: "AverageValue", averageValue: "10" } },
};
const METRICS = "autoscaling.alpha.kubernetes.io/metrics";
const BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
const CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
const CURRENT = "autoscaling.alpha.kubernetes.io/current-metrics";

Deno.test("HPA written at v2 reads at v1: CPU target, other metrics and behavior in annotations", async () => {
  await using env = await clusterEnv("hpa-conv");
  const v1 = env.client.resource(V1);
  const v2 = env.client.resource(V2);
  await v2.create({
    metadata: { name: "two", labels: { app: "web" } },
    spec: {
      scaleTargetRef: ref,
      maxReplicas: 5,
      metrics: [cpu(60), qps],
      behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
    },
  });
  const got = await v1.get("two");
  assert.equal(got.apiVersion, "autoscaling/v1");
  assert.equal(got.spec?.targetCPUUtilizationPercentage, 60);
  assert.equal(got.spec?.minReplicas, 1);
  assert.equal(got.spec?.maxReplicas, 5);
  const ann = got.metadata.annotations ?? {};
  assert.deepEqual(JSON.parse(ann[METRICS]), [
    { type: "Pods", pods: { metricName: "qps", targetAverageValue: "10" } },
  ]);
  // the internal type's Go field names, with v2's defaults filled in
  const behavior = JSON.parse(ann[BEHAVIOR]);
  assert.equal(behavior.ScaleDown.StabilizationWindowSeconds, 60);
  assert.equal(behavior.ScaleUp.SelectPolicy, "Max");
  assert.deepEqual(got.status, { currentReplicas: 0, desiredReplicas: 0 });

  // list and watch at v1 convert too
  const list = await v1.list({ namespace: env.namespace, labelSelector: "app=web" });
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0].spec?.targetCPUUtilizationPercentage, 60);
  assert.ok(list.items[0].metadata.annotations?.[METRICS]);
  const it = v1.watch({
    namespace: env.namespace,
    resourceVersion: list.metadata.resourceVersion,
  });
  try {
    const next = it.next();
    await v2.patch("two", { type: "merge", body: { spec: { maxReplicas: 7 } } });
    const e = await next;
    assert.ok(!e.done && e.value.type === "MODIFIED", JSON.stringify(e.value));
    if (!e.done && e.value.type === "MODIFIED") {
      assert.equal(e.value.object.apiVersion, "autoscaling/v1");
      assert.equal(e.value.object.spec?.maxReplicas, 7);
      assert.equal(e.value.object.spec?.targetCPUUtilizationPercentage, 60);
    }
  } finally {
    await it.return();
  }

  // a merge patch at v1 changes the CPU target and keeps the other metric (first) and behavior
  await v1.patch("two", { type: "merge", body: { spec: { targetCPUUtilizationPercentage: 50 } } });
  const back = await v2.get("two");
  assert.deepEqual(back.spec?.metrics, [qps, cpu(50)]);
  assert.equal(back.spec?.behavior?.scaleDown?.stabilizationWindowSeconds, 60);
  assert.equal(back.metadata.annotations, undefined, "v2 keeps no round-trip annotation");
});

Deno.test("HPA written at v1 reads at v2: CPU metric, the 80% default, status conditions", async () => {
  await using env = await clusterEnv("hpa-conv");
  const v1 = env.client.resource(V1);
  const v2 = env.client.resource(V2);
  await v1.create({
    metadata: { name: "one" },
    spec: { scaleTargetRef: ref, maxReplicas: 4, targetCPUUtilizationPercentage: 70 },
  });
  const one = await v2.get("one");
  assert.equal(one.apiVersion, "autoscaling/v2");
  assert.deepEqual(one.spec?.metrics, [cpu(70)]);
  assert.equal(one.spec?.minReplicas, 1);
  assert.equal(one.metadata.managedFields?.[0]?.apiVersion, "autoscaling/v1");

  const bare = await v1.create({
    metadata: { name: "bare" },
    spec: { scaleTargetRef: ref, maxReplicas: 2 },
  });
  assert.equal(bare.spec?.targetCPUUtilizationPercentage, 80, "v1's implicit default");
  assert.deepEqual((await v2.get("bare")).spec?.metrics, [cpu(80)]);

  // v2 status (conditions, current metrics) reads at v1 through annotations
  await v2.status.patch("one", {
    type: "merge",
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
  const st = await v1.get("one");
  assert.equal(st.status?.currentCPUUtilizationPercentage, 55);
  assert.equal(st.status?.desiredReplicas, 3);
  const ann = st.metadata.annotations ?? {};
  assert.deepEqual(JSON.parse(ann[CONDITIONS]), [{
    type: "AbleToScale",
    status: "True",
    lastTransitionTime: "2026-01-01T00:00:00Z",
    reason: "ReadyForNewScale",
  }]);
  assert.deepEqual(JSON.parse(ann[CURRENT]), [{
    type: "Resource",
    resource: { name: "cpu", currentAverageUtilization: 55, currentAverageValue: "100m" },
  }]);

  // server-side apply at v1 converts the live object, applies, and stores at v2
  const applied = await v1.apply({
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "one" },
    spec: { scaleTargetRef: ref, maxReplicas: 6, targetCPUUtilizationPercentage: 65 },
  }, { fieldManager: "hpa-test", force: true });
  assert.equal(applied.spec?.targetCPUUtilizationPercentage, 65);
  const after = await v2.get("one");
  assert.deepEqual(after.spec?.metrics, [cpu(65)]);
  assert.equal(after.spec?.maxReplicas, 6);
  const mine = after.metadata.managedFields?.find((m) => m.manager === "hpa-test");
  assert.equal(mine?.operation, "Apply");
  assert.equal(mine?.apiVersion, "autoscaling/v1");

  // an undecodable v1 body is rejected naming v1
  await assert.rejects(
    v1.create({
      metadata: { name: "bad" },
      spec: { scaleTargetRef: ref, maxReplicas: "4" as unknown as number },
    }),
    /HorizontalPodAutoscaler in version "v1" cannot be handled/,
  );
});
