// The Website operator deployed with exactly what its `manifests` command prints, on a real
// kube-apiserver (the cluster named by OPERATORKIT_TEST_KUBECONFIG; .ci/run starts one):
// - the output passes `kubectl apply --dry-run=server` into a namespace enforcing Pod
//   Security "restricted" with zero warnings (a non-compliant Deployment there does warn);
// - the operator, run as its generated ServiceAccount (a TokenRequest token) with exactly the
//   generated RBAC, converges create, update and delete of a Website, and serves /metrics over
//   HTTPS only to a caller the metrics-reader ClusterRole is bound to (TokenReview +
//   SubjectAccessReview, controller-runtime's filter);
// - a ServiceAccount without that RBAC fails start-up with one line listing every missing
//   permission (SelfSubjectAccessReview), instead of looping on 403s.
// The embedded server has no RBAC and no Pod Security admission, so on the embedded tier
// these tests are ignored (with that reason in their names).
import assert from "node:assert/strict";
import { parseAllDocuments, stringify } from "yaml";
import { OperatorRuntime } from "../../cli/run_operator.ts";
import { websiteController } from "../../examples/website/operator.ts";
import { Website } from "../../examples/website/website.ts";
import { KUBECTL, Kubectl, requireKubectl } from "../apiserver/_kubectl.ts";
import { eventually, manifestsOf, OperatorProcess, ROOT, TEST_FLAGS } from "./_process.ts";

const REAL = Deno.env.get("OPERATORKIT_TEST_KUBECONFIG");
const reasons = [
  ...(REAL === undefined ? ["needs a real cluster, OPERATORKIT_TEST_KUBECONFIG unset"] : []),
  ...(KUBECTL.missing ? [KUBECTL.reason] : []),
];
const ignore = reasons.length > 0;
const tier = ignore ? ` [ignored: ${reasons.join("; ")}]` : "";
const SA = "website-operator";
const CRD = "websites.demo.operatorkit.io";

type Doc = Record<string, unknown> & { kind: string; metadata: { name: string } };

/** The Website operator's `manifests` output for namespace `ns`. */
function manifests(ns: string, extra: string[] = []): Promise<string> {
  const image = "ghcr.io/example/website-operator:1";
  return manifestsOf("examples/website/main.ts", [
    "--image",
    image,
    "--manifest-namespace",
    ns,
    ...extra,
  ]);
}

/** Applies the manifests but the Deployment, the webhook configurations and the CRD. */
async function applyRbac(kubectl: Kubectl, text: string): Promise<void> {
  // No kubelet here: the operator runs as a process. The webhook configurations and the
  // CRD's conversion point the API server at the webhook Service, which has no pod behind
  // it here (outside a cluster the operator serves no webhooks); applyCrd installs the CRD.
  const skip = [
    "Deployment",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "CustomResourceDefinition",
  ];
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Doc)
    .filter((d) => !skip.includes(d.kind));
  await kubectl.ok(["apply", "-f", "-"], docs.map((d) => stringify(d)).join("---\n"));
}

const suffix = () => crypto.randomUUID().slice(0, 8);

/**
 * A fresh restricted namespace for the operator and one for its Websites, the manifests
 * (`sitesOnly`: with `--namespace <sites>`) generated and their CRD and RBAC applied, and a directory holding a kubeconfig of
 * the generated ServiceAccount. Disposing removes what it made.
 */
async function deployedServiceAccount(kubectl: Kubectl, options: { sitesOnly?: boolean } = {}) {
  const ns = `okt-deploy-${suffix()}`;
  const sites = `${ns}-sites`;
  await restrictedNamespace(kubectl, ns);
  await kubectl.ok(["create", "namespace", sites]);
  const text = await manifests(ns, options.sitesOnly ? ["--namespace", sites] : []);
  await applyCrd(kubectl, text);
  await applyRbac(kubectl, text);
  const dir = await Deno.makeTempDir({ prefix: "okt-deploy-" });
  const kubeconfig = `${dir}/kubeconfig`;
  await Deno.writeTextFile(
    kubeconfig,
    stringify(await serviceAccountKubeconfig(kubectl, ns, SA)),
    { mode: 0o600 },
  );
  return {
    ns,
    sites,
    dir,
    kubeconfig,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
      await kubectl.run(["delete", "clusterrolebinding,clusterrole", SA, "--ignore-not-found"]);
      await kubectl.run(["delete", "clusterrole", `${SA}-metrics-reader`, "--ignore-not-found"]);
      await kubectl.run(["delete", "namespace", ns, sites, "--wait=false"]);
    },
  };
}

