import assert from "node:assert/strict";
import { applyStrategicMergePatch, strategicMergeSchemaFor } from "./strategic_merge.ts";
import { PatchError } from "./json_patch.ts";

const deploymentSchema = strategicMergeSchemaFor("apps/v1", "Deployment")!;
const podSchema = strategicMergeSchemaFor("v1", "Pod")!;

function deployment(containers: unknown[], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { app: "web" } },
    spec: { replicas: 1, template: { spec: { containers, ...extra } } },
  };
}

function containersOf(d: unknown): unknown {
  return (d as { spec: { template: { spec: { containers: unknown } } } }).spec.template.spec
    .containers;
}

Deno.test("strategicMergeSchemaFor: built-in merge keys", () => {
  assert.equal(podSchema["spec.containers"], "name");
  assert.equal(podSchema["spec.initContainers"], "name");
  assert.equal(podSchema["spec.containers[].ports"], "containerPort");
  assert.equal(podSchema["spec.containers[].env"], "name");
  assert.equal(podSchema["spec.containers[].volumeMounts"], "mountPath");
  assert.equal(podSchema["spec.volumes"], "name");
  assert.equal(podSchema["spec.imagePullSecrets"], "name");
  assert.equal(podSchema["metadata.finalizers"], "set");
  assert.equal(podSchema["metadata.ownerReferences"], "uid");
  for (const kind of ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]) {
    const s = strategicMergeSchemaFor("apps/v1", kind)!;
    assert.equal(s["spec.template.spec.containers"], "name", kind);
    assert.equal(s["spec.template.spec.initContainers[].env"], "name", kind);
    assert.equal(s["spec.template.spec.volumes"], "name", kind);
  }
  assert.equal(strategicMergeSchemaFor("v1", "Service")!["spec.ports"], "port");
  assert.deepEqual(strategicMergeSchemaFor("v1", "ConfigMap"), {
    "metadata.finalizers": "set",
    "metadata.ownerReferences": "uid",
  });
  const role = strategicMergeSchemaFor("rbac.authorization.k8s.io/v1", "Role")!;
  assert.equal(role["rules"], undefined, "rules are atomic");
  for (const [v, k] of [["v1", "Secret"], ["v1", "Namespace"], ["v1", "ServiceAccount"]]) {
    assert.ok(strategicMergeSchemaFor(v, k), `${v} ${k}`);
  }
  assert.ok(strategicMergeSchemaFor("coordination.k8s.io/v1", "Lease"));
  assert.ok(strategicMergeSchemaFor("v1", "Event"));
  assert.equal(strategicMergeSchemaFor("example.com/v1", "Widget"), undefined);
  assert.equal(strategicMergeSchemaFor("v1", "toString"), undefined);
});

Deno.test("applyStrategicMergePatch: containers merge by name", () => {
  const live = deployment([
    { name: "app", image: "app:1", args: ["--a"] },
    { name: "sidecar", image: "side:1" },
  ]);
  const before = structuredClone(live);
  const patch = {
    spec: {
      template: {
        spec: { containers: [{ name: "app", image: "app:2" }, { name: "new", image: "n:1" }] },
      },
    },
  };
  const out = applyStrategicMergePatch(live, patch, deploymentSchema);
  // kube's order: the patch's items in patch order, server-only items at their old positions.
  assert.deepEqual(containersOf(out), [
    { name: "app", image: "app:2", args: ["--a"] },
    { name: "new", image: "n:1" },
    { name: "sidecar", image: "side:1" },
  ]);
  assert.deepEqual(live, before, "the target must not be mutated");
});

Deno.test("applyStrategicMergePatch: $patch delete removes one container", () => {
  const live = deployment([{ name: "app", image: "a" }, { name: "sidecar", image: "s" }]);
  const out = applyStrategicMergePatch(
    live,
    { spec: { template: { spec: { containers: [{ name: "sidecar", $patch: "delete" }] } } } },
    deploymentSchema,
  );
  assert.deepEqual(containersOf(out), [{ name: "app", image: "a" }]);
});

Deno.test("applyStrategicMergePatch: nested keyed lists (env, ports, volumeMounts)", () => {
  const live = deployment([{
    name: "app",
    env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
    ports: [{ containerPort: 80, name: "http" }],
    volumeMounts: [{ mountPath: "/data", name: "data" }],
  }]);
  const out = applyStrategicMergePatch(live, {
    spec: {
      template: {
        spec: {
          containers: [{
            name: "app",
            env: [{ name: "B", value: "3" }, { name: "A", $patch: "delete" }, {
              name: "C",
              value: "c",
            }],
            ports: [{ containerPort: 443, name: "https" }],
            volumeMounts: [{ mountPath: "/data", readOnly: true }],
          }],
        },
      },
    },
  }, deploymentSchema);
  assert.deepEqual(containersOf(out), [{
    name: "app",
    env: [{ name: "B", value: "3" }, { name: "C", value: "c" }],
    ports: [{ containerPort: 443, name: "https" }, { containerPort: 80, name: "http" }],
    volumeMounts: [{ mountPath: "/data", name: "data", readOnly: true }],
  }]);
});

