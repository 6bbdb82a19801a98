// `manifests` of operators built with runOperator: the printed YAML has the Namespace, the
// CRDs, least-privilege RBAC derived from the controllers, and a Deployment with the probes
// wired, and the embedded API server accepts it with `kubectl apply --dry-run=server` (then
// for real, and again unchanged). tests/cli/deploy_real_test.ts does it on kube-apiserver.
// The Deployment's runtime settings (DENO_V8_FLAGS, MALLOC_ARENA_MAX) start this Deno.
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { startApiServer } from "../../testing/api_server.ts";
import { KUBECTL, Kubectl, requireKubectl } from "../apiserver/_kubectl.ts";
import { needs } from "../_tier.ts";
import { api, manifestsOf, ROOT } from "./_process.ts";

type Doc = Record<string, unknown> & { kind: string; metadata: { name: string } };
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

const manifests = manifestsOf;

function verbs(rules: Rule[], group: string, resource: string): string[] | undefined {
  return rules.find((r) => r.apiGroups[0] === group && r.resources[0] === resource)?.verbs;
}

Deno.test("manifests: the website operator's Namespace, CRD, least-privilege RBAC from its controllers, and a restricted Deployment", async () => {
  const text = await manifests("examples/website/main.ts", [
    "--image",
    "x",
    "--manifest-namespace",
    "website-ops",
  ]);
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Doc);
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
    // The Website webhooks (tests/webhook/manifests_test.ts checks them).
    "Service",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "ValidatingWebhookConfiguration",
  ]);
  assert.equal(docs[1].metadata.name, "websites.demo.operatorkit.io");
  const role = docs[3] as unknown as { rules: Rule[]; metadata: { namespace: string } };
  assert.equal(role.metadata.namespace, "website-ops");
  assert.deepEqual(verbs(role.rules, "coordination.k8s.io", "leases"), ["create", "get", "update"]);
  assert.deepEqual(verbs(role.rules, "", "events"), ["create", "patch"]);
  const rules = (docs[5] as unknown as { rules: Rule[] }).rules;
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
  assert.equal(verbs(rules, "coordination.k8s.io", "leases"), undefined, "leases only in the Role");
  assert.deepEqual(verbs(rules, "", "events"), ["create", "patch"]);
  const crdRule = rules.find((r) => r.resources[0] === "customresourcedefinitions");
  assert.deepEqual(crdRule, {
    apiGroups: ["apiextensions.k8s.io"],
    resources: ["customresourcedefinitions"],
    resourceNames: ["websites.demo.operatorkit.io"],
    verbs: ["get", "update"],
  });
  // Secure metrics: each scrape is checked with a TokenReview and a SubjectAccessReview.
  assert.deepEqual(verbs(rules, "authentication.k8s.io", "tokenreviews"), ["create"]);
  assert.deepEqual(verbs(rules, "authorization.k8s.io", "subjectaccessreviews"), ["create"]);
  // Nothing beyond what the controllers and the metrics filter use.
  assert.equal(rules.length, 11, JSON.stringify(rules));

  const dep = docs[9] as unknown as {
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
  assert.equal(dep.metadata.namespace, "website-ops");
  const pod = dep.spec.template.spec;
  assert.equal(pod.serviceAccountName, "website-operator");
  const c = pod.containers[0];
  assert.equal(c.image, "x");
  assert.ok(c.args.includes("--leader-elect"));
  assert.deepEqual(c.livenessProbe.httpGet, { path: "/healthz", port: "probes" });
  assert.deepEqual(c.readinessProbe.httpGet, { path: "/readyz", port: "probes" });
  const probePort = c.ports.find((p) => p.name === "probes")!.containerPort;
  assert.ok(c.args.includes(`--health-probe-bind-address=:${probePort}`));
  // Metrics over HTTPS with authentication and authorization, on their own port.
  assert.ok(c.args.includes("--metrics-secure"));
  const metricsPort = c.ports.find((p) => p.name === "metrics")!.containerPort;
  assert.ok(c.args.includes(`--metrics-bind-address=:${metricsPort}`));
  // ... and the Website's webhook server (tests/webhook/manifests_test.ts).
  assert.deepEqual(c.ports.map((p) => p.name), ["metrics", "probes", "webhook"]);

  const skipped = await manifests("examples/website/main.ts", ["--skip-namespace"]);
  assert.ok(!/^kind: Namespace$/m.test(skipped));
});

for (const script of ["examples/website/main.ts", "examples/first_operator.ts"]) {
  Deno.test(
    needs(`manifests: kubectl apply --dry-run=server accepts ${script}'s output`, KUBECTL),
    async () => {
      requireKubectl(`manifests ${script}`);
      await using server = await startApiServer();
      await using kubectl = await Kubectl.for(server);
      const ns = "okt-manifests";
      // The namespace exists (a dry run cannot create it for the objects inside it), made by
      // kubectl apply so that applying the manifests' Namespace over it warns about nothing.
      const made = await kubectl.run(
        ["apply", "-f", "-"],
        `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`,
      );
      assert.equal(made.code, 0, made.stderr);
      const text = await manifests(script, ["--image", "x", "--manifest-namespace", ns]);
      const kinds = parseAllDocuments(text).map((d) => (d.toJS() as Doc).kind);

      const dry = await kubectl.run(["apply", "--dry-run=server", "-f", "-"], text);
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(dry.stderr, "");
      const lines = dry.stdout.trim().split("\n");
      assert.equal(lines.length, kinds.length, dry.stdout);
      assert.match(lines[0], /^namespace\/okt-manifests configured \(server dry run\)$/);
      for (const l of lines.slice(1)) assert.match(l, / created \(server dry run\)$/);
      // A dry run stores nothing.
      const sa = await api(server, `/api/v1/namespaces/${ns}/serviceaccounts`);
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
    },
  );
}

Deno.test("manifests: this Deno starts the operator with the Deployment's environment (its V8 knows every DENO_V8_FLAGS flag)", async () => {
  const text = await manifests("examples/website/main.ts", ["--image", "x"]);
  const dep = parseAllDocuments(text).map((d) => d.toJS()).find((d) => d.kind === "Deployment") as {
    spec: {
      template: { spec: { containers: Array<{ env: { name: string; value?: string }[] }> } };
    };
  };
  const env: Record<string, string> = {};
  for (const e of dep.spec.template.spec.containers[0].env) {
    if (e.value !== undefined) env[e.name] = e.value;
  }
  assert.equal(env.DENO_V8_FLAGS, "--max-semi-space-size=2");
  assert.equal(env.MALLOC_ARENA_MAX, "2");
  const help = (extra: Record<string, string>) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", "examples/website/main.ts", "--help"],
      cwd: ROOT,
      env: { ...env, ...extra, NO_COLOR: "1" },
      stdin: "null",
    }).output();
  const dec = new TextDecoder();
  const out = await help({});
  assert.equal(out.code, 0, dec.decode(out.stderr));
  assert.match(dec.decode(out.stdout), /^Usage: website-operator /);
  // What a flag this V8 does not know would do to the pod: Deno refuses to start, naming it.
  const refused = await help({ DENO_V8_FLAGS: `${env.DENO_V8_FLAGS},--no-such-v8-flag` });
  assert.notEqual(refused.code, 0);
  assert.match(dec.decode(refused.stderr), /did not recognize flag '--no-such-v8-flag'/);
});
