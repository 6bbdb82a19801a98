import assert from "node:assert/strict";
import { twoVersionThing } from "./_test_util.ts";
import { ensureCustomResourceDefinition } from "../client/custom_resource.ts";
import { withConversionWebhook } from "../client/conversion.ts";
import { CustomResourceDefinitions, Secrets } from "../client/builtins.ts";
import { KubeClient } from "../client/kube_client.ts";
import { startApiServer } from "../testing/api_server.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { SelfManagedCertificates } from "./self_managed.ts";
import { _inspect, _signedBy } from "./_x509.ts";
import { ValidatingWebhookConfigurations, webhookConfigurations } from "./configurations.ts";
import { validatingWebhook } from "./admission.ts";

const Thing = twoVersionThing("selfcert.operatorkit.io");

const b64 = (s: string) => btoa(s);

Deno.test("self-managed: one Secret shared by replicas, CA bundle written into the CRD and re-patched", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  const crd = withConversionWebhook(Thing, {
    service: { namespace: "default", name: "op-webhook", path: "/convert", port: 443 },
  });
  await ensureCustomResourceDefinition(client, crd);
  const clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));
  const options = {
    client: client as never,
    namespace: "default",
    secretName: "op-webhook-tls",
    dnsNames: ["op-webhook.default.svc"],
    ipAddresses: ["127.0.0.1"],
    webhookConfigurations: ["op"],
    crds: [Thing.crd.metadata.name!],
    clock,
  };
  await using a = new SelfManagedCertificates(options);
  await a.start();
  await using b = new SelfManagedCertificates(options);
  await b.start();
  const certA = await a.load();
  const certB = await b.load();
  assert.equal(certA.cert, certB.cert, "the second replica serves the first one's certificate");
  assert.equal(a.caCert, b.caCert);
  assert.ok(await _signedBy(certA.cert, a.caCert!));
  assert.deepEqual(_inspect(certA.cert)?.dnsNames, ["op-webhook.default.svc"]);
  assert.deepEqual(_inspect(certA.cert)?.ipAddresses, ["127.0.0.1"]);

  const secret = await client.resource(Secrets).get("op-webhook-tls", { namespace: "default" });
  assert.equal(secret.type, "kubernetes.io/tls");
  assert.deepEqual(Object.keys(secret.data ?? {}).sort(), [
    "ca.crt",
    "ca.key",
    "tls.crt",
    "tls.key",
  ]);

  const crds = client.resource(CustomResourceDefinitions);
  const bundleOf = async () =>
    ((await crds.get(Thing.crd.metadata.name!)).spec.conversion as {
      webhook: { clientConfig: { caBundle?: string } };
    }).webhook.clientConfig.caBundle;
  assert.equal(await bundleOf(), b64(a.caCert!));
  assert.equal(a.patches + b.patches, 1);

  // Someone overwrites the bundle: the next periodic check writes it back.
  const stored = await crds.get(Thing.crd.metadata.name!);
  await crds.replace({
    ...stored,
    spec: {
      ...stored.spec,
      conversion: {
        strategy: "Webhook",
        webhook: {
          clientConfig: {
            service: { namespace: "default", name: "op-webhook", path: "/convert" },
            caBundle: b64("junk"),
          },
          conversionReviewVersions: ["v1"],
        },
      },
    },
  });
  await a.reconcile();
  assert.equal(await bundleOf(), b64(a.caCert!));

  // The same for a ValidatingWebhookConfiguration: created without a bundle, then changed.
  const vwcs = client.resource(ValidatingWebhookConfigurations);
  const [cfg] = webhookConfigurations(
    [validatingWebhook(Thing, { validate: () => ({ allowed: true }) })],
    { name: "op", clientConfig: (path) => ({ url: `https://127.0.0.1:9${path}` }) },
  );
  await vwcs.create(cfg);
  const vBundle = async () => (await vwcs.get("op")).webhooks?.[0].clientConfig.caBundle;
  await b.reconcile();
  assert.equal(await vBundle(), b64(a.caCert!));
  const v = await vwcs.get("op");
  await vwcs.replace({
    ...v,
    webhooks: v.webhooks!.map((w) => ({
      ...w,
      clientConfig: { ...w.clientConfig, caBundle: b64("x") },
    })),
  });
  await a.reconcile();
  assert.equal(await vBundle(), b64(a.caCert!));
});

Deno.test("self-managed: the serving certificate is re-issued from the same CA before expiry; listeners hear it", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  const clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));
  await using certs = new SelfManagedCertificates({
    client: client as never,
    namespace: "default",
    secretName: "tls",
    dnsNames: ["svc.default.svc"],
    validityDays: 40,
    resyncPeriodMs: 1e12,
    clock,
  });
  await certs.start();
  const first = await certs.load();
  const ca = certs.caCert;
  const seen: string[] = [];
  certs.subscribe((c) => seen.push(c.cert));
  clock.tick(5 * 86_400_000); // 35 days left: still more than the 30-day margin
  await certs.reconcile();
  assert.deepEqual(seen, []);
  clock.tick(6 * 86_400_000); // 29 days left: re-issued
  await certs.reconcile();
  assert.equal(seen.length, 1);
  assert.notEqual(seen[0], first.cert);
  assert.equal(certs.caCert, ca, "the CA (and so every caBundle) stays");
  assert.ok(await _signedBy(seen[0], ca!));
});
