// testing/test_cluster.ts: the embedded tier by default, the real tier from a kubeconfig.
// The tests pass `realKubeconfig` instead of changing the environment: test files run in
// parallel in one process.
import assert from "node:assert/strict";
import { requireFaults, testCluster } from "../../testing/test_cluster.ts";

Deno.test("testCluster: the embedded server with faults when no real kubeconfig is named", async () => {
  await using cluster = await testCluster({ realKubeconfig: null, token: "t" });
  assert.equal(cluster.real, false);
  assert.ok(cluster.faults);
  assert.equal(requireFaults({ name: "x" }, cluster), cluster.faults);
  const res = await fetch(`${cluster.url}/version`, { headers: { authorization: "Bearer t" } });
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

Deno.test("testCluster: a real kubeconfig gives its server, no faults, and requireFaults throws", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config`;
  await Deno.writeTextFile(
    path,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]",
      "users: [{name: u, user: {token: abc}}]",
      "contexts: [{name: x, context: {cluster: c, user: u}}]",
      "current-context: x",
    ].join("\n"),
  );
  try {
    await using cluster = await testCluster({ realKubeconfig: path });
    assert.equal(cluster.real, true);
    assert.equal(cluster.url, "https://127.0.0.1:6443");
    assert.equal(cluster.faults, undefined);
    assert.throws(
      () => requireFaults({ name: "needs faults" }, cluster),
      /needs faults: fault injection needs the embedded API server, found a real cluster/,
    );
    await assert.rejects(
      testCluster({ realKubeconfig: `${dir}/missing` }),
      /cannot read the kubeconfig/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
