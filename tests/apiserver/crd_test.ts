// Rules 9.x (CRDs), 4.x (status and scale subresources), 1.4/2.9/5.1 for custom resources.
import assert from "node:assert/strict";
import type { ApiServer } from "../../testing/api_server.ts";
import { call, WatchReader, withServer } from "./_helpers.ts";

const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const WIDGETS = "/apis/example.com/v1/namespaces/default/widgets";

function widgetCrd(scope = "Namespaced"): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope,
      names: { plural: "widgets", singular: "widget", kind: "Widget", shortNames: ["wd"] },
      versions: [{
        name: "v1",
        served: true,
        storage: true,
        subresources: {
          status: {},
          scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
        },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["size"],
                properties: {
                  size: { type: "integer", minimum: 1, maximum: 10 },
                  color: { type: "string", enum: ["red", "blue"], default: "blue" },
                  replicas: { type: "integer" },
                },
              },
              status: {
                type: "object",
                properties: { ready: { type: "boolean" }, replicas: { type: "integer" } },
              },
            },
          },
        },
      }],
    },
  };
}

function widget(
  name: string,
  spec: Record<string, unknown> = { size: 1 },
): Record<string, unknown> {
  return { apiVersion: "example.com/v1", kind: "Widget", metadata: { name }, spec };
}

async function withWidgets(fn: (s: ApiServer) => Promise<void>): Promise<void> {
  await withServer(async (s) => {
    const r = await call(s, "POST", CRDS, { body: widgetCrd() });
    assert.equal(r.status, 201, r.text);
    await fn(s);
  });
}

Deno.test("9.1 an invalid CRD is 422 (name must be <plural>.<group>)", async () => {
  await withServer(async (s) => {
    const crd = widgetCrd();
    (crd.metadata as Record<string, unknown>).name = "wrong.example.com";
    const r = await call(s, "POST", CRDS, { body: crd });
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, "Invalid");
  });
});

Deno.test("9.2 a CRD gets NamesAccepted and Established and acceptedNames; 404 before", async () => {
  await withServer(async (s) => {
    assert.equal((await call(s, "GET", WIDGETS)).status, 404);
    const created = await call(s, "POST", CRDS, { body: widgetCrd() });
    assert.equal(
      created.body.status.conditions,
      null,
      "the names controller runs after the create",
    );
    const r = await call(s, "GET", `${CRDS}/widgets.example.com`);
    const conds = Object.fromEntries(
      r.body.status.conditions.map((c: { type: string }) => [c.type, c]),
    );
    assert.equal(conds.NamesAccepted.status, "True");
    assert.equal(conds.NamesAccepted.reason, "NoConflicts");
    assert.equal(conds.Established.status, "True");
    assert.equal(conds.Established.reason, "InitialNamesAccepted");
    assert.equal(r.body.status.acceptedNames.kind, "Widget");
    assert.equal((await call(s, "GET", WIDGETS)).status, 200);
  });
});

Deno.test("9.3 the endpoint serves; unserved version 404; deleting the CRD removes endpoint and objects", async () => {
  await withWidgets(async (s) => {
    const c = await call(s, "POST", WIDGETS, { body: widget("w") });
    assert.equal(c.status, 201);
    assert.equal(
      (await call(s, "GET", "/apis/example.com/v2/namespaces/default/widgets")).status,
      404,
    );
    const w = await WatchReader.open(
      s,
      `${WIDGETS}?watch=1&resourceVersion=${c.body.metadata.resourceVersion}`,
    );
    try {
      assert.equal((await call(s, "DELETE", `${CRDS}/widgets.example.com`)).status, 200);
      const e = await w.next();
      assert.equal(e?.type, "DELETED");
      assert.equal(e?.object.metadata.name, "w");
      assert.equal((await call(s, "GET", WIDGETS)).status, 404);
      const again = await call(s, "POST", CRDS, { body: widgetCrd() });
      assert.equal(again.status, 201);
      assert.deepEqual((await call(s, "GET", WIDGETS)).body.items, [], "objects are gone");
    } finally {
      await w.close();
    }
  });
});

Deno.test("9.3 a cluster-scoped CRD serves at the cluster path", async () => {
  await withServer(async (s) => {
    await call(s, "POST", CRDS, { body: widgetCrd("Cluster") });
    const r = await call(s, "POST", "/apis/example.com/v1/widgets", { body: widget("c") });
    assert.equal(r.status, 201);
    assert.equal(r.body.metadata.namespace, undefined);
    assert.equal((await call(s, "GET", WIDGETS)).status, 404);
  });
});

