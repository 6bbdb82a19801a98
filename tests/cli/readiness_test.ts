// Readiness tells the truth: the Website operator (a subprocess, leader-elected) reports
// /readyz 500 naming the stale informer and for how long while every watch attempt gets
// garbage, logs one warning per transition (not per retry) and one warning per failed
// attempt with its reason, keeps its lease meanwhile, and recovers to 200 by itself. The
// embedded server's bookmark interval is scaled down (300 ms) with the flags to match.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import {
  createWebsite,
  eventually,
  getLease,
  httpGet,
  type LogLine,
  metricValue,
  OperatorProcess,
  tempKubeconfig,
  TEST_FLAGS,
} from "./_process.ts";

const isAttemptFailure = (r: LogLine) =>
  r.properties.reason === "decode-error" && r.properties.stage === "watch";

Deno.test("readiness: a synced informer without a working watch fails /readyz (named, with how long), leadership kept, recovers by itself", async () => {
  await using server = await startApiServer({ bookmarkIntervalMs: 300 });
  await using kubeconfig = await tempKubeconfig(server, "okt-readiness-");
  await using op = new OperatorProcess("examples/website/main.ts", [
    ...TEST_FLAGS,
    "--kubeconfig",
    kubeconfig.path,
    "--leader-elect",
    "--namespace",
    "default",
    "--watch-idle-timeout",
    "1s",
    "--watch-stale-threshold",
    "2s",
  ]);
  const url = await op.probeUrl();
  await eventually("/readyz 200", async () => (await httpGet(`${url}/readyz`)).status === 200);
  await createWebsite(server, "site");
  const holder = (await getLease(server, "website-operator-leader"))?.spec?.holderIdentity;
  assert.ok(holder, "the operator holds the lease");

  server.faults.garbageWatches({ sticky: true });
  let body = "";
  await eventually("/readyz 500 naming a stale informer", async () => {
    const r = await httpGet(`${url}/readyz`);
    body = r.text;
    return r.status === 500;
  }, 30_000);
  assert.match(
    body,
    /\[-\]informers failed: .*websites\.demo\.operatorkit\.io in default informer stale: no working watch for \d+ s \(decode-error: /,
  );
  const metrics = (await httpGet(`${url}/metrics`)).text;
  assert.equal(
    metricValue(
      metrics,
      'operatorkit_informer_watch_stale{resource="websites.demo.operatorkit.io",namespace="default"}',
    ),
    1,
  );
  // Let a few more attempts fail: still one "no working watch" warning per informer.
  const failedBefore = op.records().filter(isAttemptFailure);
  await eventually(
    "two more failed attempts",
    () =>
      op.records().filter(isAttemptFailure).length >=
        failedBefore.length + 2,
    30_000,
  );
  const leaseNow = await getLease(server, "website-operator-leader");
  assert.equal(leaseNow?.spec?.holderIdentity, holder, "leadership is not affected");

  server.faults.garbageWatches({ sticky: false });
  await eventually("/readyz 200 again", async () => {
    const r = await httpGet(`${url}/readyz`);
    return r.status === 200;
  }, 40_000);

  const stale = op.records().filter((r) => r.properties.stale === true);
  const fresh = op.records().filter((r) => r.properties.stale === false);
  const per = (rs: typeof stale) => {
    const m: Record<string, number> = {};
    for (const r of rs) {
      m[String(r.properties.resource)] = (m[String(r.properties.resource)] ?? 0) + 1;
    }
    return m;
  };
  assert.ok(stale.length >= 1, "a warning when going stale");
  for (const [resource, n] of Object.entries(per(stale))) {
    assert.equal(n, 1, `one stale warning for ${resource}, found ${n}`);
    assert.equal(per(fresh)[resource], 1, `one recovery line for ${resource}`);
  }
  for (const r of [...stale, ...fresh]) assert.equal(r.level, "WARN", r.message);
  // Each failed attempt: one warning with its reason.
  const failures = op.records().filter(isAttemptFailure);
  assert.ok(
    failures.every((r) => r.level === "WARN" && r.properties.reason === "decode-error"),
  );
  const metricsAfter = (await httpGet(`${url}/metrics`)).text;
  assert.equal(
    metricValue(
      metricsAfter,
      'operatorkit_informer_watch_stale{resource="websites.demo.operatorkit.io",namespace="default"}',
    ),
    0,
  );
  op.kill("SIGTERM");
  assert.equal((await op.exited()).code, 0);
});
