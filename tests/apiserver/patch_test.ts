// Rules 5.x: PATCH types, errors, server-side apply; 1.5 managedFields through apply.
import assert from "node:assert/strict";
import { call, cmPath, configMap, withServer } from "./_helpers.ts";

const MERGE = { "content-type": "application/merge-patch+json" };
const JSONP = { "content-type": "application/json-patch+json" };
const SMP = { "content-type": "application/strategic-merge-patch+json" };
const APPLY = { "content-type": "application/apply-patch+yaml" };

Deno.test("5.1 merge, JSON and strategic patches on a ConfigMap; unknown type 415", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a", { data: { x: "1", y: "2" } }) });
    const m = await call(s, "PATCH", cmPath("default", "a"), {
      raw: '{"data":{"y":null,"z":"3"}}',
      headers: MERGE,
    });
    assert.equal(m.status, 200);
    assert.deepEqual(m.body.data, { x: "1", z: "3" });
    const j = await call(s, "PATCH", cmPath("default", "a"), {
      raw: '[{"op":"replace","path":"/data/x","value":"9"}]',
      headers: JSONP,
    });
    assert.deepEqual(j.body.data, { x: "9", z: "3" });
    const sm = await call(s, "PATCH", cmPath("default", "a"), {
      raw: '{"data":{"w":"4"}}',
      headers: SMP,
    });
    assert.deepEqual(sm.body.data, { x: "9", z: "3", w: "4" });
    const bad = await call(s, "PATCH", cmPath("default", "a"), {
      raw: "{}",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(bad.status, 415);
  });
});

Deno.test("5.1 strategic merge merges lists keyed by name on built-in types", async () => {
  await withServer(async (s) => {
    const path = "/apis/apps/v1/namespaces/default/deployments";
    await call(s, "POST", path, {
      body: {
        metadata: { name: "d" },
        spec: {
          selector: { matchLabels: { app: "d" } },
          template: {
            metadata: { labels: { app: "d" } },
            spec: { containers: [{ name: "a", image: "a:1" }, { name: "b", image: "b:1" }] },
          },
        },
      },
    });
    const patch = { spec: { template: { spec: { containers: [{ name: "b", image: "b:2" }] } } } };
    const r = await call(s, "PATCH", `${path}/d`, { raw: JSON.stringify(patch), headers: SMP });
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.spec.template.spec.containers.map((c: { name: string; image: string }) => [
        c.name,
        c.image,
      ]),
      [["a", "a:1"], ["b", "b:2"]],
    );
  });
});

Deno.test("5.2 a non-apply patch on a missing object is 404", async () => {
  await withServer(async (s) => {
    const r = await call(s, "PATCH", cmPath("default", "nope"), { raw: "{}", headers: MERGE });
    assert.equal(r.status, 404);
  });
});

Deno.test("5.3 undecodable patch 400; failing JSON-patch test 422; a stale RV in the patch 409", async () => {
  await withServer(async (s) => {
    const c = await call(s, "POST", cmPath(), { body: configMap("a") });
    assert.equal(
      (await call(s, "PATCH", cmPath("default", "a"), { raw: "{nope", headers: MERGE })).status,
      400,
    );
    const t = await call(s, "PATCH", cmPath("default", "a"), {
      raw: '[{"op":"test","path":"/data/a","value":"other"},{"op":"remove","path":"/data/a"}]',
      headers: JSONP,
    });
    assert.equal(t.status, 422);
    await call(s, "PATCH", cmPath("default", "a"), { raw: '{"data":{"b":"2"}}', headers: MERGE });
    const stale = await call(s, "PATCH", cmPath("default", "a"), {
      raw: JSON.stringify({
        metadata: { resourceVersion: c.body.metadata.resourceVersion },
        data: { c: "3" },
      }),
      headers: MERGE,
    });
    assert.equal(stale.status, 409);
  });
});

Deno.test("5.4 apply needs fieldManager; force only on apply", async () => {
  await withServer(async (s) => {
    const noMgr = await call(s, "PATCH", cmPath("default", "a"), {
      raw: JSON.stringify(configMap("a")),
      headers: APPLY,
    });
    assert.equal(noMgr.status, 422);
    await call(s, "POST", cmPath(), { body: configMap("b") });
    const force = await call(s, "PATCH", `${cmPath("default", "b")}?force=true`, {
      raw: "{}",
      headers: MERGE,
    });
    assert.equal(force.status, 422);
  });
});

Deno.test("5.5 apply to a missing object creates it (201) with an Apply managedFields entry", async () => {
  await withServer(async (s) => {
    const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";
    const r = await call(s, "PATCH", `${cmPath("default", "a")}?fieldManager=me`, {
      raw: yaml,
      headers: APPLY,
    });
    assert.equal(r.status, 201);
    assert.deepEqual(r.body.data, { k: "v" });
    const entry = r.body.metadata.managedFields.find((e: { manager: string }) =>
      e.manager === "me"
    );
    assert.equal(entry.operation, "Apply");
    assert.ok(entry.fieldsV1["f:data"]["f:k"]);
  });
});

Deno.test("5.6 apply conflicts are 409 with FieldManagerConflict causes; force takes over; dropped fields go", async () => {
  await withServer(async (s) => {
    const path = cmPath("default", "a");
    const a = (data: Record<string, string>) =>
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data });
    assert.equal(
      (await call(s, "PATCH", `${path}?fieldManager=one`, {
        raw: a({ x: "1", y: "1" }),
        headers: APPLY,
      })).status,
      201,
    );
    const c = await call(s, "PATCH", `${path}?fieldManager=two`, {
      raw: a({ x: "2" }),
      headers: APPLY,
    });
    assert.equal(c.status, 409);
    assert.equal(c.body.reason, "Conflict");
    assert.equal(c.body.details.causes[0].reason, "FieldManagerConflict");
    assert.equal(c.body.details.causes[0].field, ".data.x");
    assert.match(c.body.details.causes[0].message, /conflict with "one"/);
    const f = await call(s, "PATCH", `${path}?fieldManager=two&force=true`, {
      raw: a({ x: "2" }),
      headers: APPLY,
    });
    assert.equal(f.status, 200);
    assert.equal(f.body.data.x, "2");
    const dropped = await call(s, "PATCH", `${path}?fieldManager=one`, {
      raw: a({}),
      headers: APPLY,
    });
    assert.equal(dropped.status, 200);
    assert.deepEqual(dropped.body.data, { x: "2" }, "y dropped by its only owner; x owned by two");
    const upd = await call(s, "PATCH", path, { raw: '{"data":{"x":"3"}}', headers: MERGE });
    assert.equal(upd.status, 200, "updates never conflict");
  });
});
