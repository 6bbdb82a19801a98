// The client adapters against the embedded API server through KubeClient.
import assert from "node:assert/strict";
import { z } from "zod";
import { ConfigMaps } from "../client/builtins.ts";
import { defineCustomResource, ensureCustomResourceDefinition } from "../client/custom_resource.ts";
import { KubeClient } from "../client/kube_client.ts";
import { startApiServer } from "../testing/api_server.ts";
import type { Event } from "../client/builtin_types.ts";
import { Events } from "../client/builtins.ts";
import { eventSink, primaryApi, writeStatus } from "./kube.ts";

Deno.test("primaryApi reads (404 = undefined) and sends guarded JSON patches by namespace/name", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig }, { retries: 0 });
  const cms = client.resource(ConfigMaps);
  const created = await cms.create({ metadata: { name: "a", namespace: "default" } });
  const api = primaryApi(cms);
  assert.equal((await api.get(created))?.metadata.uid, created.metadata.uid);
  const patched = await api.jsonPatch(created, {
    operations: [
      { op: "test", path: "/metadata/resourceVersion", value: created.metadata.resourceVersion },
      { op: "add", path: "/metadata/finalizers", value: ["x.io/y"] },
    ],
  });
  assert.deepEqual(patched.metadata.finalizers, ["x.io/y"]);
  // A failed test is a 422 from the server.
  await assert.rejects(
    api.jsonPatch(created, {
      operations: [{ op: "test", path: "/metadata/finalizers/0", value: "other" }],
    }),
    (err: { code?: number }) => err.code === 422,
  );
  assert.equal(await api.get({ metadata: { name: "missing", namespace: "default" } }), undefined);
  // Errors other than 404 propagate.
  server.faults.failNext(1, { status: 500, verb: "get" });
  await assert.rejects(api.get(created), (err: { code?: number }) => err.code === 500);
});

Deno.test("eventSink creates Events and merge-patches repeats", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  const events = client.resource(Events);
  const sink = eventSink(events);
  const at = "2026-01-01T00:00:00Z";
  await sink.create("default", {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "e1", namespace: "default" },
    involvedObject: { apiVersion: "v1", kind: "ConfigMap", name: "a", namespace: "default" },
    reason: "R",
    message: "m",
    type: "Normal",
    count: 1,
    firstTimestamp: at,
    lastTimestamp: at,
  } as Event);
  await sink.patch("default", "e1", { count: 2, lastTimestamp: "2026-01-01T00:00:05Z" });
  const e = await events.get("e1", { namespace: "default" });
  assert.equal(e.count, 2);
  assert.equal(e.lastTimestamp, "2026-01-01T00:00:05Z");
  assert.equal(e.reason, "R");
});

const Counter = defineCustomResource({
  group: "kubetest.operatorkit.io",
  version: "v1",
  kind: "Counter",
  scope: "Namespaced",
  spec: z.object({ n: z.int() }),
  status: z.object({ seen: z.int().optional() }),
});

Deno.test("writeStatus writes through the status subresource only when it changed", async () => {
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  await ensureCustomResourceDefinition(client, Counter);
  const counters = client.resource(Counter);
  const c = await counters.create({
    metadata: { name: "a", namespace: "default" },
    spec: { n: 1 },
  });
  assert.equal(await writeStatus(counters, c, { status: { seen: 1 } }), true);
  const after = await counters.get("a", { namespace: "default" });
  assert.deepEqual(after.status, { seen: 1 });
  assert.equal(after.metadata.generation, 1, "a status write does not bump the generation");
  assert.equal(await writeStatus(counters, after, { status: { seen: 1 } }), false);
  const same = await counters.get("a", { namespace: "default" });
  assert.equal(same.metadata.resourceVersion, after.metadata.resourceVersion, "no write");
});
