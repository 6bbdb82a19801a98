// Traces from the Website operator as a subprocess with Deno's built-in OpenTelemetry
// (OTEL_DENO=true) exporting OTLP/HTTP JSON to a receiver this test starts on 127.0.0.1: one
// Website created, updated and deleted gives a reconcile span each (and a change to its owned
// ConfigMap one naming that object as the trigger), with a child span per
// Resource operation (in order, reversed on deletion) and client request spans below them
// (verb, resource, status code); the JSON log line of a reconcile carries its trace id.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import { OtlpReceiver, type ReceivedSpan } from "./_otlp.ts";
import {
  api,
  createWebsite,
  eventually,
  httpGet,
  OperatorProcess,
  tempKubeconfig,
  TEST_FLAGS,
} from "./_process.ts";

const SITE = "/apis/demo.operatorkit.io/v1alpha1/namespaces/default/websites/blog";
const CM = "/api/v1/namespaces/default/configmaps/blog-html";

Deno.test("website operator with OTEL_DENO=true: a span per reconcile, per Resource and per request, trace ids in the logs", async () => {
  await using otlp = new OtlpReceiver();
  await using server = await startApiServer();
  await using kubeconfig = await tempKubeconfig(server, "okt-otel-");
  await using op = new OperatorProcess("examples/website/main.ts", [
    ...TEST_FLAGS,
    "--kubeconfig",
    kubeconfig.path,
    "--namespace",
    "default",
    "--log-level",
    "debug",
  ], otlp.env("website-operator"));
  const url = await op.probeUrl();
  await eventually("/readyz 200", async () => (await httpGet(`${url}/readyz`)).status === 200);

  const reconciles = () =>
    otlp.spans.filter((s) =>
      s.scope === "operatorkit" && s.name === "reconcile website-operator" &&
      s.attributes["operatorkit.key"] === "default/blog"
    );
  const find = (what: string, pred: (s: ReceivedSpan) => boolean) => {
    const s = reconciles().find(pred);
    assert.ok(
      s,
      `Expected a reconcile span: ${what}; got ${
        JSON.stringify(reconciles().map((r) => r.attributes))
      }`,
    );
    return s;
  };
  const names = (s: ReceivedSpan) => otlp.children(s).map((c) => c.name);

  // Create.
  await createWebsite(server, "blog", { html: "<h1>v1</h1>" });
  await eventually(
    "the create reconcile's span",
    () => reconciles().some((s) => String(s.attributes["operatorkit.acted"]).includes("status")),
    30_000,
  );
  const created = find("create", (s) => s.attributes["operatorkit.trigger.event"] === "add");
  assert.equal(created.attributes["operatorkit.trigger"], "event");
  assert.equal(typeof created.attributes["operatorkit.trigger.resource_version"], "string");
  assert.equal(created.attributes["operatorkit.object.generation"], 1);
  assert.equal(created.attributes["operatorkit.attempt"], 1);
  assert.equal(created.attributes["operatorkit.outcome"], "created");
  assert.equal(created.attributes["operatorkit.controller"], "website-operator");
  assert.ok(Number(created.attributes["operatorkit.queue.wait_ms"]) >= 0);
  assert.equal(created.parentSpanId, "", "a reconcile span is a root span");
  assert.deepEqual(names(created), [
    "patch websites.demo.operatorkit.io", // the finalizer, before any child exists
    "configmap ensureCreated",
    "deployment ensureCreated",
    "service ensureCreated",
    "status ensureCreated",
  ]);
  const finalizerPatch = otlp.children(created)[0];
  assert.equal(finalizerPatch.kind, 3, "client span");
  assert.equal(finalizerPatch.attributes["operatorkit.k8s.verb"], "patch");
  assert.equal(finalizerPatch.attributes["http.response.status_code"], 200);
  const cmCreate = otlp.children(created)[1];
  assert.equal(cmCreate.attributes["operatorkit.resource"], "configmap");
  assert.equal(cmCreate.attributes["operatorkit.operation"], "ensureCreated");
  const cmRequests = otlp.children(cmCreate).filter((s) => s.scope === "operatorkit");
  assert.deepEqual(cmRequests.map((s) => s.name), ["get configmaps", "create configmaps"]);
  assert.equal(cmRequests[0].attributes["http.response.status_code"], 404);
  assert.equal(cmRequests[1].attributes["http.response.status_code"], 201);
  assert.equal(cmRequests[1].attributes["http.request.resend_count"], 0);
  assert.equal(cmRequests[1].attributes["k8s.namespace.name"], "default");
  const statusPatch = otlp.children(otlp.children(created)[4])
    .filter((s) => s.scope === "operatorkit").map((s) => s.name);
  // The status resource reads the three children, then patches the status subresource.
  assert.equal(statusPatch.at(-1), "patch websites.demo.operatorkit.io");
  assert.equal(
    otlp.children(otlp.children(created)[4]).at(-1)?.attributes["operatorkit.k8s.subresource"],
    "status",
  );

  // The reconcile's info line carries its trace and span ids.
  const line = await op.waitForLog(
    "the create reconcile's info line",
    (r) => r.properties.traceId === created.traceId && r.message.startsWith("reconciled"),
  );
  assert.equal(line.level, "INFO");
  assert.equal(line.properties.spanId, created.spanId);
  assert.deepEqual(
    (line.properties.acted as string[]).sort(),
    ["configmap", "deployment", "finalizer", "service", "status"],
  );
  // Client lines inside the reconcile (debug) carry the trace id too, with their own span.
  assert.ok(
    op.records().every((r) =>
      r.properties.traceId === undefined || /^[0-9a-f]{32}$/.test(String(r.properties.traceId))
    ),
  );

  // A change to an owned object: the reconcile says which one, and what it saw. (An event
  // arriving while the key already waits is coalesced into the first trigger, so the label is
  // touched again until a reconcile reports this very change.)
  let touchedRv = "";
  const byTouch = (s: ReceivedSpan) =>
    s.attributes["operatorkit.trigger"] === "mapped" &&
    s.attributes["operatorkit.trigger.resource_version"] === touchedRv;
  await eventually("a reconcile span triggered by the owned ConfigMap's update", async () => {
    if (reconciles().some(byTouch)) return true;
    const touched = await api(server, CM, {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { metadata: { labels: { touched: String(Date.now()) } } },
    });
    assert.equal(touched.status, 200);
    touchedRv = (touched.body.metadata as { resourceVersion: string }).resourceVersion;
    await eventually("the span", () => reconciles().some(byTouch), 3_000).catch(() => {});
    return reconciles().some(byTouch);
  }, 30_000);
  const mapped = find("mapped", byTouch);
  assert.equal(mapped.attributes["operatorkit.trigger.via"], "owns");
  assert.equal(mapped.attributes["operatorkit.trigger.kind"], "ConfigMap");
  assert.equal(mapped.attributes["operatorkit.trigger.object"], "default/blog-html");
  assert.equal(mapped.attributes["operatorkit.trigger.event"], "update");

  // Update: generation 2 replaces the ConfigMap. Its first GET of the ConfigMap answers 500
  // once: the transport retries it, and the span counts the retry.
  server.faults.failNext(1, { status: 500, verb: "get", resource: "configmaps" });
  const patched = await api(server, SITE, {
    method: "PATCH",
    contentType: "application/merge-patch+json",
    body: { spec: { html: "<h1>v2</h1>" } },
  });
  assert.equal(patched.status, 200);
  await eventually(
    "the update reconcile's span",
    () =>
      reconciles().some((s) =>
        s.attributes["operatorkit.object.generation"] === 2 &&
        String(s.attributes["operatorkit.acted"]).includes("configmap")
      ),
    30_000,
  );
  const updated = find("update", (s) =>
    s.attributes["operatorkit.object.generation"] === 2 &&
    String(s.attributes["operatorkit.acted"]).includes("configmap"));
  assert.equal(updated.attributes["operatorkit.trigger"], "event");
  assert.equal(updated.attributes["operatorkit.trigger.event"], "update");
  assert.equal(
    updated.attributes["operatorkit.trigger.resource_version"],
    (patched.body.metadata as { resourceVersion: string }).resourceVersion,
  );
  assert.notEqual(updated.traceId, created.traceId);
  assert.deepEqual(names(updated), [
    "configmap ensureCreated",
    "deployment ensureCreated",
    "service ensureCreated",
    "status ensureCreated",
  ]);
  assert.deepEqual(
    otlp.children(otlp.children(updated)[0]).filter((s) => s.scope === "operatorkit")
      .map((s) => `${s.name} ${s.attributes["http.response.status_code"]}`),
    ["get configmaps 200", "update configmaps 200"],
  );
  const retried = otlp.children(otlp.children(updated)[0])[0];
  assert.equal(retried.attributes["http.request.resend_count"], 1);
  assert.equal((await api(server, CM)).status, 200);

  // Delete: ensureDeleted in reverse order, then the finalizer patch.
  const deleted = await api(server, SITE, { method: "DELETE" });
  assert.equal(deleted.status, 200);
  await eventually(
    "the delete reconcile's span",
    () => reconciles().some((s) => s.attributes["operatorkit.outcome"] === "deleted"),
    30_000,
  );
  const gone = find("delete", (s) => s.attributes["operatorkit.outcome"] === "deleted");
  assert.deepEqual(names(gone), [
    "status ensureDeleted",
    "service ensureDeleted",
    "deployment ensureDeleted",
    "configmap ensureDeleted",
    "patch websites.demo.operatorkit.io",
  ]);
  assert.deepEqual(
    otlp.children(otlp.children(gone)[3]).filter((s) => s.scope === "operatorkit")
      .map((s) => `${s.name} ${s.attributes["http.response.status_code"]}`),
    ["get configmaps 200", "delete configmaps 200"],
  );
  assert.equal(gone.status.code, 0);
  await eventually(
    "the Website to be gone",
    async () => (await api(server, SITE)).status === 404,
  );

  op.kill("SIGTERM");
  assert.equal((await op.exited()).code, 0);
});
