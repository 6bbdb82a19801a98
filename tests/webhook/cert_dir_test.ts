// The Website operator with --webhook-cert-dir (a mounted Secret or cert-manager): the API
// server trusts the directory's ca.crt, and a serving certificate renewed in place is served
// without a restart.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import { generateWebhookCertificate } from "../../webhook/self_managed.ts";
import { KUBECTL, Kubectl, requireKubectl } from "../apiserver/_kubectl.ts";
import { needs } from "../_tier.ts";
import { OperatorProcess, TEST_FLAGS } from "../cli/_process.ts";

const evil = (ns: string, name: string) =>
  `apiVersion: demo.operatorkit.io/v1alpha1
kind: Website
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  html: <script>x</script>
`;

Deno.test(
  needs(
    "webhooks from a certificate directory: trusted via ca.crt, renewed without restart",
    KUBECTL,
  ),
  async () => {
    requireKubectl("webhooks from a certificate directory");
    await using server = await startApiServer();
    await using kubectl = await Kubectl.for(server);
    await kubectl.ok(["create", "namespace", "sites"]);
    const dir = await Deno.makeTempDir({ prefix: "okt-certs-" });
    const names = { dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] };
    const first = await generateWebhookCertificate(names);
    await Deno.writeTextFile(`${dir}/ca.crt`, first.caCert);
    await Deno.writeTextFile(`${dir}/tls.crt`, first.cert);
    await Deno.writeTextFile(`${dir}/tls.key`, first.key);
    const op = new OperatorProcess("examples/website/main.ts", [
      ...TEST_FLAGS,
      "--kubeconfig",
      kubectl.kubeconfig,
      "--webhook-bind-address",
      "127.0.0.1:0",
      "--webhook-cert-dir",
      dir,
    ]);
    try {
      await op.waitForLog(
        "the controllers",
        (r) => r.message.includes("controller(s) running"),
        60_000,
      );
      // No Secret: the directory is the certificate.
      const secrets = await kubectl.ok(["get", "secrets", "-A", "-o", "name"]);
      assert.ok(!secrets.includes("webhook-tls"), secrets);
      const denied = await kubectl.run(["apply", "-f", "-"], evil("sites", "a"));
      assert.match(denied.stderr, /denied the request: spec\.html must not contain <script>/);

      // Renewed from the same CA (as cert-manager does), written in place.
      const renewed = await generateWebhookCertificate({
        ...names,
        ca: { cert: first.caCert, key: first.caKey },
      });
      await Deno.writeTextFile(`${dir}/tls.key`, renewed.key);
      await Deno.writeTextFile(`${dir}/tls.crt`, renewed.cert);
      await op.waitForLog(
        "the reload",
        (r) => r.message.startsWith("webhook certificate reloaded"),
        30_000,
      );
      const again = await kubectl.run(["apply", "-f", "-"], evil("sites", "b"));
      assert.match(again.stderr, /denied the request: spec\.html must not contain <script>/);
    } finally {
      op.kill("SIGTERM");
      await op.exited(40_000).catch(() => {});
      await op[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
