// `manifests` of the Website operator, which declares a validating webhook and a v1 version
// converted by webhook: the configurations, the Service, the Deployment's port, the CRD's
// conversion and the RBAC self-managed certificates need.
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { ROOT } from "../cli/_process.ts";

// deno-lint-ignore no-explicit-any
type Doc = Record<string, any>;

async function manifests(): Promise<Doc[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "examples/website/main.ts",
      "manifests",
      "--image",
      "x",
      "--manifest-namespace",
      "ops",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return parseAllDocuments(new TextDecoder().decode(out.stdout)).map((d) => d.toJS() as Doc);
}

Deno.test("manifests: webhook configuration, Service, port, CRD conversion and certificate RBAC", async () => {
  const docs = await manifests();
  const find = (kind: string, name?: string) =>
    docs.find((d) => d.kind === kind && (name === undefined || d.metadata.name === name))!;

  const vwc = find("ValidatingWebhookConfiguration");
  assert.equal(vwc.metadata.name, "website-operator");
  assert.equal(vwc.webhooks.length, 1);
  const hook = vwc.webhooks[0];
  assert.deepEqual(hook, {
    name: "vwebsite.demo.operatorkit.io",
    admissionReviewVersions: ["v1"],
    clientConfig: {
      service: {
        namespace: "ops",
        name: "website-operator-webhook",
        path: "/validate-demo-operatorkit-io-v1alpha1-website",
        port: 443,
      },
    },
    rules: [{
      apiGroups: ["demo.operatorkit.io"],
      apiVersions: ["v1alpha1"],
      resources: ["websites"],
      operations: ["CREATE", "UPDATE"],
      scope: "Namespaced",
    }],
    failurePolicy: "Fail",
    matchPolicy: "Equivalent",
    sideEffects: "None",
    timeoutSeconds: 10,
    namespaceSelector: {
      matchExpressions: [{
        key: "kubernetes.io/metadata.name",
        operator: "NotIn",
        values: ["ops"],
      }],
    },
  });
  assert.equal(docs.some((d) => d.kind === "MutatingWebhookConfiguration"), false);
  // The configuration comes after the Deployment and Service it points at.
  const index = (kind: string) => docs.findIndex((d) => d.kind === kind);
  assert.ok(index("ValidatingWebhookConfiguration") > index("Deployment"));
  assert.ok(index("ValidatingWebhookConfiguration") > index("Service"));

  const svc = find("Service", "website-operator-webhook");
  assert.equal(svc.metadata.namespace, "ops");
  assert.deepEqual(svc.spec.ports, [{
    name: "webhook",
    port: 443,
    targetPort: "webhook",
    protocol: "TCP",
  }]);
  assert.deepEqual(svc.spec.selector, { "app.kubernetes.io/name": "website-operator" });

  const c = find("Deployment").spec.template.spec.containers[0];
  assert.ok(
    c.ports.some((p: Doc) => p.name === "webhook" && p.containerPort === 9443),
    JSON.stringify(c.ports),
  );
  assert.ok(c.args.includes("--webhook-bind-address=:9443"));

  const crd = find("CustomResourceDefinition");
  assert.deepEqual(crd.spec.versions.map((v: Doc) => [v.name, v.served, v.storage]), [
    ["v1alpha1", true, true],
    ["v1", true, false],
  ]);
  assert.deepEqual(crd.spec.conversion, {
    strategy: "Webhook",
    webhook: {
      clientConfig: {
        service: {
          namespace: "ops",
          name: "website-operator-webhook",
          path: "/convert",
          port: 443,
        },
      },
      conversionReviewVersions: ["v1"],
    },
  });

  const role = find("Role", "website-operator-webhook-certs");
  assert.equal(role.metadata.namespace, "ops");
  assert.deepEqual(role.rules, [
    { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
    {
      apiGroups: [""],
      resources: ["secrets"],
      resourceNames: ["website-operator-webhook-tls"],
      verbs: ["get", "update"],
    },
  ]);
  assert.deepEqual(find("RoleBinding").subjects, [{
    kind: "ServiceAccount",
    name: "website-operator",
    namespace: "ops",
  }]);
  const cr = find("ClusterRole", "website-operator-webhooks");
  assert.deepEqual(cr.rules, [
    {
      apiGroups: ["admissionregistration.k8s.io"],
      resources: ["validatingwebhookconfigurations"],
      verbs: ["create"],
    },
    {
      apiGroups: ["admissionregistration.k8s.io"],
      resources: ["validatingwebhookconfigurations"],
      resourceNames: ["website-operator"],
      verbs: ["get", "update"],
    },
    {
      apiGroups: ["apiextensions.k8s.io"],
      resources: ["customresourcedefinitions"],
      resourceNames: ["websites.demo.operatorkit.io"],
      verbs: ["get", "update"],
    },
  ]);
  assert.equal(
    find("ClusterRoleBinding", "website-operator-webhooks").roleRef.name,
    cr.metadata.name,
  );
});
