// "Write your first operator": runs exactly examples/first_operator.ts (the README's code) as
// a subprocess against the embedded API server, checks its visible effect (a ConfigMap per
// Greeting, removed with the Greeting), a clean SIGTERM exit, and the 50-line budget.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import {
  api,
  eventually,
  httpGet,
  metricValue,
  OperatorProcess,
  ROOT,
  TEST_FLAGS,
} from "./_process.ts";

const FILE = "examples/first_operator.ts";
const GREETINGS = "/apis/example.operatorkit.io/v1/namespaces/default/greetings";

Deno.test("first operator: under 50 lines of user code (non-blank, non-comment)", async () => {
  const text = await Deno.readTextFile(`${ROOT}${FILE}`);
  const code = text.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("//"));
  assert.ok(!text.includes("/*"), "Expected only // comments, so the count below is exact");
  assert.ok(code.length < 50, `Expected under 50 lines of code, found ${code.length}`);
  // It imports the package's own modules only (the README maps them to JSR specifiers).
  const imports = [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(
    imports.filter((i) =>
      !["zod", "../client/mod.ts", "../controller/mod.ts", "../cli/mod.ts"].includes(i)
    ),
    [],
  );
});

Deno.test("first operator: a Greeting gets its ConfigMap, deleting it removes the ConfigMap, SIGTERM exits 0", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-first-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await server.writeKubeconfig(kubeconfig);
    await using op = new OperatorProcess(FILE, [...TEST_FLAGS, "--kubeconfig", kubeconfig]);
    await op.probeUrl();

    let created = 0;
    await eventually("the Greeting CRD to be served", async () => {
      const r = await api(server, GREETINGS, {
        method: "POST",
        body: {
          apiVersion: "example.operatorkit.io/v1",
          kind: "Greeting",
          metadata: { name: "hello" },
          spec: { message: "Hello, operator!" },
        },
      });
      created = r.status;
      return r.status === 201;
    });
    assert.equal(created, 201);

    const cm = "/api/v1/namespaces/default/configmaps/hello-greeting";
    let data: unknown;
    await eventually("the ConfigMap hello-greeting", async () => {
      const r = await api(server, cm);
      data = r.body.data;
      return r.status === 200;
    });
    assert.deepEqual(data, { message: "Hello, operator!" });

    // Changing the message updates the ConfigMap.
    const patched = await api(server, `${GREETINGS}/hello`, {
      method: "PATCH",
      body: { spec: { message: "Hello again" } },
      contentType: "application/merge-patch+json",
    });
    assert.equal(patched.status, 200);
    await eventually("the ConfigMap to carry the new message", async () => {
      const r = await api(server, cm);
      return (r.body.data as Record<string, string> | undefined)?.message === "Hello again";
    });

    // Deleting the Greeting runs ensureDeleted (the finalizer holds it until then).
    const del = await api(server, `${GREETINGS}/hello`, { method: "DELETE" });
    assert.equal(del.status, 200);
    await eventually("the ConfigMap and the Greeting to be gone", async () => {
      return (await api(server, cm)).status === 404 &&
        (await api(server, `${GREETINGS}/hello`)).status === 404;
    });

    op.kill("SIGTERM");
    const status = await op.exited();
    assert.equal(status.code, 0, op.tail());
    assert.ok(
      op.records().some((r) => r.message.startsWith('operator "greeting-operator" stopped')),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("first operator, unchanged: --namespace team-a, --concurrency and --resync-period take effect without user wiring", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-first-ns-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await server.writeKubeconfig(kubeconfig);
    for (const name of ["team-a", "team-b"]) {
      const r = await api(server, "/api/v1/namespaces", {
        method: "POST",
        body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
      });
      assert.equal(r.status, 201);
    }
    await using op = new OperatorProcess(FILE, [
      ...TEST_FLAGS,
      "--kubeconfig",
      kubeconfig,
      "--namespace",
      "team-a",
      "--concurrency",
      "3",
      "--resync-period",
      "1s",
    ]);
    const url = await op.probeUrl();
    const greetings = (ns: string) => `/apis/example.operatorkit.io/v1/namespaces/${ns}/greetings`;
    const greeting = (ns: string) => ({
      apiVersion: "example.operatorkit.io/v1",
      kind: "Greeting",
      metadata: { name: "hello", namespace: ns },
      spec: { message: `Hello, ${ns}!` },
    });
    // team-b first: were it watched, it would be reconciled no later than team-a's.
    await eventually("the Greeting CRD to be served", async () => {
      return (await api(server, greetings("team-b"), {
        method: "POST",
        body: greeting("team-b"),
      })).status === 201;
    });
    assert.equal(
      (await api(server, greetings("team-a"), { method: "POST", body: greeting("team-a") }))
        .status,
      201,
    );
    await eventually("team-a's ConfigMap", async () => {
      return (await api(server, "/api/v1/namespaces/team-a/configmaps/hello-greeting")).status ===
        200;
    });
    // The controller started with the flag's concurrency.
    const started = await op.waitForLog(
      "the controller's start",
      (r) => r.message.startsWith('controller "greeting" started'),
    );
    assert.equal(started.properties.concurrency, 3);
    // Resyncs every second reconcile team-a's Greeting again with nothing changed.
    const reconciles = async () =>
      metricValue(
        (await httpGet(`${url}/metrics`)).text,
        'operatorkit_reconcile_total{controller="greeting"}',
      ) ?? 0;
    const before = await reconciles();
    await eventually("two resync reconciles", async () => (await reconciles()) >= before + 2);
    // team-b was never touched: no ConfigMap, no finalizer; and no informer covers it.
    assert.equal(
      (await api(server, "/api/v1/namespaces/team-b/configmaps/hello-greeting")).status,
      404,
    );
    const b = await api(server, `${greetings("team-b")}/hello`);
    assert.equal(
      b.body.metadata && (b.body.metadata as { finalizers?: string[] }).finalizers,
      undefined,
    );
    const metrics = (await httpGet(`${url}/metrics`)).text;
    const informers = metrics.split("\n").filter((l) =>
      l.startsWith("operatorkit_informer_synced{")
    );
    assert.ok(informers.length >= 2, metrics);
    for (const line of informers) assert.match(line, /namespace="team-a"/);

    op.kill("SIGTERM");
    assert.equal((await op.exited()).code, 0, op.tail());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