Deno.test("applyStrategicMergePatch: lists without a merge key are replaced", () => {
  const live = deployment([{ name: "app", args: ["a", "b"], command: ["x"] }], {
    tolerations: [{ key: "k" }],
  });
  const out = applyStrategicMergePatch(live, {
    spec: { template: { spec: { containers: [{ name: "app", args: ["c"] }], tolerations: [] } } },
  }, deploymentSchema);
  assert.deepEqual(containersOf(out), [{ name: "app", args: ["c"], command: ["x"] }]);
  assert.deepEqual(
    (out as { spec: { template: { spec: { tolerations: unknown } } } }).spec.template.spec
      .tolerations,
    [],
  );
});

Deno.test("applyStrategicMergePatch: maps merge, null deletes, scalars replace", () => {
  const live = deployment([{ name: "app" }]);
  const out = applyStrategicMergePatch(live, {
    metadata: { labels: { app: null, tier: "front" }, annotations: { a: "1" } },
    spec: { replicas: 3 },
  }, deploymentSchema) as ReturnType<typeof deployment> & { metadata: { annotations: unknown } };
  assert.deepEqual(out.metadata, {
    name: "web",
    labels: { tier: "front" },
    annotations: { a: "1" },
  });
  assert.equal(out.spec.replicas, 3);
});

Deno.test("applyStrategicMergePatch: $patch replace on a map and on a list", () => {
  const live = {
    metadata: { labels: { a: "1", b: "2" } },
    spec: { containers: [{ name: "a" }, { name: "b" }] },
  };
  const out = applyStrategicMergePatch(live, {
    metadata: { labels: { $patch: "replace", c: "3" } },
    spec: { containers: [{ $patch: "replace" }, { name: "z", image: "z" }] },
  }, podSchema);
  assert.deepEqual(out, {
    metadata: { labels: { c: "3" } },
    spec: { containers: [{ name: "z", image: "z" }] },
  });
});

Deno.test("applyStrategicMergePatch: $patch delete on a map removes it", () => {
  const out = applyStrategicMergePatch(
    { metadata: { name: "x", labels: { a: "1" } } },
    { metadata: { labels: { $patch: "delete" } } },
    podSchema,
  );
  assert.deepEqual(out, { metadata: { name: "x" } });
});

Deno.test("applyStrategicMergePatch: finalizers merge as a set; $deleteFromPrimitiveList", () => {
  const live = { metadata: { name: "x", finalizers: ["a", "b"] } };
  assert.deepEqual(
    applyStrategicMergePatch(live, { metadata: { finalizers: ["b", "c"] } }, podSchema),
    { metadata: { name: "x", finalizers: ["a", "b", "c"] } },
  );
  assert.deepEqual(
    applyStrategicMergePatch(
      live,
      { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } },
      podSchema,
    ),
    { metadata: { name: "x", finalizers: ["b"] } },
  );
});

Deno.test("applyStrategicMergePatch: ownerReferences merge by uid", () => {
  const live = {
    metadata: { ownerReferences: [{ uid: "1", name: "a" }, { uid: "2", name: "b" }] },
  };
  const out = applyStrategicMergePatch(live, {
    metadata: { ownerReferences: [{ uid: "2", name: "B" }, { uid: "1", $patch: "delete" }] },
  }, strategicMergeSchemaFor("v1", "ConfigMap")!);
  assert.deepEqual(out, { metadata: { ownerReferences: [{ uid: "2", name: "B" }] } });
});

Deno.test("applyStrategicMergePatch: $setElementOrder orders the merged list", () => {
  const live = { spec: { containers: [{ name: "a" }, { name: "b" }, { name: "c" }] } };
  const out = applyStrategicMergePatch(live, {
    spec: {
      "$setElementOrder/containers": [{ name: "c" }, { name: "a" }],
      containers: [{ name: "c", image: "c" }],
    },
  }, podSchema);
  // Named items sorted by the order; b, only on the server, keeps its place before c.
  assert.deepEqual(out, {
    spec: { containers: [{ name: "b" }, { name: "c", image: "c" }, { name: "a" }] },
  });
  const onlyOrder = applyStrategicMergePatch(live, {
    spec: { "$setElementOrder/containers": [{ name: "c" }, { name: "b" }, { name: "a" }] },
  }, podSchema);
  assert.deepEqual(onlyOrder, {
    spec: { containers: [{ name: "c" }, { name: "b" }, { name: "a" }] },
  });
});

Deno.test("applyStrategicMergePatch: $retainKeys drops the keys it does not list", () => {
  const live = { spec: { volumes: [{ name: "v", emptyDir: {} }] } };
  const out = applyStrategicMergePatch(live, {
    spec: {
      volumes: [{ name: "v", $retainKeys: ["name", "hostPath"], hostPath: { path: "/x" } }],
    },
  }, podSchema);
  assert.deepEqual(out, { spec: { volumes: [{ name: "v", hostPath: { path: "/x" } }] } });
  assert.throws(
    () =>
      applyStrategicMergePatch(live, {
        spec: { volumes: [{ name: "v", $retainKeys: ["name"], hostPath: {} }] },
      }, podSchema),
    (e: unknown) => e instanceof PatchError && e.kind === "BadRequest",
  );
});

