/**
 * The CRD round trip on a real kube-apiserver: every generated CRD must pass the real
 * structural-schema validation, and the server's defaulting, validation and pruning must agree
 * with the zod decoder.
 *
 * The server is the cluster named by OPERATORKIT_TEST_KUBECONFIG when set (no second
 * apiserver is started: the real tier of .ci/run), else an envtest pair this file starts from
 * the cached binaries, else the test is reported as ignored with the reason (see
 * tests/envtest/_target.ts). Objects go to a namespace of its own; the CRDs are cluster-wide,
 * so the round trip deletes them and waits until they are gone, and the real tier runs files
 * one at a time.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../client/kube_client.ts";
import { ensureCustomResourceDefinition } from "../../client/custom_resource.ts";
import { connectRealServer, realServer, resolveRealTarget } from "../envtest/_target.ts";
import { needs } from "../_tier.ts";
import { invalidGizmoSpecsRealOnly, request, roundTrip } from "./_round_trip.ts";
import { uniqueName } from "../client/_cluster.ts";
import { Website, type Website as WebsiteObject } from "../../examples/website/website.ts";

const target = await resolveRealTarget();

Deno.test({
  ...needs("CRD round trip on a real kube-apiserver", realServer(target)),
  async fn(t) {
    const server = await connectRealServer(target);
    const client = Deno.createHttpClient({
      caCerts: [server.caPem],
      ...(server.clientCertPem && server.clientKeyPem
        ? { cert: server.clientCertPem, key: server.clientKeyPem }
        : {}),
    });
    const http = {
      url: server.url.replace(/\/$/, ""),
      client,
      ...(server.clientCertPem || !server.token
        ? {}
        : { headers: { authorization: `Bearer ${server.token}` } }),
    };
    const ns = uniqueName("crd-rt");
    try {
      await request(http, "POST", "/api/v1/namespaces", { metadata: { name: ns } });
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
          metadata: { name: "kc-home", namespace: ns },
          spec: { html: "<h1>kc</h1>" } as WebsiteObject["spec"],
        }, { namespace: ns });
        const got = await sites.get("kc-home", { namespace: ns });
        assert.deepEqual(got.spec, { html: "<h1>kc</h1>", replicas: 1 });
        await sites.delete("kc-home", { namespace: ns });
      });
      await roundTrip(t, http, { extraInvalid: invalidGizmoSpecsRealOnly, namespace: ns });
    } finally {
      // On a bare kube-apiserver the namespace stays Terminating (no namespace controller).
      await request(http, "DELETE", `/api/v1/namespaces/${ns}`).catch(() => {});
      client.close();
      await server.close();
    }
  },
});
