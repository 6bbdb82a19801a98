// runOperator's context: each controller built from it gets the client, the shared informers
// and its own event recorder (Events carry the controller's name as source and reporting
// component), with no wiring in the controllers factory.
import assert from "node:assert/strict";
import { ConfigMaps } from "../../client/builtins.ts";
import { Controller } from "../../controller/controller.ts";
import { TerminalError } from "../../controller/error_policy.ts";
import { OperatorRuntime } from "../../cli/run_operator.ts";
import { startApiServer } from "../../testing/api_server.ts";
import { api, eventually, TEST_FLAGS } from "./_process.ts";

Deno.test("runOperator hands each controller the client, shared informers and an event recorder", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-ctx-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await server.writeKubeconfig(kubeconfig);
    const stop = new AbortController();
    const lines: string[] = [];
    const runtime = new OperatorRuntime({
      name: "ctx-operator",
      args: [...TEST_FLAGS, "--kubeconfig", kubeconfig, "--namespace", "default"],
      env: {},
      signal: stop.signal,
      logWrite: (line) => lines.push(line),
      controllers: (ctx) => [
        new Controller(ctx, {
          name: "cms",
          type: ConfigMaps,
          labelSelector: "okt/ctx=1",
          resources: [{
            name: "refuse",
            ensureCreated: (cm) =>
              Promise.reject(new TerminalError(`refusing ${cm.metadata.name}`, { reason: "No" })),
            ensureDeleted: () => Promise.resolve(),
          }],
        }),
      ],
    });
    const done = runtime.run();
    await eventually("the controller to run", () => lines.some((l) => l.includes("running")));
    const created = await api(server, "/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: { metadata: { name: "x", labels: { "okt/ctx": "1" } } },
    });
    assert.equal(created.status, 201);
    let event: Record<string, unknown> | undefined;
    await eventually("a Warning event on the ConfigMap", async () => {
      const list = await api(server, "/api/v1/namespaces/default/events");
      event = (list.body.items as Array<Record<string, unknown>>).find((e) =>
        (e.involvedObject as { name?: string }).name === "x"
      );
      return event !== undefined;
    });
    assert.equal(event!.type, "Warning");
    assert.equal(event!.reason, "ReconcileError");
    assert.match(String(event!.message), /refusing x/);
    assert.deepEqual((event!.source as { component?: string }).component, "cms");
    assert.equal(event!.reportingComponent, "cms");
    stop.abort();
    assert.equal(await done, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
