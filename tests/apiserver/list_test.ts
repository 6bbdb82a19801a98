// Rules 6.x: LIST shape, resourceVersion semantics, paging, label and field selectors.
import assert from "node:assert/strict";
import { call, cmPath, configMap, withServer } from "./_helpers.ts";

const names = (r: { body: { items: Array<{ metadata: { name: string } }> } }) =>
  r.body.items.map((i) => i.metadata.name);

Deno.test("6.1 a LIST is <Kind>List with the RV it was built at and items always an array", async () => {
  await withServer(async (s) => {
    const c = await call(s, "POST", cmPath(), { body: configMap("a") });
    const r = await call(s, "GET", cmPath());
    assert.equal(r.body.kind, "ConfigMapList");
    assert.equal(r.body.apiVersion, "v1");
    assert.equal(r.body.metadata.resourceVersion, c.body.metadata.resourceVersion);
    assert.ok(Array.isArray(r.body.items));
    assert.equal(r.body.items[0].metadata.name, "a");
    assert.equal(r.body.items[0].kind, undefined, "typed lists leave out item kind (kube v1.36)");
  });
});

Deno.test("6.2 resourceVersionMatch rules: without RV 422, Exact with 0 422, bad RV 400", async () => {
  await withServer(async (s) => {
    assert.equal(
      (await call(s, "GET", `${cmPath()}?resourceVersionMatch=NotOlderThan`)).status,
      422,
    );
    assert.equal(
      (await call(s, "GET", `${cmPath()}?resourceVersion=0&resourceVersionMatch=Exact`)).status,
      422,
    );
    assert.equal((await call(s, "GET", `${cmPath()}?resourceVersion=abc`)).status, 400);
    assert.equal((await call(s, "GET", `${cmPath()}?resourceVersion=0`)).status, 200);
  });
});

Deno.test("6.2 an Exact RV lists the state at that RV", async () => {
  await withServer(async (s) => {
    const a = await call(s, "POST", cmPath(), { body: configMap("a") });
    await call(s, "POST", cmPath(), { body: configMap("b") });
    await call(s, "DELETE", cmPath("default", "a"));
    const rv = a.body.metadata.resourceVersion;
    const r = await call(s, "GET", `${cmPath()}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    assert.equal(r.status, 200);
    assert.deepEqual(names(r), ["a"]);
    assert.equal(r.body.metadata.resourceVersion, rv);
  });
});

Deno.test("6.3 an RV newer than current is 504; a compacted Exact RV is 410", async () => {
  await withServer(async (s) => {
    const r = await call(s, "GET", `${cmPath()}?resourceVersion=999999`);
    assert.equal(r.status, 504);
    assert.match(r.body.message, /Too large resource version/);
    const a = await call(s, "POST", cmPath(), { body: configMap("a") });
    await call(s, "POST", cmPath(), { body: configMap("b") });
    s.faults.compact();
    const e = await call(
      s,
      "GET",
      `${cmPath()}?resourceVersion=${a.body.metadata.resourceVersion}&resourceVersionMatch=Exact`,
    );
    assert.equal(e.status, 410);
    assert.equal(e.body.reason, "Expired");
  });
});

Deno.test("6.4 paging: limit, continue exactly when more remain, first page's RV, sorted by namespace/name", async () => {
  await withServer(async (s) => {
    for (const n of ["e", "c", "a", "d", "b"]) {
      await call(s, "POST", cmPath(), { body: configMap(n) });
    }
    await call(s, "POST", cmPath("kube-system"), { body: configMap("z") });
    const p1 = await call(s, "GET", "/api/v1/configmaps?limit=2");
    assert.deepEqual(names(p1), ["a", "b"]);
    assert.ok(p1.body.metadata.continue);
    assert.equal(p1.body.metadata.remainingItemCount, 4);
    const rv = p1.body.metadata.resourceVersion;
    await call(s, "POST", cmPath(), { body: configMap("bb") });
    const p2 = await call(
      s,
      "GET",
      `/api/v1/configmaps?limit=2&continue=${encodeURIComponent(p1.body.metadata.continue)}`,
    );
    assert.deepEqual(names(p2), ["c", "d"], "consistent with the first page's snapshot");
    assert.equal(p2.body.metadata.resourceVersion, rv);
    const p3 = await call(
      s,
      "GET",
      `/api/v1/configmaps?limit=2&continue=${encodeURIComponent(p2.body.metadata.continue)}`,
    );
    assert.deepEqual(names(p3), ["e", "z"]);
    assert.equal(p3.body.metadata.continue, undefined);
    assert.equal((await call(s, "GET", `${cmPath()}?continue=garbage!`)).status, 400);
    s.faults.compact();
    await call(s, "POST", cmPath(), { body: configMap("late") });
    const old = await call(
      s,
      "GET",
      `/api/v1/configmaps?limit=2&continue=${encodeURIComponent(p1.body.metadata.continue)}`,
    );
    assert.equal(old.status, 410);
  });
});

Deno.test("6.5 label selectors: =, ==, !=, in, notin, exists, !exists; bad syntax 400", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), {
      body: configMap("a", { labels: { app: "web", tier: "fe" } }),
    });
    await call(s, "POST", cmPath(), { body: configMap("b", { labels: { app: "db" } }) });
    await call(s, "POST", cmPath(), { body: configMap("c") });
    const q = async (sel: string) =>
      names(await call(s, "GET", `${cmPath()}?labelSelector=${encodeURIComponent(sel)}`));
    assert.deepEqual(await q("app=web"), ["a"]);
    assert.deepEqual(await q("app==db"), ["b"]);
    assert.deepEqual(await q("app!=web"), ["b", "c"]);
    assert.deepEqual(await q("app in (web,db)"), ["a", "b"]);
    assert.deepEqual(await q("app notin (web)"), ["b", "c"]);
    assert.deepEqual(await q("tier"), ["a"]);
    assert.deepEqual(await q("!tier"), ["b", "c"]);
    assert.deepEqual(await q("app,!tier"), ["b"]);
    assert.equal(
      (await call(s, "GET", `${cmPath()}?labelSelector=${encodeURIComponent("app in (")}`)).status,
      400,
    );
  });
});

Deno.test("6.6 field selectors: metadata.name/namespace with = == !=; unsupported field 400", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a") });
    await call(s, "POST", cmPath(), { body: configMap("b") });
    await call(s, "POST", cmPath("kube-system"), { body: configMap("a") });
    const q = async (sel: string, path = "/api/v1/configmaps") =>
      await call(s, "GET", `${path}?fieldSelector=${encodeURIComponent(sel)}`);
    assert.deepEqual(names(await q("metadata.name=a")), ["a", "a"]);
    assert.deepEqual(names(await q("metadata.name==a,metadata.namespace=default")), ["a"]);
    assert.deepEqual(names(await q("metadata.name!=a")), ["b"]);
    const bad = await q("data.a=1");
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /"data.a" is not a known field selector/);
    const ns = await q("metadata.namespace=default", "/api/v1/namespaces");
    assert.equal(ns.status, 400, "cluster-scoped types have no metadata.namespace field");
  });
});
