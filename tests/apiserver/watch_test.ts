// Rules 7.x: WATCH streams, RV semantics, 410, selector transitions, bookmarks, streaming lists.
import assert from "node:assert/strict";
import { FakeClock } from "../../testing/fake_clock.ts";
import { call, cmPath, configMap, WatchReader, withServer } from "./_helpers.ts";

Deno.test("7.1/7.2 watch via ?watch=1, /watch/ paths and a named object; NDJSON with kind and apiVersion", async () => {
  await withServer(async (s) => {
    const w1 = await WatchReader.open(s, `${cmPath()}?watch=1`);
    const w2 = await WatchReader.open(s, "/api/v1/watch/namespaces/default/configmaps");
    const w3 = await WatchReader.open(s, `${cmPath("default", "b")}?watch=true`);
    try {
      assert.equal(w1.status, 200);
      assert.match(w1.headers.get("content-type")!, /application\/json/);
      await call(s, "POST", cmPath(), { body: configMap("a") });
      await call(s, "POST", cmPath(), { body: configMap("b") });
      for (const w of [w1, w2]) {
        const e = await w.next();
        assert.equal(e?.type, "ADDED");
        assert.equal(e?.object.kind, "ConfigMap");
        assert.equal(e?.object.apiVersion, "v1");
        assert.equal(e?.object.metadata.name, "a");
      }
      const named = await w3.next();
      assert.equal(named?.object.metadata.name, "b");
    } finally {
      await Promise.all([w1.close(), w2.close(), w3.close()]);
    }
  });
});

Deno.test("7.3 timeoutSeconds ends the body cleanly", async () => {
  const clock = new FakeClock();
  await withServer(async (s) => {
    const w = await WatchReader.open(s, `${cmPath()}?watch=1&timeoutSeconds=5`);
    try {
      await clock.tickAsync(5000);
      assert.equal(await w.next(), undefined);
    } finally {
      await w.close();
    }
  }, { clock });
});

Deno.test("7.4 RV unset gives synthetic ADDED first; RV N gives only changes after N", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a") });
    const b = await call(s, "POST", cmPath(), { body: configMap("b") });
    const all = await WatchReader.open(s, `${cmPath()}?watch=1`);
    const fromB = await WatchReader.open(
      s,
      `${cmPath()}?watch=1&resourceVersion=${b.body.metadata.resourceVersion}`,
    );
    try {
      assert.equal((await all.next())?.object.metadata.name, "a");
      assert.equal((await all.next())?.object.metadata.name, "b");
      await call(s, "POST", cmPath(), { body: configMap("c") });
      const e = await fromB.next();
      assert.equal(e?.type, "ADDED");
      assert.equal(e?.object.metadata.name, "c");
    } finally {
      await Promise.all([all.close(), fromB.close()]);
    }
  });
});

Deno.test("7.5 a too-old RV gets HTTP 200 and one ERROR event with a 410 Expired Status", async () => {
  await withServer(async (s) => {
    const a = await call(s, "POST", cmPath(), { body: configMap("a") });
    await call(s, "POST", cmPath(), { body: configMap("b") });
    s.faults.compact();
    const w = await WatchReader.open(
      s,
      `${cmPath()}?watch=1&resourceVersion=${a.body.metadata.resourceVersion}`,
    );
    try {
      assert.equal(w.status, 200);
      const e = await w.next();
      assert.equal(e?.type, "ERROR");
      assert.equal(e?.object.code, 410);
      assert.equal(e?.object.reason, "Expired");
      assert.match(e?.object.message, /too old resource version/);
      assert.equal(await w.next(), undefined);
    } finally {
      await w.close();
    }
  });
});

Deno.test("7.5 history bounds resumption: older than `history` events is 410", async () => {
  await withServer(async (s) => {
    const a = await call(s, "POST", cmPath(), { body: configMap("a") });
    for (const n of ["b", "c", "d"]) await call(s, "POST", cmPath(), { body: configMap(n) });
    const w = await WatchReader.open(
      s,
      `${cmPath()}?watch=1&resourceVersion=${a.body.metadata.resourceVersion}`,
    );
    try {
      assert.equal((await w.next())?.type, "ERROR");
    } finally {
      await w.close();
    }
  }, { history: 2 });
});

