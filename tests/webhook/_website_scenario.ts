// The Website operator with its webhooks against one API server (embedded or real): the
// operator serves HTTPS on 127.0.0.1 with self-managed certificates and registers itself; the
// API server calls it. kubectl writes and reads both versions; an invalid Website is denied
// with the handler's message; the operator reconciles a v1-written Website from v1alpha1.
import assert from "node:assert/strict";
import { Kubectl } from "../apiserver/_kubectl.ts";
import { eventually, OperatorProcess, TEST_FLAGS } from "../cli/_process.ts";
import { NO_SCRIPTS } from "../../examples/website/webhooks.ts";

const yaml = (v: string, name: string, ns: string, spec: string) =>
  `apiVersion: demo.operatorkit.io/${v}
kind: Website
metadata:
  name: ${name}
  namespace: ${ns}
spec:
${spec}
`;

export async function websiteWebhookScenario(
  kubeconfigYaml: string,
  ns: string,
  t: Deno.TestContext,
): Promise<void> {
  await using kubectl = await Kubectl.for({ kubeconfigYaml });
  await kubectl.ok(["create", "namespace", ns]);
  // The operator's own namespace (where its Secret lives) is excluded from the webhooks.
  const opNs = `${ns}-op`;
  await kubectl.ok(["create", "namespace", opNs]);
  const op = new OperatorProcess("examples/website/main.ts", [
    ...TEST_FLAGS,
    "--kubeconfig",
    kubectl.kubeconfig,
    "--namespace",
    ns,
    "--leader-election-namespace",
    opNs,
    "--webhook-bind-address",
    "127.0.0.1:0",
  ]);
  try {
    await op.waitForLog(
      "the webhook server",
      (r) => r.message.startsWith("serving webhooks on"),
      60_000,
    );
    await op.waitForLog(
      "the controllers running",
      (r) => r.message.includes("controller(s) running"),
      60_000,
    );

    await t.step("the Secret holds the self-managed certificate", async () => {
      const keys = await kubectl.ok([
        "get",
        "secret",
        "website-operator-webhook-tls",
        "-n",
        opNs,
        "-o",
        "jsonpath={.data}",
      ]);
      assert.deepEqual(Object.keys(JSON.parse(keys)).sort(), [
        "ca.crt",
        "ca.key",
        "tls.crt",
        "tls.key",
      ]);
    });

    await t.step("kubectl writes v1 and reads it back at v1alpha1 and v1", async () => {
      await kubectl.ok(
        ["apply", "-f", "-"],
        yaml("v1", "modern", ns, "  html: <h1>v1</h1>\n  scaling:\n    replicas: 2"),
      );
      const alpha = JSON.parse(
        await kubectl.ok([
          "get",
          "websites.v1alpha1.demo.operatorkit.io",
          "modern",
          "-n",
          ns,
          "-o",
          "json",
        ]),
      );
      assert.equal(alpha.apiVersion, "demo.operatorkit.io/v1alpha1");
      assert.deepEqual(alpha.spec, { html: "<h1>v1</h1>", replicas: 2 });
      const v1 = JSON.parse(
        await kubectl.ok([
          "get",
          "websites.v1.demo.operatorkit.io",
          "modern",
          "-n",
          ns,
          "-o",
          "json",
        ]),
      );
      assert.equal(v1.apiVersion, "demo.operatorkit.io/v1");
      assert.deepEqual(v1.spec, { html: "<h1>v1</h1>", scaling: { replicas: 2 } });
      // The server's Table at v1: its Replicas column is the v1 path .spec.scaling.replicas.
      const table = await kubectl.ok([
        "get",
        "websites.v1.demo.operatorkit.io",
        "modern",
        "-n",
        ns,
        "--no-headers",
      ]);
      assert.match(table, /^modern\s+2\s/);
    });

    await t.step("kubectl writes v1alpha1 and lists it at v1", async () => {
      await kubectl.ok(
        ["apply", "-f", "-"],
        yaml("v1alpha1", "classic", ns, "  html: <h1>alpha</h1>\n  replicas: 3"),
      );
      const list = JSON.parse(
        await kubectl.ok(["get", "websites.v1.demo.operatorkit.io", "-n", ns, "-o", "json"]),
      );
      const byName = Object.fromEntries(
        list.items.map((
          i: { metadata: { name: string }; spec: unknown },
        ) => [i.metadata.name, i.spec]),
      );
      assert.deepEqual(byName.classic, { html: "<h1>alpha</h1>", scaling: { replicas: 3 } });
      assert.deepEqual(byName.modern, { html: "<h1>v1</h1>", scaling: { replicas: 2 } });
    });

    await t.step(
      "an invalid Website is denied with the handler's message, at either version",
      async () => {
        for (
          const [v, spec] of [
            ["v1", "  html: <script>alert(1)</script>\n  scaling:\n    replicas: 1"],
            ["v1alpha1", "  html: <p><script src=x></script></p>"],
          ]
        ) {
          const r = await kubectl.run(["apply", "-f", "-"], yaml(v, "evil", ns, spec));
          assert.notEqual(r.code, 0, `${v}: ${r.stdout}`);
          assert.match(
            r.stderr,
            /admission webhook "vwebsite\.demo\.operatorkit\.io" denied the request: spec\.html must not contain <script> elements/,
          );
          assert.ok(r.stderr.includes(NO_SCRIPTS));
        }
        const gone = await kubectl.run(["get", "website", "evil", "-n", ns]);
        assert.notEqual(gone.code, 0);
      },
    );

    await t.step("a warning from the handler reaches kubectl", async () => {
      const r = await kubectl.run(
        ["apply", "-f", "-"],
        yaml("v1", "big", ns, "  html: big\n  scaling:\n    replicas: 7"),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Warning: more than 5 replicas/);
    });

    await t.step("the operator reconciles the v1-written Website (it reads v1alpha1)", async () => {
      await eventually("Deployment modern with 2 replicas", async () => {
        const r = await kubectl.run([
          "get",
          "deployment",
          "modern",
          "-n",
          ns,
          "-o",
          "jsonpath={.spec.replicas}",
        ]);
        return r.code === 0 && r.stdout.trim() === "2";
      }, 30_000);
    });
  } finally {
    // Deleted while the operator runs (it removes its finalizer): a namespace in deletion
    // keeps its objects on a server without a namespace controller, where other tests'
    // operators would find them.
    await kubectl.run(["delete", "websites", "--all", "-n", ns, "--timeout=60s"]);
    op.kill("SIGTERM");
    await op.exited(40_000).catch(() => {});
    await op[Symbol.asyncDispose]();
    // Leave nothing that would send later tests' Website writes to a webhook that is gone.
    await kubectl.run([
      "delete",
      "validatingwebhookconfiguration",
      "website-operator",
      "--ignore-not-found",
    ]);
    // ... nor a CRD whose conversion calls it (deleting the CRD could not convert its objects).
    await kubectl.run([
      "patch",
      "crd",
      "websites.demo.operatorkit.io",
      "--type=json",
      "-p",
      '[{"op":"replace","path":"/spec/conversion","value":{"strategy":"None"}}]',
    ]);
    await kubectl.run(["delete", "namespace", ns, opNs, "--wait=false"]);
  }
}