Deno.test("9.4 schema violations are 422 with one cause per field", async () => {
  await withWidgets(async (s) => {
    const r = await call(s, "POST", WIDGETS, { body: widget("w", { size: 11, color: "green" }) });
    assert.equal(r.status, 422);
    const fields = r.body.details.causes.map((c: { field: string }) => c.field).sort();
    assert.deepEqual(fields, ["spec.color", "spec.size"]);
    assert.ok(
      r.body.details.causes.some((c: { message: string }) =>
        /less than or equal to 10/.test(c.message)
      ),
    );
    const missing = await call(s, "POST", WIDGETS, { body: widget("w", {}) });
    assert.equal(missing.status, 422);
  });
});

Deno.test("9.5 unknown fields are pruned (Warn header); fieldValidation=Strict makes them 400", async () => {
  await withWidgets(async (s) => {
    const r = await call(s, "POST", WIDGETS, { body: widget("w", { size: 1, foo: 1 }) });
    assert.equal(r.status, 201);
    assert.equal(r.body.spec.foo, undefined);
    assert.match(r.headers.get("warning") ?? "", /unknown field \\"spec.foo\\"/);
    const strict = await call(s, "POST", `${WIDGETS}?fieldValidation=Strict`, {
      body: widget("x", { size: 1, foo: 1 }),
    });
    assert.equal(strict.status, 400);
    assert.match(strict.body.message, /strict decoding error: unknown field "spec.foo"/);
  });
});

Deno.test("9.6 schema defaults are applied", async () => {
  await withWidgets(async (s) => {
    const r = await call(s, "POST", WIDGETS, { body: widget("w") });
    assert.equal(r.body.spec.color, "blue");
  });
});

Deno.test("1.4 CR generation: 1 on create, +1 on spec change, not on metadata or status", async () => {
  await withWidgets(async (s) => {
    const c = await call(s, "POST", WIDGETS, { body: widget("w") });
    assert.equal(c.body.metadata.generation, 1);
    const l = await call(s, "PUT", `${WIDGETS}/w`, {
      body: { ...c.body, metadata: { ...c.body.metadata, labels: { a: "b" } } },
    });
    assert.equal(l.body.metadata.generation, 1);
    const st = await call(s, "PUT", `${WIDGETS}/w/status`, {
      body: { ...l.body, status: { ready: true } },
    });
    assert.equal(st.body.metadata.generation, 1);
    const sp = await call(s, "PUT", `${WIDGETS}/w`, { body: { ...st.body, spec: { size: 2 } } });
    assert.equal(sp.body.metadata.generation, 2);
  });
});

Deno.test("2.9 PUT of a custom resource without resourceVersion is 422", async () => {
  await withWidgets(async (s) => {
    await call(s, "POST", WIDGETS, { body: widget("w") });
    const r = await call(s, "PUT", `${WIDGETS}/w`, { body: widget("w", { size: 2 }) });
    assert.equal(r.status, 422);
    assert.match(r.body.message, /must be specified for an update/);
  });
});

Deno.test("5.1 strategic merge patch on a custom resource is 415", async () => {
  await withWidgets(async (s) => {
    await call(s, "POST", WIDGETS, { body: widget("w") });
    const r = await call(s, "PATCH", `${WIDGETS}/w`, {
      raw: '{"spec":{"size":2}}',
      headers: { "content-type": "application/strategic-merge-patch+json" },
    });
    assert.equal(r.status, 415);
    assert.equal(r.body.reason, "UnsupportedMediaType");
  });
});

Deno.test("4.1 /status keeps only .status; the main endpoint drops status on create and keeps it on update", async () => {
  await withWidgets(async (s) => {
    const c = await call(s, "POST", WIDGETS, { body: { ...widget("w"), status: { ready: true } } });
    assert.equal(c.body.status, undefined);
    const st = await call(s, "PUT", `${WIDGETS}/w/status`, {
      body: {
        ...c.body,
        metadata: { ...c.body.metadata, labels: { x: "y" } },
        spec: { size: 5 },
        status: { ready: true },
      },
    });
    assert.equal(st.status, 200);
    assert.deepEqual(st.body.status, { ready: true });
    assert.equal(st.body.spec.size, 1);
    assert.equal(st.body.metadata.labels, undefined);
    const stale = await call(s, "PUT", `${WIDGETS}/w/status`, {
      body: { ...c.body, status: { ready: false } },
    });
    assert.equal(stale.status, 409);
    const main = await call(s, "PUT", `${WIDGETS}/w`, {
      body: { ...st.body, status: { ready: false } },
    });
    assert.deepEqual(main.body.status, { ready: true });
    const patched = await call(s, "PATCH", `${WIDGETS}/w/status`, {
      raw: '{"status":{"ready":false}}',
      headers: { "content-type": "application/merge-patch+json" },
    });
    assert.deepEqual(patched.body.status, { ready: false });
  });
});

