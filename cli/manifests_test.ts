import assert from "node:assert/strict";
import { parse } from "yaml";
import { manifestsYaml, operatorManifests, rbacRules } from "./manifests.ts";

const t = (group: string, plural: string, kind: string) => ({
  group,
  version: "v1",
  apiVersion: group ? `${group}/v1` : "v1",
  kind,
  plural,
  namespaced: true,
});
const Website = t("demo.operatorkit.io", "websites", "Website");
const ConfigMaps = t("", "configmaps", "ConfigMap");
const Deployments = t("apps", "deployments", "Deployment");
const Secrets = t("", "secrets", "Secret");

Deno.test("manifests: RBAC is exactly what the controllers use", () => {
  const rules = rbacRules([{
    primary: Website,
    owns: [ConfigMaps, Deployments],
    watches: [Secrets],
  }], {
    leaderElection: true,
  });
  const by = Object.fromEntries(
    rules.map((r) => [`${r.apiGroups![0]}/${r.resources![0]}`, r.verbs]),
  );
  assert.deepEqual(by, {
    "/configmaps": ["create", "delete", "get", "list", "patch", "update", "watch"],
    "/events": ["create", "patch"],
    "/secrets": ["get", "list", "watch"],
    "apps/deployments": ["create", "delete", "get", "list", "patch", "update", "watch"],
    "coordination.k8s.io/leases": ["create", "get", "update"],
    "demo.operatorkit.io/websites": ["get", "list", "patch", "update", "watch"],
    "demo.operatorkit.io/websites/finalizers": ["update"],
    "demo.operatorkit.io/websites/status": ["get", "patch", "update"],
    "events.k8s.io/events": ["create", "patch"],
  });
});

Deno.test("manifests: CRDs first, then ServiceAccount, ClusterRole, binding, Deployment with probes", () => {
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "websites.demo.operatorkit.io" },
  };
  const text = manifestsYaml(operatorManifests({
    name: "website",
    namespace: "ops",
    image: "website:1",
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
    crds: [crd],
  }));
  const docs = text.split(/^---$/m).map((d) => parse(d));
  assert.deepEqual(docs.map((d) => d.kind), [
    "CustomResourceDefinition",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "Deployment",
  ]);
  const dep = docs[4];
  const c = dep.spec.template.spec.containers[0];
  assert.equal(c.image, "website:1");
  assert.equal(c.livenessProbe.httpGet.path, "/healthz");
  assert.equal(c.readinessProbe.httpGet.path, "/readyz");
  assert.ok(c.args.includes("--leader-elect"));
  assert.equal(dep.spec.template.spec.serviceAccountName, "website");
  assert.deepEqual(docs[3].subjects, [{
    kind: "ServiceAccount",
    name: "website",
    namespace: "ops",
  }]);
});