/** A namespace enforcing Pod Security "restricted", made by kubectl apply. */
async function restrictedNamespace(kubectl: Kubectl, ns: string): Promise<void> {
  await kubectl.ok(
    ["apply", "-f", "-"],
    stringify({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: ns, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
    }),
  );
}

/**
 * The Website CRD as the operator installs it outside a cluster (no webhooks there: its
 * conversion webhook Service has no pod behind it, and the API server must not call anything
 * but loopback, so only the storage version is served and there is no conversion), applied
 * with `kubectl apply` (so applying the manifests over it warns nothing).
 */
async function applyCrd(kubectl: Kubectl, text: string): Promise<void> {
  const crd = parseAllDocuments(text).map((d) => d.toJS() as Doc)
    .find((d) => d.kind === "CustomResourceDefinition")! as Doc & {
      spec: { conversion?: unknown; versions: Array<{ storage: boolean; served: boolean }> };
    };
  delete crd.spec.conversion;
  for (const v of crd.spec.versions) v.served = v.storage;
  // Tests before this one may have installed it without kubectl (no last-applied
  // annotation): kubectl's own warning about that is not what this test is about.
  await kubectl.run(["apply", "-f", "-"], stringify(crd));
  await kubectl.ok(["wait", "--for=condition=Established", `crd/${CRD}`, "--timeout=30s"]);
}

/** A kubeconfig for ServiceAccount `name` of `ns` with a fresh TokenRequest token. */
async function serviceAccountKubeconfig(kubectl: Kubectl, ns: string, name: string) {
  const token = (await kubectl.ok(["create", "token", name, "-n", ns, "--duration=1h"])).trim();
  const admin = parseAllDocuments(await Deno.readTextFile(REAL!))[0].toJS() as {
    clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
    contexts: Array<{ name: string; context: { cluster: string } }>;
    "current-context": string;
  };
  const ctx = admin.contexts.find((c) => c.name === admin["current-context"])!;
  const cluster = admin.clusters.find((c) => c.name === ctx.context.cluster)!;
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "real", cluster: cluster.cluster }],
    users: [{ name: name, user: { token } }],
    contexts: [{ name: "sa", context: { cluster: "real", user: name, namespace: ns } }],
    "current-context": "sa",
  };
}

Deno.test({
  name:
    `deploy (real tier): kubectl apply --dry-run=server of the manifests into a restricted namespace gives zero warnings${tier}`,
  ignore,
  async fn() {
    requireKubectl("deploy dry run");
    await using kubectl = await Kubectl.for({ kubeconfigYaml: await Deno.readTextFile(REAL!) });
    const ns = `okt-deploy-${suffix()}`;
    await restrictedNamespace(kubectl, ns);
    const text = await manifests(ns);
    await applyCrd(kubectl, text);

    const dry = await kubectl.run(["apply", "--dry-run=server", "-f", "-"], text);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stderr, "", "zero warnings");
    assert.match(dry.stdout, /^deployment\.apps\/website-operator created \(server dry run\)$/m);
    assert.match(
      dry.stdout,
      /^role\.rbac\.authorization\.k8s\.io\/website-operator-leader-election created/m,
    );

    // The control: the same namespace warns about (and refuses) a non-compliant pod template.
    const plain = parseAllDocuments(text).map((d) => d.toJS() as Doc)
      .find((d) => d.kind === "Deployment")! as unknown as {
        spec: {
          template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
        };
      };
    delete plain.spec.template.spec.securityContext;
    delete plain.spec.template.spec.containers[0].securityContext;
    const bad = await kubectl.run(["apply", "--dry-run=server", "-f", "-"], stringify(plain));
    assert.match(bad.stderr, /would violate PodSecurity "restricted/, bad.stderr);
    await kubectl.run(["delete", "namespace", ns, "--wait=false"]);
  },
});

