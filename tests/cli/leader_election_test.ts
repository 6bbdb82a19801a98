// Leader election across two Website operator processes against one embedded API server,
// with lease timings shortened through the flags (2 s renew deadline, 250 ms retry, a 3 s
// lease, or 6 s for the fencing test): exactly one reconciles, the standby reports
// operatorkit_leader 0 and stays ready, and after kill -9 of the leader the standby takes over
// once the lease expired. Time bounds are measured from the lease's renewTime as stored in the
// server (the operators' clock; same machine), never from when this busy test process acted.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import {
  api,
  createWebsite,
  eventually,
  getLease,
  httpGet,
  metricValue,
  OperatorProcess,
  TEST_FLAGS,
} from "./_process.ts";

const LEASE_MS = 3_000;
const RENEW_DEADLINE_MS = 2_000;
const RETRY_MS = 250;
// What a loaded machine may add on top of the protocol's own delays (scheduling of the
// subprocesses and of this process, which also runs the API server).
const SLACK_MS = 3_000;
// The fencing test's lease: the leader stops at the renew deadline, and a late subprocess
// still has FENCE_LEASE_MS - RENEW_DEADLINE_MS to stop its controllers in.
const FENCE_LEASE_MS = 6_000;
const RECONCILES = 'operatorkit_reconcile_total{controller="website-operator"}';

function operator(kubeconfig: string, leaseMs = LEASE_MS): OperatorProcess {
  return new OperatorProcess("examples/website/main.ts", [
    ...TEST_FLAGS,
    "--kubeconfig",
    kubeconfig,
    "--leader-elect",
    "--leader-election-lease-duration",
    `${leaseMs}ms`,
    "--leader-election-renew-deadline",
    `${RENEW_DEADLINE_MS}ms`,
    "--leader-election-retry-period",
    `${RETRY_MS}ms`,
  ]);
}

const leading = (op: OperatorProcess) =>
  op.records().find((r) => r.message.includes("became leader"));

