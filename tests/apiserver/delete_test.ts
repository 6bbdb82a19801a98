// Rules 3.x: deletion, finalizers, preconditions, propagation, dry run, collections.
import assert from "node:assert/strict";
import { call, cmPath, configMap, WatchReader, withServer } from "./_helpers.ts";

Deno.test("3.1 DELETE without finalizers removes at once and answers a Success Status", async () => {
  await withServer(async (s) => {
    const c = await call(s, "POST", cmPath(), { body: configMap("a") });
    const d = await call(s, "DELETE", cmPath("default", "a"));
    assert.equal(d.status, 200);
    assert.deepEqual(d.body, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: "a", kind: "configmaps", uid: c.body.metadata.uid },
    });
    assert.equal((await call(s, "GET", cmPath("default", "a"))).status, 404);
  });
});

Deno.test("3.2/1.6 DELETE with finalizers sets deletionTimestamp, a new RV, and watchers see MODIFIED", async () => {
  await withServer(async (s) => {
    const c = await call(s, "POST", cmPath(), { body: configMap("a", { finalizers: ["x.io/f"] }) });
    const w = await WatchReader.open(
      s,
      `${cmPath()}?watch=1&resourceVersion=${c.body.metadata.resourceVersion}`,
    );
    try {
      const d = await call(s, "DELETE", cmPath("default", "a"));
      assert.equal(d.status, 200);
      assert.equal(d.body.kind, "ConfigMap");
      assert.ok(d.body.metadata.deletionTimestamp);
      assert.equal(d.body.metadata.deletionGracePeriodSeconds, 0);
      assert.notEqual(d.body.metadata.resourceVersion, c.body.metadata.resourceVersion);
      const e = await w.next();
      assert.equal(e?.type, "MODIFIED");
      assert.ok(e?.object.metadata.deletionTimestamp);
    } finally {
      await w.close();
    }
  });
});

Deno.test("3.3 DELETE again on a terminating object returns it unchanged", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a", { finalizers: ["x.io/f"] }) });
    const d1 = await call(s, "DELETE", cmPath("default", "a"));
    const d2 = await call(s, "DELETE", cmPath("default", "a"));
    assert.equal(d2.status, 200);
    assert.equal(d2.body.metadata.deletionTimestamp, d1.body.metadata.deletionTimestamp);
    assert.equal(d2.body.metadata.resourceVersion, d1.body.metadata.resourceVersion);
  });
});

Deno.test("3.4 a terminating object cannot gain finalizers", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a", { finalizers: ["x.io/f"] }) });
    const d = await call(s, "DELETE", cmPath("default", "a"));
    const upd = structuredClone(d.body);
    upd.metadata.finalizers.push("x.io/g");
    const r = await call(s, "PUT", cmPath("default", "a"), { body: upd });
    assert.equal(r.status, 422);
    assert.equal(r.body.details.causes[0].reason, "FieldValueForbidden");
    assert.equal(r.body.details.causes[0].field, "metadata.finalizers");
  });
});

Deno.test("3.5 emptying the finalizers of a terminating object deletes it; watchers get DELETED", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a", { finalizers: ["x.io/f"] }) });
    const d = await call(s, "DELETE", cmPath("default", "a"));
    const w = await WatchReader.open(
      s,
      `${cmPath()}?watch=1&resourceVersion=${d.body.metadata.resourceVersion}`,
    );
    try {
      const upd = structuredClone(d.body);
      upd.metadata.finalizers = [];
      const r = await call(s, "PUT", cmPath("default", "a"), { body: upd });
      assert.equal(r.status, 200);
      assert.equal((await call(s, "GET", cmPath("default", "a"))).status, 404);
      const e = await w.next();
      assert.equal(e?.type, "DELETED");
      assert.ok(
        Number(e?.object.metadata.resourceVersion) > Number(d.body.metadata.resourceVersion),
      );
    } finally {
      await w.close();
    }
  });
});

Deno.test("3.6 propagationPolicy Foreground/Orphan add their finalizer; an unknown value is 422", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a", { finalizers: ["x.io/hold"] }) });
    const f = await call(s, "DELETE", cmPath("default", "a"), {
      body: { propagationPolicy: "Foreground" },
    });
    assert.ok(f.body.metadata.finalizers.includes("foregroundDeletion"));
    await call(s, "POST", cmPath(), { body: configMap("b", { finalizers: ["x.io/hold"] }) });
    const o = await call(s, "DELETE", `${cmPath("default", "b")}?propagationPolicy=Orphan`);
    assert.ok(o.status === 200);
    const bad = await call(s, "DELETE", cmPath("default", "b"), {
      body: { propagationPolicy: "Sideways" },
    });
    assert.equal(bad.status, 422);
  }, { gc: false });
});

Deno.test("3.7 DELETE preconditions that do not match are 409", async () => {
  await withServer(async (s) => {
    const c = await call(s, "POST", cmPath(), { body: configMap("a") });
    const r1 = await call(s, "DELETE", cmPath("default", "a"), {
      body: { preconditions: { uid: "nope" } },
    });
    assert.equal(r1.status, 409);
    const r2 = await call(s, "DELETE", cmPath("default", "a"), {
      body: { preconditions: { resourceVersion: "1" } },
    });
    assert.equal(r2.status, 409);
    const ok = await call(s, "DELETE", cmPath("default", "a"), {
      body: {
        preconditions: {
          uid: c.body.metadata.uid,
          resourceVersion: c.body.metadata.resourceVersion,
        },
      },
    });
    assert.equal(ok.status, 200);
  });
});

Deno.test("3.8 dryRun=All persists nothing; other values are 422", async () => {
  await withServer(async (s) => {
    const c = await call(s, "POST", `${cmPath()}?dryRun=All`, { body: configMap("a") });
    assert.equal(c.status, 201);
    assert.equal((await call(s, "GET", cmPath("default", "a"))).status, 404);
    await call(s, "POST", cmPath(), { body: configMap("b") });
    const d = await call(s, "DELETE", `${cmPath("default", "b")}?dryRun=All`);
    assert.equal(d.status, 200);
    assert.equal((await call(s, "GET", cmPath("default", "b"))).status, 200);
    const bad = await call(s, "POST", `${cmPath()}?dryRun=Some`, { body: configMap("c") });
    assert.equal(bad.status, 422);
  });
});

Deno.test("3.9 DELETE on a collection with a selector returns the matched items as a List", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a", { labels: { app: "x" } }) });
    await call(s, "POST", cmPath(), { body: configMap("b", { labels: { app: "x" } }) });
    await call(s, "POST", cmPath(), { body: configMap("c", { labels: { app: "y" } }) });
    const r = await call(s, "DELETE", `${cmPath()}?labelSelector=app%3Dx`);
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, "ConfigMapList");
    assert.deepEqual(r.body.items.map((i: { metadata: { name: string } }) => i.metadata.name), [
      "a",
      "b",
    ]);
    const left = await call(s, "GET", cmPath());
    assert.deepEqual(left.body.items.map((i: { metadata: { name: string } }) => i.metadata.name), [
      "c",
    ]);
  });
});
