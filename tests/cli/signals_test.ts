// Shutdown: SIGTERM and SIGINT stop taking work, let the reconcile in flight finish, release
// the lease and exit 0; a second signal exits at once. In process, stopping the runtime
// leaves no watch, timer, listener or HTTP client open (the test sanitizers check it).
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import { OperatorRuntime } from "../../cli/run_operator.ts";
import { websiteController } from "../../examples/website/operator.ts";
import { Website } from "../../examples/website/website.ts";
import {
  api,
  createWebsite,
  eventually,
  getLease,
  httpGet,
  OperatorProcess,
  TEST_FLAGS,
} from "./_process.ts";

const SLOW = "tests/cli/fixtures/slow_operator.ts";

async function createSlowJob(
  server: Awaited<ReturnType<typeof startApiServer>>,
  name: string,
): Promise<void> {
  const r = await api(server, "/api/v1/namespaces/default/configmaps", {
    method: "POST",
    body: { metadata: { name, labels: { "okt/slow": "1" } }, data: { job: name } },
  });
  assert.equal(r.status, 201);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`signals: ${signal} lets the reconcile in flight finish, releases the lease, exits 0`, async () => {
    await using server = await startApiServer();
    const dir = await Deno.makeTempDir({ prefix: "okt-signal-" });
    try {
      const kubeconfig = `${dir}/kubeconfig.yaml`;
      await server.writeKubeconfig(kubeconfig);
      await using op = new OperatorProcess(SLOW, [
        ...TEST_FLAGS,
        "--kubeconfig",
        kubeconfig,
        "--leader-elect",
      ], { SLOW_DELAY_MS: "1500" });
      const url = await op.probeUrl();
      await eventually("/readyz 200", async () => (await httpGet(`${url}/readyz`)).status === 200);
      await op.waitForLog("leadership", (r) => r.message.includes("became leader"));
      const lease = await getLease(server, "slow-operator-leader");
      assert.ok(lease?.spec?.holderIdentity, "Expected the lease to have a holder");

      await createSlowJob(server, "job");
      await op.waitForLog("the reconcile to start", (r) => r.message === 'started "job"');
      op.kill(signal);
      const status = await op.exited();
      assert.equal(status.code, 0, op.tail());

      // The reconcile in flight finished (its write happened) before the controller stopped.
      const messages = op.records().map((r) => r.message);
      const finished = messages.indexOf('finished "job"');
      const stopped = messages.indexOf('controller "slow" stopped');
      const received = messages.indexOf("signal received: shutting down");
      assert.ok(received >= 0, op.tail());
      assert.ok(finished > received, `Expected "finished" after the signal:\n${op.tail()}`);
      assert.ok(
        stopped > finished,
        `Expected the controller to stop after "finished":\n${op.tail()}`,
      );
      const at = (m: string) =>
        Date.parse(op.records().find((r) => r.message === m)!["@timestamp"]);
      const ran = at('finished "job"') - at('started "job"');
      assert.ok(ran >= 1_400, `Expected the reconcile to run its 1.5 s, it ran ${ran} ms`);
      const done = await api(server, "/api/v1/namespaces/default/configmaps/job-done");
      assert.equal(done.status, 200);

      // The lease is released: no holder.
      const released = await getLease(server, "slow-operator-leader");
      assert.equal(released?.spec?.holderIdentity ?? "", "");
      assert.ok(messages.some((m) => m.startsWith("released lease")));
      assert.ok(messages.includes('operator "slow-operator" stopped'));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("signals: a second signal exits at once, without waiting for the reconcile", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-signal2-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await server.writeKubeconfig(kubeconfig);
    await using op = new OperatorProcess(SLOW, [...TEST_FLAGS, "--kubeconfig", kubeconfig], {
      SLOW_DELAY_MS: "60000",
    });
    await op.probeUrl();
    await op.waitForLog("the controller", (r) => r.message.includes("controller(s) running"));
    await createSlowJob(server, "long");
    await op.waitForLog("the reconcile to start", (r) => r.message === 'started "long"');
    op.kill("SIGTERM");
    await op.waitForLog("the first signal", (r) => r.message.startsWith("signal received"));
    const t0 = Date.now();
    op.kill("SIGINT");
    const status = await op.exited(5_000);
    assert.ok(Date.now() - t0 < 5_000);
    assert.notEqual(status.code, 0, "an interrupted shutdown is not a clean exit");
    assert.ok(op.records().some((r) => r.message.startsWith("second signal")));
    const done = await api(server, "/api/v1/namespaces/default/configmaps/long-done");
    assert.equal(done.status, 404, "the 60 s reconcile cannot have finished");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("signals: stopping the runtime in process closes every watch, timer and listener", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-inproc-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await server.writeKubeconfig(kubeconfig);
    const stop = new AbortController();
    const lines: string[] = [];
    const runtime = new OperatorRuntime({
      name: "website-operator",
      customResources: [Website],
      args: [...TEST_FLAGS, "--kubeconfig", kubeconfig, "--leader-elect"],
      env: {},
      signal: stop.signal,
      logWrite: (line) => lines.push(line),
      controllers: (ctx) => [websiteController({ client: ctx.client, informers: ctx.informers })],
    });
    const done = runtime.run();
    await eventually(
      "the controller to run",
      () => lines.some((l) => l.includes("controller(s) running")),
    );
    await createWebsite(server, "inproc");
    await eventually(
      "the ConfigMap inproc-html",
      async () =>
        (await api(server, "/api/v1/namespaces/default/configmaps/inproc-html")).status === 200,
    );
    stop.abort();
    assert.equal(await done, 0);
    const lease = await getLease(server, "website-operator-leader");
    assert.equal(lease?.spec?.holderIdentity ?? "", "");
    assert.ok(
      lines.some((l) => l.includes('operator \\"website-operator\\" stopped')),
      lines.join(""),
    );
    // Leaving the test, the sanitizers fail it if any watch request, timer, signal listener
    // or server of the runtime is still open.
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("signals: a reconcile that ignores its abort signal cannot hold the process past the grace period", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-grace-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await server.writeKubeconfig(kubeconfig);
    // The flag reaches the controller, which sets no grace period of its own.
    await using op = new OperatorProcess(SLOW, [
      ...TEST_FLAGS,
      "--kubeconfig",
      kubeconfig,
      "--shutdown-grace-period",
      "300ms",
    ], { SLOW_DELAY_MS: "60000" });
    await op.waitForLog("the controller", (r) => r.message.includes("controller(s) running"));
    await createSlowJob(server, "stuck");
    await op.waitForLog("the reconcile to start", (r) => r.message === 'started "stuck"');
    const t0 = Date.now();
    op.kill("SIGTERM");
    const status = await op.exited(15_000);
    const took = Date.now() - t0;
    assert.equal(status.code, 1, op.tail());
    assert.ok(took >= 5_000 && took < 10_000, `exited after ${took} ms; expected 300 ms + 5 s`);
    const messages = op.records().map((r) => r.message);
    assert.ok(
      messages.some((m) => m.startsWith("aborting 1 reconciles still running after 300 ms")),
      op.tail(),
    );
    assert.ok(
      messages.some((m) => m.startsWith("shutdown did not finish within 5300 ms")),
      op.tail(),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("signals: SIGTERM during start-up (a slow API server) is a clean stop, exit 0", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-startup-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await server.writeKubeconfig(kubeconfig);
    server.faults.setLatency(3_000);
    await using op = new OperatorProcess("examples/website/main.ts", [
      ...TEST_FLAGS,
      "--kubeconfig",
      kubeconfig,
      "--leader-elect",
    ]);
    const url = await op.probeUrl();
    const ready = await httpGet(`${url}/readyz`);
    assert.equal(ready.status, 500);
    assert.match(
      ready.text,
      /\[-\]startup failed: (connecting to the cluster|installing custom resource definitions)/,
    );
    assert.equal((await httpGet(`${url}/healthz`)).status, 200);
    await op.waitForLog("the connection", (r) => r.message.startsWith("connected to"));
    op.kill("SIGTERM");
    const status = await op.exited(10_000);
    assert.equal(status.code, 0, op.tail());
    const messages = op.records().map((r) => r.message);
    assert.ok(messages.some((m) => m.startsWith("stopped during start-up")), op.tail());
    assert.ok(!op.records().some((r) => r.level === "FATAL" || r.level === "ERROR"), op.tail());
    server.faults.setLatency(0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
