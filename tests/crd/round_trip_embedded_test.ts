/**
 * The CRD round trip on the embedded API server (testing/api_server.ts): the same suite as
 * on a real kube-apiserver, so the embedded server's CRD support (structural validation,
 * defaulting, pruning, status subresource, several versions) is held to the real rules.
 *
 * Embedded-only on purpose: what it tests is the embedded server. Its real-server twin is
 * round_trip_real_test.ts, which runs the same steps on the cluster named by
 * OPERATORKIT_TEST_KUBECONFIG.
 */
import { startApiServer } from "../../testing/api_server.ts";
import { roundTrip } from "./_round_trip.ts";

Deno.test("CRD round trip on the embedded API server", async (t) => {
  await using server = await startApiServer();
  await roundTrip(t, { url: server.url });
});
