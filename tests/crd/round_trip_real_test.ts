/**
 * The CRD round trip on a real kube-apiserver (envtest, or OPERATORKIT_TEST_KUBECONFIG):
 * every generated CRD must pass the real structural-schema validation, and the server's
 * defaulting, validation and pruning must agree with the zod decoder.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../client/kube_client.ts";
import { ensureCustomResourceDefinition } from "../../client/custom_resource.ts";
import { connectRealServer, resolveRealTarget } from "../envtest/_target.ts";
import { invalidGizmoSpecsRealOnly, roundTrip } from "./_round_trip.ts";
import { Website, type Website as WebsiteObject } from "../../examples/website/website.ts";

const target = await resolveRealTarget();

Deno.test({
  name: "CRD round trip on a real kube-apiserver",
  ignore: target.kind === "skip",
  async fn(t) {
    const server = await connectRealServer(target);
    const client = Deno.createHttpClient({
      caCerts: [server.caPem],
      ...(server.clientCertPem && server.clientKeyPem
        ? { cert: server.clientCertPem, key: server.clientKeyPem }
        : {}),
    });
    try {
      await t.step("KubeClient: install the Website CRD, read a defaulted Website", async () => {
        await using kube = await KubeClient.fromKubeConfig({ path: server.kubeconfigPath });
        const crd = await ensureCustomResourceDefinition(kube, Website, { timeoutMs: 30_000 });
        assert.equal(
          crd.status?.conditions?.find((c) => c.type === "Established")?.status,
          "True",
        );
        const sites = kube.resource(Website);
        await sites.create({
          apiVersion: Website.apiVersion,
          kind: Website.kind,
          metadata: { name: "kc-home", namespace: "default" },
          spec: { html: "<h1>kc</h1>" } as WebsiteObject["spec"],
        }, { namespace: "default" });
        const got = await sites.get("kc-home", { namespace: "default" });
        assert.deepEqual(got.spec, { html: "<h1>kc</h1>", replicas: 1 });
        await sites.delete("kc-home", { namespace: "default" });
      });
      await roundTrip(t, {
        url: server.url.replace(/\/$/, ""),
        client,
        ...(server.clientCertPem || !server.token
          ? {}
          : { headers: { authorization: `Bearer ${server.token}` } }),
      }, { extraInvalid: invalidGizmoSpecsRealOnly });
    } finally {
      client.close();
      await server.close();
    }
  },
});