Deno.test({
  name:
    `deploy (real tier): the Website operator as its generated ServiceAccount with exactly the generated RBAC converges create, update and delete${tier}`,
  ignore,
  async fn() {
    requireKubectl("deploy as service account");
    await using kubectl = await Kubectl.for({ kubeconfigYaml: await Deno.readTextFile(REAL!) });
    await using deployed = await deployedServiceAccount(kubectl);
    const { ns, sites, dir, kubeconfig: kc } = deployed;
    try {
      await Deno.copyFile(`${ROOT}tests/fixtures/tls/server.crt`, `${dir}/tls.crt`);
      await Deno.copyFile(`${ROOT}tests/fixtures/tls/server.key`, `${dir}/tls.key`);
      await using op = new OperatorProcess("examples/website/main.ts", [
        ...TEST_FLAGS,
        "--kubeconfig",
        kc,
        "--leader-elect",
        "--metrics-secure",
        "--metrics-cert-dir",
        dir,
      ]);
      const connected = await op.waitForLog(
        "connected",
        (r) => r.message.startsWith("connected to"),
      );
      assert.equal(connected.properties.user, `system:serviceaccount:${ns}:${SA}`);
      await op.waitForLog(
        "the controllers",
        (r) => r.message.includes("controller(s) running"),
        60_000,
      );

      const site = (html: string) =>
        stringify({
          apiVersion: "demo.operatorkit.io/v1alpha1",
          kind: "Website",
          metadata: { name: "shop", namespace: sites },
          spec: { html },
        });
      type Site = {
        metadata: { generation: number };
        status?: {
          observedGeneration?: number;
          conditions?: Array<{ type: string; status: string }>;
        };
      };
      const ready = async (generation: number) => {
        const s = await kubectl.json<Site>(["website", "shop", "-n", sites]);
        return s?.status?.observedGeneration === generation &&
          s.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
      };
      // Create: children and Ready=True.
      await kubectl.ok(["apply", "-f", "-"], site("<h1>v1</h1>"));
      await eventually("Ready=True for generation 1", () => ready(1), 60_000);
      for (const child of ["configmap/shop-html", "deployment/shop", "service/shop"]) {
        assert.ok(await kubectl.json([child, "-n", sites]), `${child} exists`);
      }
      // Update: the ConfigMap follows.
      await kubectl.ok(["apply", "-f", "-"], site("<h1>v2</h1>"));
      await eventually("the ConfigMap to carry v2", async () => {
        const cm = await kubectl.json<{ data?: Record<string, string> }>([
          "configmap",
          "shop-html",
          "-n",
          sites,
        ]);
        return cm?.data?.["index.html"] === "<h1>v2</h1>";
      }, 60_000);
      await eventually("Ready=True for generation 2", () => ready(2), 60_000);
      // Delete: the finalizer runs ensureDeleted (no garbage collector on this tier).
      await kubectl.ok(["delete", "website", "shop", "-n", sites, "--wait=false"]);
      await eventually("the Website and its children gone", async () => {
        for (
          const what of ["website/shop", "configmap/shop-html", "deployment/shop", "service/shop"]
        ) {
          if (await kubectl.json([what, "-n", sites])) return false;
        }
        return true;
      }, 60_000);
      // Secure metrics through the generated RBAC: a scraper bound to the metrics-reader
      // ClusterRole gets them (200), another ServiceAccount is refused (403), no token 401.
      await kubectl.ok(["create", "serviceaccount", "scraper", "-n", ns]);
      await kubectl.ok(["create", "serviceaccount", "stranger", "-n", ns]);
      await kubectl.ok([
        "create",
        "clusterrolebinding",
        `${ns}-scraper`,
        `--clusterrole=${SA}-metrics-reader`,
        `--serviceaccount=${ns}:scraper`,
      ]);
      const metricsUrl = (await op.waitForLog(
        "the metrics listener",
        (r) =>
          r.message.startsWith("serving probes/metrics on") &&
          /^https:/.test(String(r.properties.url)),
      )).properties.url as string;
      using trusting = Deno.createHttpClient({
        caCerts: [await Deno.readTextFile(`${ROOT}tests/fixtures/tls/ca.crt`)],
      });
      const scrape = async (sa?: string) => {
        const token = sa ? (await kubectl.ok(["create", "token", sa, "-n", ns])).trim() : undefined;
        const res = await fetch(`${metricsUrl}/metrics`, {
          client: trusting,
          ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        });
        return { status: res.status, text: await res.text() };
      };
      const allowed = await scrape("scraper");
      assert.equal(allowed.status, 200, allowed.text);
      assert.match(
        allowed.text,
        /^operatorkit_reconcile_total\{controller="website-operator"\} \d+$/m,
      );
      const stranger = await scrape("stranger");
      assert.equal(stranger.status, 403, stranger.text);
      assert.match(stranger.text, /system:serviceaccount:.*:stranger" may not get \/metrics/);
      assert.equal((await scrape()).status, 401);

      const denied = op.records().filter((r) =>
        r.level !== "INFO" && r.level !== "DEBUG" && /forbidden|\b403\b/i.test(r.message)
      ).map((r) => r.message);
      assert.deepEqual(denied, [], "no request was refused");
      op.kill("SIGTERM");
      assert.equal((await op.exited()).code, 0, op.tail());
    } finally {
      await kubectl.run(["delete", "clusterrolebinding", `${ns}-scraper`, "--ignore-not-found"]);
    }
  },
});

Deno.test({
  name:
    `deploy (real tier): without its RBAC, start-up fails with one line listing every missing permission${tier}`,
  ignore,
  async fn() {
    requireKubectl("deploy missing permissions");
    await using kubectl = await Kubectl.for({ kubeconfigYaml: await Deno.readTextFile(REAL!) });
    const ns = `okt-deploy-${suffix()}`;
    await kubectl.ok(["create", "namespace", ns]);
    await kubectl.ok(["create", "serviceaccount", "nobody", "-n", ns]);
    const dir = await Deno.makeTempDir({ prefix: "okt-deploy-" });
    try {
      const kc = `${dir}/kubeconfig`;
      await Deno.writeTextFile(
        kc,
        stringify(await serviceAccountKubeconfig(kubectl, ns, "nobody")),
        {
          mode: 0o600,
        },
      );
      const lines: string[] = [];
      const code = await new OperatorRuntime({
        name: "website-operator",
        customResources: [Website],
        args: [...TEST_FLAGS, "--kubeconfig", kc, "--leader-elect"],
        env: {},
        logWrite: (line) => lines.push(line),
        controllers: (ctx) => [websiteController({ client: ctx.client, informers: ctx.informers })],
      }).run();
      assert.equal(code, 1, lines.join(""));
      const fatal = lines.map((l) => JSON.parse(l)).filter((r) => r.level === "FATAL");
      assert.equal(fatal.length, 1, lines.join(""));
      const m = fatal[0].message as string;
      const found = /missing (\d+) permission\(s\) for system:serviceaccount:[^:]+:nobody/.exec(m);
      assert.ok(found, m);
      for (
        const expected of [
          "list websites.demo.operatorkit.io cluster-wide",
          "update websites/status.demo.operatorkit.io cluster-wide",
          "update websites/finalizers.demo.operatorkit.io cluster-wide",
          "create configmaps cluster-wide",
          "delete deployments.apps cluster-wide",
          "create events cluster-wide",
          `create leases.coordination.k8s.io in namespace ${ns}`,
          // (the log line JSON-quotes the message, so its quotes are escaped)
          `update customresourcedefinitions.apiextensions.k8s.io \\"${CRD}\\" cluster-wide`,
        ]
      ) assert.ok(m.includes(expected), `expected "${expected}" in: ${m}`);
      // Every verb of every rule: nothing is granted to this ServiceAccount.
      assert.ok(Number(found[1]) >= 40, m);
      // It never got as far as campaigning or starting informers.
      assert.ok(
        !lines.some((l) => l.includes("became leader") || l.includes("controller(s) running")),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
      await kubectl.run(["delete", "namespace", ns, "--wait=false"]);
    }
  },
});

Deno.test({
  name:
    `deploy (real tier): with --namespace, the operator runs on Roles in that namespace only (no cluster-wide access to Websites or children)${tier}`,
  ignore,
  async fn() {
    requireKubectl("deploy namespaced");
    await using kubectl = await Kubectl.for({ kubeconfigYaml: await Deno.readTextFile(REAL!) });
    await using deployed = await deployedServiceAccount(kubectl, { sitesOnly: true });
    const { ns, sites, kubeconfig: kc } = deployed;
    // The ServiceAccount may not list Websites cluster-wide, only in `sites`.
    const can = async (args: string[]) =>
      (await kubectl.run(["auth", "can-i", ...args, `--as=system:serviceaccount:${ns}:${SA}`]))
        .stdout.trim();
    assert.equal(await can(["list", "websites.demo.operatorkit.io", "-A"]), "no");
    assert.equal(await can(["list", "websites.demo.operatorkit.io", "-n", sites]), "yes");
    assert.equal(await can(["create", "configmaps", "-n", "default"]), "no");
    await using op = new OperatorProcess("examples/website/main.ts", [
      ...TEST_FLAGS,
      "--kubeconfig",
      kc,
      "--namespace",
      sites,
    ]);
    await op.waitForLog(
      "the controllers",
      (r) => r.message.includes("controller(s) running"),
      60_000,
    );
    await kubectl.ok(
      ["apply", "-f", "-"],
      stringify({
        apiVersion: "demo.operatorkit.io/v1alpha1",
        kind: "Website",
        metadata: { name: "blog", namespace: sites },
        spec: { html: "<h1>blog</h1>" },
      }),
    );
    await eventually(
      "the ConfigMap blog-html",
      async () => (await kubectl.json([`configmap/blog-html`, "-n", sites])) !== undefined,
      60_000,
    );
    await kubectl.ok(["delete", "website", "blog", "-n", sites, "--wait=false"]);
    await eventually(
      "the Website gone",
      async () => (await kubectl.json(["website/blog", "-n", sites])) === undefined,
      60_000,
    );
    op.kill("SIGTERM");
    assert.equal((await op.exited()).code, 0, op.tail());
  },
});
