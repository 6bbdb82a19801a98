/**
 * The CRD round trip on the embedded API server (testing/api_server.ts): the same suite as
 * on a real kube-apiserver, so the embedded server's CRD support (structural validation,
 * defaulting, pruning, status subresource, several versions) is held to the real rules.
 */
import { startApiServer } from "../../testing/api_server.ts";
import { roundTrip } from "./_round_trip.ts";

Deno.test("CRD round trip on the embedded API server", async (t) => {
  await using server = await startApiServer();
  await roundTrip(t, { url: server.url });
});