Deno.test("7.6 selector transitions: ADDED when starting to match, DELETED when stopping", async () => {
  await withServer(async (s) => {
    const w = await WatchReader.open(s, `${cmPath()}?watch=1&labelSelector=app%3Dweb`);
    try {
      const c = await call(s, "POST", cmPath(), { body: configMap("a") });
      const m1 = await call(s, "PUT", cmPath("default", "a"), {
        body: { ...c.body, metadata: { ...c.body.metadata, labels: { app: "web" } } },
      });
      const e1 = await w.next();
      assert.equal(e1?.type, "ADDED");
      const m2 = await call(s, "PUT", cmPath("default", "a"), {
        body: { ...m1.body, data: { x: "2" } },
      });
      assert.equal((await w.next())?.type, "MODIFIED");
      const m3 = await call(s, "PUT", cmPath("default", "a"), {
        body: { ...m2.body, metadata: { ...m2.body.metadata, labels: { app: "db" } } },
      });
      const e3 = await w.next();
      assert.equal(e3?.type, "DELETED");
      assert.equal(e3?.object.metadata.labels.app, "web", "previous state");
      assert.equal(e3?.object.metadata.resourceVersion, m3.body.metadata.resourceVersion, "new RV");
    } finally {
      await w.close();
    }
  });
});

Deno.test("7.7 bookmarks only with allowWatchBookmarks: kind, apiVersion and resourceVersion", async () => {
  const clock = new FakeClock();
  await withServer(async (s) => {
    const withB = await WatchReader.open(
      s,
      `${cmPath()}?watch=1&resourceVersion=1&allowWatchBookmarks=true`,
    );
    const without = await WatchReader.open(s, `${cmPath()}?watch=1&resourceVersion=1`);
    try {
      await clock.tickAsync(1000);
      const e = await withB.next();
      assert.equal(e?.type, "BOOKMARK");
      assert.deepEqual(Object.keys(e?.object).sort(), ["apiVersion", "kind", "metadata"]);
      assert.equal(e?.object.kind, "ConfigMap");
      assert.ok(e?.object.metadata.resourceVersion);
      assert.ok(await without.quiet(100));
    } finally {
      await Promise.all([withB.close(), without.close()]);
    }
  }, { clock, bookmarkIntervalMs: 1000 });
});

Deno.test("7.8 sendInitialEvents: ADDED for every object, then the initial-events-end bookmark; needs NotOlderThan", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a") });
    await call(s, "POST", cmPath(), { body: configMap("b") });
    const bad = await call(s, "GET", `${cmPath()}?watch=1&sendInitialEvents=true`);
    assert.equal(bad.status, 422);
    const w = await WatchReader.open(
      s,
      `${cmPath()}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    try {
      assert.equal((await w.next())?.type, "ADDED");
      assert.equal((await w.next())?.type, "ADDED");
      const b = await w.next();
      assert.equal(b?.type, "BOOKMARK");
      assert.equal(b?.object.metadata.annotations["k8s.io/initial-events-end"], "true");
      await call(s, "POST", cmPath(), { body: configMap("c") });
      assert.equal((await w.next())?.object.metadata.name, "c");
    } finally {
      await w.close();
    }
  });
});

Deno.test("7.2 every watcher gets the same bytes for an event (fan-out)", async () => {
  await withServer(async (s) => {
    const ws = await Promise.all(
      [1, 2, 3].map(() => WatchReader.open(s, `${cmPath()}?watch=1&resourceVersion=1`)),
    );
    try {
      await call(s, "POST", cmPath(), { body: configMap("a") });
      const evs = await Promise.all(ws.map((w) => w.next()));
      assert.deepEqual(evs[0], evs[1]);
      assert.deepEqual(evs[1], evs[2]);
    } finally {
      await Promise.all(ws.map((w) => w.close()));
    }
  });
});

Deno.test("7.4 a watch from a resourceVersion the server has not reached is 504", async () => {
  await withServer(async (s) => {
    const r = await call(s, "GET", `${cmPath()}?watch=1&resourceVersion=999999`);
    assert.equal(r.status, 504);
    assert.equal(r.body.reason, "Timeout");
  });
});

Deno.test("7.7 with bookmarks, a last BOOKMARK comes shortly before timeoutSeconds ends the watch", async () => {
  const clock = new FakeClock();
  await withServer(async (s) => {
    const w = await WatchReader.open(
      s,
      `${cmPath()}?watch=1&resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds=10`,
    );
    try {
      await clock.tickAsync(9000);
      assert.equal((await w.next())?.type, "BOOKMARK");
      await clock.tickAsync(1000);
      assert.equal(await w.next(), undefined);
    } finally {
      await w.close();
    }
  }, { clock, bookmarkIntervalMs: 60_000 });
});