Deno.test("leader election: two processes, one reconciles; kill -9 the leader, the other takes over within the lease duration", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-leader-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await server.writeKubeconfig(kubeconfig);
    await using a = operator(kubeconfig);
    await using b = operator(kubeconfig);
    const urls = new Map([[a, await a.probeUrl()], [b, await b.probeUrl()]]);

    await eventually("one replica to lead", () => !!(leading(a) ?? leading(b)));
    const leader = leading(a) ? a : b;
    const standby = leader === a ? b : a;
    const leaderId = leading(leader)!.properties.identity as string;
    const lease = await getLease(server, "website-operator-leader");
    assert.equal(lease?.spec?.holderIdentity, leaderId);
    assert.equal(lease?.spec?.leaseDurationSeconds, LEASE_MS / 1000);

    await createWebsite(server, "one");
    await eventually(
      "ConfigMap one-html",
      async () =>
        (await api(server, "/api/v1/namespaces/default/configmaps/one-html")).status === 200,
    );
    let leaderMetrics = "";
    await eventually("the leader's reconcile counter > 0", async () => {
      leaderMetrics = (await httpGet(`${urls.get(leader)}/metrics`)).text;
      return (metricValue(leaderMetrics, RECONCILES) ?? 0) > 0;
    });
    assert.equal(metricValue(leaderMetrics, "operatorkit_leader"), 1);

    // The standby: ready once started up (a standby is ready to take over), not leading,
    // not reconciling.
    await eventually(
      "the standby's /readyz 200",
      async () => (await httpGet(`${urls.get(standby)}/readyz`)).status === 200,
    );
    const standbyMetrics = (await httpGet(`${urls.get(standby)}/metrics`)).text;
    assert.equal(metricValue(standbyMetrics, "operatorkit_leader"), 0);
    assert.equal(metricValue(standbyMetrics, RECONCILES) ?? 0, 0);
    assert.equal(leading(standby), undefined);
    assert.ok(!standby.records().some((r) => r.message.includes("controller(s) running")));
    assert.ok(leader.records().some((r) => r.message.includes("controller(s) running")));
    // The standby said once that it is a candidate, and once who holds the lease.
    const standbyLines = standby.records().filter((r) => r.properties.identity !== leaderId);
    assert.equal(standbyLines.filter((r) => r.message.includes("is a candidate")).length, 1);
    const holderLines = standbyLines.filter((r) => r.message.includes("is standby"));
    assert.equal(holderLines.length, 1, holderLines.map((r) => r.message).join("\n"));
    assert.equal(holderLines[0].properties.holder, leaderId);
    assert.equal(holderLines[0].level, "INFO");

    // kill -9: no release; the standby must wait out the lease, then take over.
    leader.kill("SIGKILL");
    await leader.exited();
    // The leader's last renewal, as stored (a PUT it sent just before dying may still land:
    // then this is earlier than the last one, which only loosens the lower bound below).
    const last = await getLease(server, "website-operator-leader");
    assert.equal(last?.spec?.holderIdentity, leaderId, "read before the lease could expire");
    const lastRenew = Date.parse(last!.spec!.renewTime as string);
    const took = await standby.waitForLog(
      "the standby to take over",
      (r) => r.message.includes("became leader"),
      LEASE_MS + 3 * SLACK_MS,
    );
    const elapsed = Date.parse(took["@timestamp"]) - lastRenew;
    console.log(`standby took over ${elapsed} ms after the last renewal (lease ${LEASE_MS} ms)`);
    // Not before the lease expired: the standby saw that renewal only after it was written and
    // waits a full lease duration from then, whatever the load.
    assert.ok(
      elapsed >= LEASE_MS,
      `took over ${elapsed} ms after the last renewal: before the lease expired`,
    );
    // Within the lease duration plus the standby's retry periods (one to see the last
    // renewal, one to notice the expiry, with jitter) and scheduling slack.
    assert.ok(
      elapsed <= LEASE_MS + 3 * RETRY_MS + SLACK_MS,
      `took over ${elapsed} ms after the last renewal; the lease lasts ${LEASE_MS} ms`,
    );

    const after = await getLease(server, "website-operator-leader");
    assert.equal(after?.spec?.holderIdentity, took.properties.identity);
    assert.notEqual(took.properties.identity, leaderId);
    assert.ok((after?.spec?.leaseTransitions as number) >= 1);

    // The new leader reconciles.
    await createWebsite(server, "two");
    await eventually(
      "ConfigMap two-html",
      async () =>
        (await api(server, "/api/v1/namespaces/default/configmaps/two-html")).status === 200,
    );
    let m = "";
    await eventually("the new leader's reconcile counter > 0", async () => {
      m = (await httpGet(`${urls.get(standby)}/metrics`)).text;
      return (metricValue(m, RECONCILES) ?? 0) > 0;
    });
    assert.equal(metricValue(m, "operatorkit_leader"), 1);

    standby.kill("SIGTERM");
    assert.equal((await standby.exited()).code, 0, standby.tail());
    assert.equal(
      (await getLease(server, "website-operator-leader"))?.spec?.holderIdentity ?? "",
      "",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("leader election: a leader whose renewals fail stops reconciling before its lease could pass to the other", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-fence-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await server.writeKubeconfig(kubeconfig);
    await using a = operator(kubeconfig, FENCE_LEASE_MS);
    await a.waitForLog("a to lead", (r) => r.message.includes("controller(s) running"));
    await using b = operator(kubeconfig, FENCE_LEASE_MS);
    await b.probeUrl();
    await eventually(
      "b to observe the lease",
      () => b.records().some((r) => r.message.includes("connected")),
    );

    // Every Lease update fails from now on, for a while: the leader cannot renew.
    server.faults.failNext(20, { status: 500, verb: "update", resource: "leases" });
    // A renewal of a's as stored: the last one, or (when one was in flight) the one before,
    // which only makes the bound below stricter.
    const lease = await getLease(server, "website-operator-leader");
    assert.equal(
      lease?.spec?.holderIdentity,
      a.records().find((r) => r.message.includes("became leader"))?.properties.identity,
    );
    assert.equal(lease?.spec?.leaseDurationSeconds, FENCE_LEASE_MS / 1000);
    const lastRenew = Date.parse(lease!.spec!.renewTime as string);

    const lost = await a.waitForLog(
      "the leader to give up the lease",
      (r) => r.message.includes("lost lease"),
      FENCE_LEASE_MS + 3 * SLACK_MS,
    );
    const stopped = a.records().find((r) => r.message === 'controller "website-operator" stopped');
    assert.ok(stopped, a.tail());
    const stoppedAt = Date.parse(stopped["@timestamp"]);
    console.log(
      `leader stopped its controllers ${
        stoppedAt - lastRenew
      } ms after its last renewal (renew deadline ${RENEW_DEADLINE_MS} ms, lease ${FENCE_LEASE_MS} ms)`,
    );
    // Fencing: the controllers stopped before the lease could have expired for anyone else.
    assert.ok(
      stoppedAt < lastRenew + FENCE_LEASE_MS,
      `stopped ${
        stoppedAt - lastRenew
      } ms after the last renewal; the lease lasts ${FENCE_LEASE_MS} ms`,
    );
    assert.ok(Date.parse(lost["@timestamp"]) >= stoppedAt);
    // Nobody else took over before then.
    const bLead = b.records().find((r) => r.message.includes("became leader"));
    if (bLead) assert.ok(Date.parse(bLead["@timestamp"]) > stoppedAt);

    // Once the faults are used up, one of them leads again and reconciles.
    await eventually("a leader again", async () => {
      const l = await getLease(server, "website-operator-leader");
      return Date.parse(l?.spec?.renewTime as string) > Date.now() - FENCE_LEASE_MS &&
        [a, b].some((p) =>
          p.records().filter((r) => r.message.includes("became leader")).length >
            (p === a ? 1 : 0)
        );
    }, 60_000);
    await createWebsite(server, "after");
    await eventually(
      "ConfigMap after-html",
      async () =>
        (await api(server, "/api/v1/namespaces/default/configmaps/after-html")).status === 200,
    );
    a.kill("SIGTERM");
    b.kill("SIGTERM");
    assert.equal((await a.exited()).code, 0, a.tail());
    assert.equal((await b.exited()).code, 0, b.tail());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
