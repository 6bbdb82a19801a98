// The Website operator (examples/website/main.ts) as a subprocess with flags against the
// embedded API server: it installs its CRD, reconciles a Website, serves /healthz, /readyz and
// /metrics over HTTP (the live output passes `promtool check metrics`), logs JSON lines that
// never carry the bearer token, and exits 0 on SIGTERM.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import { type Need, needs } from "../_tier.ts";
import {
  api,
  createWebsite,
  eventually,
  httpGet,
  metricValue,
  OperatorProcess,
  TEST_FLAGS,
} from "./_process.ts";

const TOKEN = "s3cr3t-operatorkit-token-7f1c";

/** promtool on PATH: missing (its step ignored) unless OPERATORKIT_REQUIRE_PROMTOOL=1. */
const PROMTOOL: Need = {
  missing: !(await new Deno.Command("sh", { args: ["-c", "command -v promtool"], stdout: "null" })
    .output()).success && Deno.env.get("OPERATORKIT_REQUIRE_PROMTOOL") !== "1",
  reason: "promtool not found on PATH (Debian package prometheus)",
};

async function promtoolCheck(text: string): Promise<{ ok: boolean; out: string }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new Error("Expected promtool on PATH (OPERATORKIT_REQUIRE_PROMTOOL=1), found none");
  }
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return { ok: out.success, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

Deno.test("website operator subprocess: CRD, reconcile, probes, metrics (promtool), JSON logs without the token, SIGTERM exit 0", async (t) => {
  await using server = await startApiServer({ token: TOKEN });
  const dir = await Deno.makeTempDir({ prefix: "okt-website-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await server.writeKubeconfig(kubeconfig);
    // The Website informer's first LISTs are refused (429, Retry-After 1 s) so that the
    // window in which /readyz reports "not synced" is observable.
    server.faults.failNext(2, {
      status: 429,
      retryAfterSeconds: 1,
      verb: "list",
      resource: "websites",
    });
    await using op = new OperatorProcess("examples/website/main.ts", [
      ...TEST_FLAGS,
      "--kubeconfig",
      kubeconfig,
      "--log-level",
      "debug",
      "--leader-elect",
      "--namespace",
      "default",
    ]);
    const url = await op.probeUrl();

    // /readyz: 500 while starting (connecting, installing the CRD) and while the informers are
    // not synced, never 200 in between, and 200 afterwards.
    const readyz: Array<{ status: number; text: string }> = [];
    await eventually("/readyz 200", async () => {
      const r = await httpGet(`${url}/readyz`);
      readyz.push(r);
      return r.status === 200;
    });
    const seen = readyz.map((r) => `${r.status} ${r.text.split("\n")[0]}`).join(" | ");
    const notSynced = readyz.findIndex((r) =>
      r.status === 500 && /\[-\]informers failed: .*not synced/.test(r.text)
    );
    assert.ok(notSynced >= 0, `Expected a /readyz 500 naming the unsynced informer, saw ${seen}`);
    assert.equal(readyz.findIndex((r) => r.status === 200), readyz.length - 1, seen);
    const healthz = await httpGet(`${url}/healthz`);
    assert.equal(healthz.status, 200);
    assert.equal(healthz.text, "ok");

    // The CRD is installed by the operator; the Website it reconciles gets its children.
    const crd = await api(
      server,
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/websites.demo.operatorkit.io",
      { token: TOKEN },
    );
    assert.equal(crd.status, 200);
    await createWebsite(server, "blog", { html: "<h1>hello</h1>", token: TOKEN });
    await eventually("the ConfigMap blog-html", async () => {
      const r = await api(server, "/api/v1/namespaces/default/configmaps/blog-html", {
        token: TOKEN,
      });
      return r.status === 200;
    });
    await eventually("the Website's Ready condition", async () => {
      const r = await api(
        server,
        "/apis/demo.operatorkit.io/v1alpha1/namespaces/default/websites/blog",
        { token: TOKEN },
      );
      const conds = (r.body.status as { conditions?: Array<{ type: string }> } | undefined)
        ?.conditions ?? [];
      return conds.some((c) => c.type === "Ready");
    });

    // /metrics: counters moved, the leader gauge is 1, and promtool accepts the text.
    let metrics = "";
    await eventually("reconcile counters > 0", async () => {
      const r = await httpGet(`${url}/metrics`);
      assert.equal(r.status, 200);
      metrics = r.text;
      return (metricValue(metrics, 'operatorkit_reconcile_total{controller="website-operator"}') ??
        0) > 0;
    });
    assert.equal(metricValue(metrics, "operatorkit_leader"), 1);
    // Every family the issue names is there with live values.
    const max = (family: string, ...labels: string[]) => {
      const values = metrics.split("\n")
        .filter((l) => l.startsWith(`${family}{`) || l.startsWith(`${family} `))
        .filter((l) => labels.every((x) => l.includes(x)))
        .map((l) => Number(l.slice(l.lastIndexOf(" ") + 1)));
      assert.ok(values.length > 0, `Expected ${family} ${labels} in /metrics:\n${metrics}`);
      return Math.max(...values);
    };
    const ctl = 'controller="website-operator"';
    assert.ok(max("operatorkit_resource_operations_total", ctl, 'resource="configmap"') > 0);
    assert.ok(max("operatorkit_resource_duration_seconds_count", ctl) > 0);
    assert.equal(max("operatorkit_resource_errors_total", ctl), 0);
    assert.equal(max("operatorkit_reconcile_errors_total", ctl), 0);
    assert.ok(max("operatorkit_workqueue_adds_total", ctl) > 0);
    assert.ok(max("operatorkit_workqueue_queue_duration_seconds_count", ctl) > 0);
    assert.ok(max("operatorkit_workqueue_depth", ctl) >= 0);
    assert.ok(max("operatorkit_workqueue_retries_total", ctl) >= 0);
    assert.ok(max("operatorkit_informer_events_total", "websites") > 0);
    assert.equal(max("operatorkit_informer_cached_objects", "websites"), 1);
    assert.ok(max("operatorkit_informer_cached_objects", "configmaps") >= 1);
    assert.equal(max("operatorkit_informer_synced", "websites"), 1);
    assert.ok(max("operatorkit_informer_relists_total", "websites") >= 1);
    assert.ok(max("operatorkit_informer_reconnects_total", "websites") >= 0);
    assert.ok(max("operatorkit_informer_staleness_seconds", "websites") >= 0);
    assert.ok(max("process_resident_memory_bytes") > 1_000_000);
    assert.ok(max("operatorkit_heap_used_bytes") > 0);
    assert.match(
      metrics,
      /^operatorkit_reconcile_duration_seconds_count\{controller="website-operator"\} [1-9]/m,
    );
    await t.step({
      ...needs("promtool check metrics accepts the live /metrics", PROMTOOL),
      fn: async () => {
        const check = await promtoolCheck(metrics);
        assert.ok(check.ok, `promtool check metrics failed:\n${check.out}`);
        // The checker is not vacuous: a malformed exposition fails it.
        const bad = await promtoolCheck("# TYPE broken counter\nbroken{le= 1\n");
        assert.equal(bad.ok, false, bad.out);
      },
    });

    op.kill("SIGTERM");
    const status = await op.exited();
    assert.equal(status.code, 0, op.tail());

    // Logging: every line is JSON, none carries the token.
    const records = op.records();
    assert.ok(records.length > 10, `Expected many log lines, found ${records.length}`);
    for (const r of records) {
      assert.equal(typeof r.level, "string");
      assert.equal(typeof r.message, "string");
    }
    assert.ok(
      records.some((r) => r.level === "DEBUG"),
      "Expected debug lines at --log-level debug",
    );
    for (const line of op.lines) {
      assert.ok(!line.includes(TOKEN), `the token leaked into a log line: ${line}`);
    }
    assert.ok(!(await op.stdout()).includes(TOKEN));
    assert.ok(records.some((r) => r.message.startsWith("released lease")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
