/**
 * The CRD round trip on a real kube-apiserver (envtest, or OPERATORKIT_TEST_KUBECONFIG):
 * every generated CRD must pass the real structural-schema validation, and the server's
 * defaulting, validation and pruning must agree with the zod decoder.
 */
import { connectRealServer, resolveRealTarget } from "../envtest/_target.ts";
import { roundTrip } from "./_round_trip.ts";

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
      await roundTrip(t, {
        url: server.url.replace(/\/$/, ""),
        client,
        ...(server.clientCertPem || !server.token
          ? {}
          : { headers: { authorization: `Bearer ${server.token}` } }),
      });
    } finally {
      client.close();
      await server.close();
    }
  },
});