Deno.test("4.1 /status does not exist without the status subresource", async () => {
  await withServer(async (s) => {
    const crd = widgetCrd();
    const v = (crd.spec as { versions: Array<Record<string, unknown>> }).versions[0];
    delete v.subresources;
    await call(s, "POST", CRDS, { body: crd });
    await call(s, "POST", WIDGETS, { body: widget("w") });
    assert.equal((await call(s, "GET", `${WIDGETS}/w/status`)).status, 404);
  });
});

Deno.test("4.2 /scale maps the replicas paths into an autoscaling/v1 Scale", async () => {
  await withWidgets(async (s) => {
    await call(s, "POST", WIDGETS, { body: widget("w", { size: 1, replicas: 2 }) });
    const g = await call(s, "GET", `${WIDGETS}/w/scale`);
    assert.equal(g.body.kind, "Scale");
    assert.equal(g.body.apiVersion, "autoscaling/v1");
    assert.equal(g.body.spec.replicas, 2);
    const p = await call(s, "PATCH", `${WIDGETS}/w/scale`, {
      raw: '{"spec":{"replicas":4}}',
      headers: { "content-type": "application/merge-patch+json" },
    });
    assert.equal(p.status, 200);
    assert.equal(p.body.spec.replicas, 4);
    assert.equal((await call(s, "GET", `${WIDGETS}/w`)).body.spec.replicas, 4);
  });
});

Deno.test("8.1 discovery lists the CRD's group, resource and subresources", async () => {
  await withWidgets(async (s) => {
    const groups = await call(s, "GET", "/apis");
    assert.ok(groups.body.groups.some((g: { name: string }) => g.name === "example.com"));
    const rl = await call(s, "GET", "/apis/example.com/v1");
    const names = rl.body.resources.map((r: { name: string }) => r.name);
    assert.deepEqual(names, ["widgets", "widgets/status", "widgets/scale"]);
    assert.deepEqual(rl.body.resources[0].shortNames, ["wd"]);
  });
});

Deno.test("9.3 a deleted CRD waits for its objects' finalizers; new objects are refused meanwhile", async () => {
  await withWidgets(async (s) => {
    await call(s, "POST", WIDGETS, {
      body: { ...widget("held"), metadata: { name: "held", finalizers: ["example.com/hold"] } },
    });
    const d = await call(s, "DELETE", `${CRDS}/widgets.example.com`);
    assert.equal(d.status, 200);
    assert.ok(d.body.metadata.finalizers.includes("customresourcecleanup.apiextensions.k8s.io"));
    await new Promise((r) => setTimeout(r, 20));
    const held = await call(s, "GET", `${WIDGETS}/held`);
    assert.ok(held.body.metadata.deletionTimestamp, "the object is being deleted");
    assert.equal(
      (await call(s, "GET", `${CRDS}/widgets.example.com`)).status,
      200,
      "the CRD waits",
    );
    const refused = await call(s, "POST", WIDGETS, { body: widget("late") });
    assert.equal(refused.status, 405);
    await call(s, "PATCH", `${WIDGETS}/held`, {
      raw: '{"metadata":{"finalizers":null}}',
      headers: { "content-type": "application/merge-patch+json" },
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await call(s, "GET", `${CRDS}/widgets.example.com`)).status, 404);
    assert.equal((await call(s, "GET", WIDGETS)).status, 404);
  });
});

Deno.test("0.5 a removed CRD's path answers plain-text 404 while its group still serves another CRD", async () => {
  await withWidgets(async (s) => {
    const gizmos = widgetCrd();
    (gizmos.metadata as Record<string, unknown>).name = "gizmos.example.com";
    const spec = gizmos.spec as { names: Record<string, unknown> };
    spec.names = { plural: "gizmos", singular: "gizmo", kind: "Gizmo" };
    assert.equal((await call(s, "POST", CRDS, { body: gizmos })).status, 201);
    await call(s, "DELETE", `${CRDS}/gizmos.example.com`);
    await new Promise((r) => setTimeout(r, 20));
    const r = await call(s, "GET", "/apis/example.com/v1/namespaces/default/gizmos/g1");
    assert.equal(r.status, 404);
    assert.equal(r.text, "404 page not found\n");
    assert.equal((await call(s, "GET", WIDGETS)).status, 200);
  });
});
