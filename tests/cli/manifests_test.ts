// `manifests` of operators built with runOperator: the printed YAML has the CRDs, RBAC derived
// from the controllers, and a Deployment with the probes wired, and the embedded API server
// accepts it with `kubectl apply --dry-run=server` (then for real, and again unchanged).
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { startApiServer } from "../../testing/api_server.ts";
import { haveKubectl, Kubectl } from "../apiserver/_kubectl.ts";
import { api, ROOT } from "./_process.ts";

type Doc = Record<string, unknown> & { kind: string; metadata: { name: string } };
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

async function manifests(script: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", script, "manifests", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  assert.equal(dec.decode(out.stderr), "");
  return dec.decode(out.stdout);
}

function verbs(rules: Rule[], group: string, resource: string): string[] | undefined {
  return rules.find((r) => r.apiGroups[0] === group && r.resources[0] === resource)?.verbs;
}

Deno.test("manifests: the website operator's CRD, RBAC from its controllers, and a Deployment with probes", async () => {
  const text = await manifests("examples/website/main.ts", [
    "--image",
    "x",
    "--manifest-namespace",
    "default",
  ]);
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Doc);
  assert.deepEqual(docs.map((d) => d.kind), [
    "CustomResourceDefinition",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "Deployment",
  ]);
  assert.equal(docs[0].metadata.name, "websites.demo.operatorkit.io");
  const rules = (docs[2] as unknown as { rules: Rule[] }).rules;
  const all = ["create", "delete", "get", "list", "patch", "update", "watch"];
  assert.deepEqual(verbs(rules, "demo.operatorkit.io", "websites"), [
    "get",
    "list",
    "patch",
    "update",
    "watch",
  ]);
  assert.deepEqual(verbs(rules, "demo.operatorkit.io", "websites/status"), [
    "get",
    "patch",
    "update",
  ]);
  assert.deepEqual(verbs(rules, "demo.operatorkit.io", "websites/finalizers"), ["update"]);
  assert.deepEqual(verbs(rules, "", "configmaps"), all);
  assert.deepEqual(verbs(rules, "", "services"), all);
  assert.deepEqual(verbs(rules, "apps", "deployments"), all);
  assert.deepEqual(verbs(rules, "coordination.k8s.io", "leases"), ["create", "get", "update"]);
  assert.deepEqual(verbs(rules, "", "events"), ["create", "patch"]);
  assert.deepEqual(verbs(rules, "apiextensions.k8s.io", "customresourcedefinitions"), [
    "create",
    "get",
    "update",
  ]);
  // Nothing beyond what the controllers use.
  assert.equal(rules.length, 10, JSON.stringify(rules));

  const dep = docs[4] as unknown as {
    metadata: { namespace: string };
    spec: {
      template: {
        spec: {
          serviceAccountName: string;
          containers: Array<{
            image: string;
            args: string[];
            ports: Array<{ name: string; containerPort: number }>;
            livenessProbe: { httpGet: { path: string; port: string } };
            readinessProbe: { httpGet: { path: string; port: string } };
          }>;
        };
      };
    };
  };
  assert.equal(dep.metadata.namespace, "default");
  const pod = dep.spec.template.spec;
  assert.equal(pod.serviceAccountName, "website-operator");
  const c = pod.containers[0];
  assert.equal(c.image, "x");
  assert.ok(c.args.includes("--leader-elect"));
  assert.deepEqual(c.livenessProbe.httpGet, { path: "/healthz", port: "probes" });
  assert.deepEqual(c.readinessProbe.httpGet, { path: "/readyz", port: "probes" });
  const probePort = c.ports.find((p) => p.name === "probes")!.containerPort;
  assert.ok(c.args.includes(`--health-probe-bind-address=:${probePort}`));
  const metricsPort = c.ports.find((p) => p.name === "metrics")!.containerPort;
  assert.ok(c.args.includes(`--metrics-bind-address=:${metricsPort}`));
});

for (const script of ["examples/website/main.ts", "examples/first_operator.ts"]) {
  Deno.test(`manifests: kubectl apply --dry-run=server accepts ${script}'s output`, async () => {
    if (!(await haveKubectl(`manifests ${script}`))) return;
    await using server = await startApiServer();
    await using kubectl = await Kubectl.for(server);
    const text = await manifests(script, ["--image", "x", "--manifest-namespace", "default"]);
    const kinds = parseAllDocuments(text).map((d) => (d.toJS() as Doc).kind);

    const dry = await kubectl.run(["apply", "--dry-run=server", "-f", "-"], text);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stderr, "");
    const lines = dry.stdout.trim().split("\n");
    assert.equal(lines.length, kinds.length, dry.stdout);
    for (const l of lines) assert.match(l, / created \(server dry run\)$/);
    // A dry run stores nothing.
    const sa = await api(server, "/api/v1/namespaces/default/serviceaccounts");
    assert.ok(
      !(sa.body.items as Array<{ metadata: { name: string } }>).some((i) =>
        /operator/.test(i.metadata.name)
      ),
    );

    // Applied for real, then again: everything is accepted, the second time unchanged.
    const real = await kubectl.run(["apply", "-f", "-"], text);
    assert.equal(real.code, 0, real.stderr);
    const again = await kubectl.run(["apply", "--dry-run=server", "-f", "-"], text);
    assert.equal(again.code, 0, again.stderr);
    for (const l of again.stdout.trim().split("\n")) {
      assert.match(l, / unchanged \(server dry run\)$/);
    }
  });
}