Deno.test("applyStrategicMergePatch: new items lose their directives and nulls", () => {
  const out = applyStrategicMergePatch({ spec: {} }, {
    spec: { containers: [{ name: "a", env: [{ name: "X", value: "1" }], image: null }] },
  }, podSchema);
  assert.deepEqual(out, {
    spec: { containers: [{ name: "a", env: [{ name: "X", value: "1" }] }] },
  });
});

Deno.test("applyStrategicMergePatch: service ports merge by port", () => {
  const live = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
  const out = applyStrategicMergePatch(
    live,
    { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
    strategicMergeSchemaFor("v1", "Service")!,
  );
  assert.deepEqual(out, { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } });
});

Deno.test("applyStrategicMergePatch: rbac rules are atomic", () => {
  const schema = strategicMergeSchemaFor("rbac.authorization.k8s.io/v1", "Role")!;
  const live = { rules: [{ verbs: ["get"], resources: ["pods"] }] };
  const out = applyStrategicMergePatch(live, { rules: [{ verbs: ["list"] }] }, schema);
  assert.deepEqual(out, { rules: [{ verbs: ["list"] }] });
});

Deno.test("applyStrategicMergePatch: malformed patches are BadRequest", () => {
  const bad = (patch: unknown) =>
    assert.throws(
      () => applyStrategicMergePatch({ spec: { containers: [] } }, patch, podSchema),
      (e: unknown) => e instanceof PatchError && e.kind === "BadRequest",
      JSON.stringify(patch),
    );
  bad([{ op: "add" }]);
  bad("x");
  bad({ spec: { containers: [{ image: "no-name" }] } });
  bad({ spec: { containers: ["a"] } });
  bad({ metadata: { $patch: "merge" } });
  bad({ metadata: { "$deleteFromPrimitiveList/finalizers": "a" } });
  bad({ spec: { "$setElementOrder/containers": {} } });
});

Deno.test("applyStrategicMergePatch: the result shares nothing with the inputs", () => {
  const live = deployment([{ name: "app", env: [{ name: "A", value: "1" }] }]);
  const patch = { spec: { template: { spec: { containers: [{ name: "n", args: ["x"] }] } } } };
  const patchBefore = structuredClone(patch);
  const out = applyStrategicMergePatch(live, patch, deploymentSchema);
  const cs = containersOf(out) as { env?: unknown[]; args?: unknown[] }[];
  cs[1].env!.push({ name: "Z" });
  cs[0].args!.push("y");
  assert.deepEqual(containersOf(live), [{ name: "app", env: [{ name: "A", value: "1" }] }]);
  assert.deepEqual(patch, patchBefore);
});

// Orders observed on kube-apiserver v1.36.3 for strategic merge patches of a Deployment's
// containers and metadata.finalizers (no $setElementOrder).
const kubeOrders: [string[], string[], string[]][] = [
  [["app", "side"], ["app", "new"], ["app", "new", "side"]],
  [["app", "side"], ["new"], ["new", "app", "side"]],
  [["a", "b", "c"], ["c", "a"], ["b", "c", "a"]],
  [["a", "b", "c"], ["new", "b"], ["new", "a", "b", "c"]],
];
for (const [live, patch, expected] of kubeOrders) {
  Deno.test(`applyStrategicMergePatch: kube order, containers [${live}] + [${patch}]`, () => {
    const out = applyStrategicMergePatch(
      deployment(live.map((name) => ({ name }))),
      { spec: { template: { spec: { containers: patch.map((name) => ({ name, image: "x" })) } } } },
      deploymentSchema,
    );
    assert.deepEqual((containersOf(out) as { name: string }[]).map((c) => c.name), expected);
  });
}
const kubeFinalizerOrders: [string[], string[], string[]][] = [
  [["a", "b"], ["c"], ["c", "a", "b"]],
  [["a", "b"], ["b", "c"], ["a", "b", "c"]],
  [["a", "b"], ["c", "a"], ["c", "a", "b"]],
];
for (const [live, patch, expected] of kubeFinalizerOrders) {
  Deno.test(`applyStrategicMergePatch: kube order, finalizers [${live}] + [${patch}]`, () => {
    const out = applyStrategicMergePatch(
      { metadata: { finalizers: live } },
      { metadata: { finalizers: patch } },
      podSchema,
    );
    assert.deepEqual(out, { metadata: { finalizers: expected } });
  });
}

Deno.test("applyStrategicMergePatch: kube order with $deleteFromPrimitiveList", () => {
  const out = applyStrategicMergePatch(
    { metadata: { finalizers: ["a", "b"] } },
    { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"], finalizers: ["c"] } },
    podSchema,
  );
  assert.deepEqual(out, { metadata: { finalizers: ["c", "b"] } });
});
