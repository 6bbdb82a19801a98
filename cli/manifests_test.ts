import assert from "node:assert/strict";
import { parse } from "yaml";
import { manifestsYaml, operatorManifests, operatorRbac } from "./manifests.ts";

const t = (group: string, plural: string, kind: string, namespaced = true) => ({
  group,
  version: "v1",
  apiVersion: group ? `${group}/v1` : "v1",
  kind,
  plural,
  namespaced,
});
const Website = t("demo.operatorkit.io", "websites", "Website");
const ConfigMaps = t("", "configmaps", "ConfigMap");
const Deployments = t("apps", "deployments", "Deployment");
const Secrets = t("", "secrets", "Secret");
const Nodes = t("", "nodes", "Node", false);
const controllers = [{
  primary: Website,
  owns: [ConfigMaps, Deployments],
  watches: [Secrets, Nodes],
}];
const ALL = ["create", "delete", "get", "list", "patch", "update", "watch"];

function byResource(rules: { apiGroups?: string[]; resources?: string[]; verbs: string[] }[]) {
  return Object.fromEntries(rules.map((r) => [`${r.apiGroups![0]}/${r.resources![0]}`, r.verbs]));
}

Deno.test("manifests: RBAC is exactly what the controllers use; leases and events in the operator's namespace", () => {
  const rbac = operatorRbac(controllers, {
    leaderElection: true,
    crdNames: ["websites.demo.operatorkit.io"],
  });
  assert.deepEqual(byResource(rbac.clusterRules), {
    "/configmaps": ALL,
    "/events": ["create", "patch"],
    "/nodes": ["get", "list", "watch"],
    "/secrets": ["get", "list", "watch"],
    "apiextensions.k8s.io/customresourcedefinitions": ["get", "update"],
    "apps/deployments": ALL,
    "demo.operatorkit.io/websites": ["get", "list", "patch", "update", "watch"],
    "demo.operatorkit.io/websites/finalizers": ["update"],
    "demo.operatorkit.io/websites/status": ["get", "patch", "update"],
    "events.k8s.io/events": ["create", "patch"],
  });
  // The CRD rule names the owned CRDs; nothing cluster-wide touches leases.
  const crd = rbac.clusterRules.find((r) => r.resources?.[0] === "customresourcedefinitions");
  assert.deepEqual(crd?.resourceNames, ["websites.demo.operatorkit.io"]);
  assert.ok(!rbac.clusterRules.some((r) => r.resources?.includes("leases")));
  assert.deepEqual(byResource(rbac.ownNamespaceRules), {
    "/events": ["create", "patch"],
    "coordination.k8s.io/leases": ["create", "get", "update"],
    "events.k8s.io/events": ["create", "patch"],
  });
  assert.deepEqual(rbac.namespaceRules, []);
});

Deno.test("manifests: with --namespace, namespaced types move to a Role per namespace; cluster-scoped stay", () => {
  const rbac = operatorRbac(controllers, {
    namespaces: ["team-a", "team-b"],
    crdNames: ["websites.demo.operatorkit.io"],
  });
  assert.deepEqual(Object.keys(byResource(rbac.clusterRules)).sort(), [
    "/nodes",
    "apiextensions.k8s.io/customresourcedefinitions",
  ]);
  assert.equal(byResource(rbac.namespaceRules)["/configmaps"].join(), ALL.join());
  const docs = operatorManifests({
    name: "website",
    namespace: "ops",
    image: "website:1",
    rbac,
    watchNamespaces: ["team-a", "team-b"],
  });
  const roles = docs.filter((d) => d.kind === "Role")
    .map((d) =>
      `${(d.metadata as { namespace: string }).namespace}/${(d.metadata as { name: string }).name}`
    );
  assert.deepEqual(roles, ["ops/website-leader-election", "team-a/website", "team-b/website"]);
  const dep = docs.find((d) => d.kind === "Deployment") as {
    spec: { template: { spec: { containers: { args: string[] }[] } } };
  };
  const args = dep.spec.template.spec.containers[0].args;
  assert.ok(
    args.includes("--namespace=team-a") && args.includes("--namespace=team-b"),
    args.join(" "),
  );
});

