// The embedded server serves the whole built-in API of the Kubernetes version tools/envtest/
// builds (issue 14): `kubectl api-resources` lists every generated resource but the documented
// virtual ones, and `kubectl get` prints the real default columns for Jobs, Nodes and Events.
import assert from "node:assert/strict";
import { builtinResources } from "../../testing/_schema/builtin.ts";
import { call, withServer } from "./_helpers.ts";
import { KUBECTL, Kubectl, requireKubectl } from "./_kubectl.ts";
import { needs } from "../_tier.ts";

// Resources a real kube-apiserver lists that the embedded server does not serve: the reviews
// and bindings it computes instead of storing, and the deprecated componentstatuses.
const NOT_SERVED = [
  "bindings",
  "componentstatuses",
  "localsubjectaccessreviews.authorization.k8s.io",
  "selfsubjectaccessreviews.authorization.k8s.io",
  "selfsubjectreviews.authentication.k8s.io",
  "selfsubjectrulesreviews.authorization.k8s.io",
  "subjectaccessreviews.authorization.k8s.io",
  "tokenreviews.authentication.k8s.io",
];

function expectedNames(): string[] {
  const names = new Set<string>();
  for (const r of builtinResources()) names.add(r.group ? `${r.plural}.${r.group}` : r.plural);
  return [...names].filter((n) => !NOT_SERVED.includes(n)).sort();
}

Deno.test(
  needs(
    "kubectl api-resources lists every generated built-in resource but the virtual ones",
    KUBECTL,
  ),
  async (t) => {
    requireKubectl(t.name);
    await withServer(async (s) => {
      await using k = await Kubectl.for(s);
      const listed = (await k.ok(["api-resources", "-o", "name"])).trim().split("\n").sort();
      assert.deepEqual(listed, expectedNames());
      assert.ok(listed.includes("resourcequotas"));
      assert.ok(listed.includes("validatingwebhookconfigurations.admissionregistration.k8s.io"));
      const wide = await k.ok(["api-resources"]);
      assert.match(wide, /horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true/);
      assert.match(wide, /networkpolicies\s+netpol\s+networking\.k8s\.io\/v1\s+true/);
    });
  },
);

Deno.test("discovery: every served built-in has its verbs and its status/scale subresources", async () => {
  await withServer(async (s) => {
    for (const r of builtinResources()) {
      const gv = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const doc = await call(s, "GET", gv);
      const served = !NOT_SERVED.includes(r.group ? `${r.plural}.${r.group}` : r.plural);
      // authentication.k8s.io has only virtual resources: the group is absent
      if (!served && doc.status === 404) continue;
      assert.equal(doc.status, 200, gv);
      const names = doc.body.resources.map((x: { name: string }) => x.name);
      assert.equal(names.includes(r.plural), served, `${gv} ${r.plural}`);
      if (!served) continue;
      const entry = doc.body.resources.find((x: { name: string }) => x.name === r.plural);
      assert.deepEqual(entry.verbs, r.verbs, r.plural);
      assert.equal(entry.namespaced, r.namespaced, r.plural);
      for (const sub of r.subresources.filter((x) => x.name === "status" || x.name === "scale")) {
        assert.ok(names.includes(`${r.plural}/${sub.name}`), `${r.plural}/${sub.name}`);
      }
    }
  });
});

Deno.test(
  needs("kubectl get: the real default columns of Jobs, Nodes and Events", KUBECTL),
  async (t) => {
    requireKubectl(t.name);
    await withServer(async (s) => {
      await using k = await Kubectl.for(s);
      const job =
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: pi\n        image: perl:5.34\n";
      await k.ok(["apply", "-f", "-"], job);
      assert.match(await k.ok(["get", "jobs"]), /NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/);
      assert.match(await k.ok(["get", "jobs"]), /pi\s+Running\s+0\/1\s+\S+/);
      const node =
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels:\n    node-role.kubernetes.io/control-plane: ''\n";
      await k.ok(["apply", "-f", "-"], node);
      const nodes = await k.ok(["get", "nodes"]);
      assert.match(nodes, /NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
      assert.match(nodes, /n1\s+Unknown\s+control-plane\s+/);
      const event =
        "apiVersion: v1\nkind: Event\nmetadata:\n  name: pi.1\ninvolvedObject:\n  kind: Job\n  name: pi\n  namespace: default\nreason: Started\ntype: Normal\nmessage: it began\n";
      await k.ok(["apply", "-f", "-"], event);
      const events = await k.ok(["get", "events"]);
      assert.match(events, /LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
      assert.match(events, /Normal\s+Started\s+job\/pi\s+it began/);
    });
  },
);

Deno.test("a custom resource POST without kind is 400 BadRequest, as unstructured decoding says", async () => {
  await withServer(async (s) => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.com" },
      spec: {
        group: "example.com",
        names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
        scope: "Namespaced",
        versions: [{
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          },
        }],
      },
    };
    const c = await call(s, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      body: crd,
    });
    assert.equal(c.status, 201, c.text);
    const body = { apiVersion: "example.com/v1", metadata: { name: "g" } };
    const r = await call(s, "POST", "/apis/example.com/v1/namespaces/default/gadgets", { body });
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, "BadRequest");
    assert.equal(r.body.message, `Object 'Kind' is missing in '${JSON.stringify(body)}'`);
  });
});

Deno.test("OpenAPI v3 per group version carries the real built-in schemas", async () => {
  await withServer(async (s) => {
    const doc = await call(s, "GET", "/openapi/v3/apis/apps/v1");
    assert.equal(doc.status, 200);
    const schemas = doc.body.components.schemas;
    assert.deepEqual(schemas["io.k8s.api.apps.v1.DeploymentSpec"].properties.replicas, {
      type: "integer",
      format: "int32",
    });
    assert.deepEqual(schemas["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"], [
      { group: "apps", kind: "Deployment", version: "v1" },
    ]);
    const ports = schemas["io.k8s.api.core.v1.Container"].properties.ports;
    assert.deepEqual(ports["x-kubernetes-list-map-keys"], ["containerPort", "protocol"]);
    assert.equal(ports["x-kubernetes-patch-merge-key"], "containerPort");
  });
});

Deno.test(
  needs("kubectl explain reads the built-in schemas from OpenAPI v3", KUBECTL),
  async (t) => {
    requireKubectl(t.name);
    await withServer(async (s) => {
      await using k = await Kubectl.for(s);
      const explained = await k.ok(["explain", "deployment.spec.strategy"]);
      assert.match(explained, /rollingUpdate\s+<RollingUpdateDeployment>/);
    });
  },
);