Deno.test("manifests: user rules are kept exactly as written (resourceNames, nonResourceURLs, any verb)", () => {
  const extraRules = [
    {
      apiGroups: ["rbac.authorization.k8s.io"],
      resources: ["clusterroles"],
      verbs: ["bind"],
      resourceNames: ["admin"],
    },
    { nonResourceURLs: ["/metrics"], verbs: ["get"] },
    { apiGroups: [""], resources: ["configmaps"], verbs: ["deletecollection"] },
    { apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] },
  ];
  const rbac = operatorRbac(controllers, { extraRules });
  assert.deepEqual(rbac.clusterRules.slice(-extraRules.length), extraRules);
  // Not merged into the derived rules: bind stays limited to "admin".
  assert.ok(!rbac.clusterRules.slice(0, -extraRules.length).some((r) => r.verbs.includes("bind")));
});

Deno.test("manifests: Namespace, CRDs, ServiceAccount, RBAC, then a Deployment for Pod Security restricted", async () => {
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "websites.demo.operatorkit.io" },
  };
  const text = await manifestsYaml(operatorManifests({
    name: "website",
    namespace: "ops",
    image: "website:1",
    rbac: operatorRbac(controllers, {
      crdNames: ["websites.demo.operatorkit.io"],
      metricsAuth: true,
    }),
    crds: [crd],
  }));
  const docs = text.split(/^---$/m).map((d) => parse(d));
  assert.deepEqual(docs.map((d) => d.kind), [
    "Namespace",
    "CustomResourceDefinition",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "ClusterRole",
    "Service",
    "Deployment",
  ]);
  assert.equal(docs[0].metadata.name, "ops");
  assert.equal(docs[0].metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
  // Secure metrics: the operator may review tokens and access; scrapers get metrics-reader.
  const operatorRules = docs[5].rules.map((r: { resources?: string[] }) => r.resources?.[0]);
  assert.ok(
    operatorRules.includes("tokenreviews") && operatorRules.includes("subjectaccessreviews"),
  );
  assert.equal(docs[7].metadata.name, "website-metrics-reader");
  assert.deepEqual(docs[7].rules, [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }]);
  assert.deepEqual(docs[8].spec.ports, [
    { name: "https", port: 8443, targetPort: "metrics", protocol: "TCP" },
  ]);
  const dep = docs[9];
  const pod = dep.spec.template.spec;
  const c = pod.containers[0];
  assert.equal(c.image, "website:1");
  assert.equal(pod.serviceAccountName, "website");
  assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" });
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory);
  assert.ok(c.resources.limits.cpu && c.resources.limits.memory);
  // Probes on their own port; metrics over HTTPS with authentication on another.
  assert.deepEqual(c.ports, [
    { name: "metrics", containerPort: 8443 },
    { name: "probes", containerPort: 8081 },
  ]);
  assert.equal(c.livenessProbe.httpGet.port, "probes");
  assert.equal(c.readinessProbe.httpGet.path, "/readyz");
  assert.ok(c.args.includes("--metrics-secure"), c.args.join(" "));
  assert.ok(c.args.includes("--metrics-bind-address=:8443"), c.args.join(" "));
  assert.ok(c.args.includes("--health-probe-bind-address=:8081"));
  assert.ok(c.args.includes("--leader-elect"));
  // The runtime tuning the peer benchmark runs operatorkit with (bench/peers/README.md).
  const env = Object.fromEntries(
    (c.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
  );
  assert.equal(env.DENO_V8_FLAGS, "--max-semi-space-size=2");
  assert.equal(env.MALLOC_ARENA_MAX, "2");
  // No upgrade check from the pod: `deno run` would look up dl.deno.land at every start.
  assert.equal(env.DENO_NO_UPDATE_CHECK, "1");
  for (const binding of [docs[4], docs[6]]) {
    assert.deepEqual(binding.subjects, [{
      kind: "ServiceAccount",
      name: "website",
      namespace: "ops",
    }]);
  }
  const without = operatorManifests({
    name: "website",
    namespace: "ops",
    image: "w",
    includeNamespace: false,
  });
  assert.ok(!without.some((d) => d.kind === "Namespace"));
});
