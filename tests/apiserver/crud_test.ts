// Rules 0.x, 1.x, 2.x against the embedded server with raw fetch.
import assert from "node:assert/strict";
import { call, cmPath, configMap, deploymentSpec, withServer } from "./_helpers.ts";

Deno.test("0.1 JSON is the default; an Accept the server cannot meet is 406", async () => {
  await withServer(async (s) => {
    const ok = await call(s, "GET", cmPath());
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get("content-type")!, /application\/json/);
    const bad = await call(s, "GET", cmPath(), {
      headers: { accept: "application/vnd.kubernetes.protobuf" },
    });
    assert.equal(bad.status, 406);
    assert.equal(bad.body.kind, "Status");
  });
});

Deno.test("0.2/0.3 errors are Status objects with code and reason; NotFound names the plural", async () => {
  await withServer(async (s) => {
    const r = await call(s, "GET", cmPath("default", "x"));
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'configmaps "x" not found',
      reason: "NotFound",
      details: { name: "x", kind: "configmaps" },
      code: 404,
    });
    const d = await call(s, "GET", "/apis/apps/v1/namespaces/default/deployments/x");
    assert.equal(d.body.message, 'deployments.apps "x" not found');
    assert.equal(d.body.details.group, "apps");
  });
});

Deno.test("0.5 an unserved group answers plain-text 404; an unknown resource of a served one a NotFound Status", async () => {
  await withServer(async (s) => {
    const r = await call(s, "GET", "/apis/nope.example.com/v1/widgets");
    assert.equal(r.status, 404);
    assert.equal(r.text, "404 page not found\n");
    assert.match(r.headers.get("content-type")!, /text\/plain/);
    const st = await call(s, "GET", "/api/v1/namespaces/default/widgets");
    assert.equal(st.status, 404);
    assert.equal(st.body.kind, "Status");
    assert.equal(st.body.message, "the server could not find the requested resource");
  });
});

Deno.test("1.1 create sets uid and creationTimestamp and discards client-sent ones", async () => {
  await withServer(async (s) => {
    const body = configMap("a");
    (body.metadata as Record<string, unknown>).uid = "mine";
    (body.metadata as Record<string, unknown>).creationTimestamp = "2001-01-01T00:00:00Z";
    const r = await call(s, "POST", cmPath(), { body });
    assert.equal(r.status, 201);
    assert.notEqual(r.body.metadata.uid, "mine");
    assert.match(r.body.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(r.body.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.notEqual(r.body.metadata.creationTimestamp, "2001-01-01T00:00:00Z");
    const withRv = configMap("b");
    (withRv.metadata as Record<string, unknown>).resourceVersion = "5";
    const bad = await call(s, "POST", cmPath(), { body: withRv });
    assert.equal(bad.status, 500);
    assert.match(bad.body.message, /resourceVersion should not be set on objects to be created/);
  });
});

Deno.test("1.2 one RV counter for all types; a no-op write keeps the RV", async () => {
  await withServer(async (s) => {
    const a = await call(s, "POST", cmPath(), { body: configMap("a") });
    const sec = await call(s, "POST", "/api/v1/namespaces/default/secrets", {
      body: { metadata: { name: "s" }, stringData: { x: "y" } },
    });
    const b = await call(s, "POST", cmPath(), { body: configMap("b") });
    const rvs = [a, sec, b].map((r) => Number(r.body.metadata.resourceVersion));
    assert.ok(rvs[0] < rvs[1] && rvs[1] < rvs[2], `increasing: ${rvs}`);
    const same = await call(s, "PUT", cmPath("default", "a"), { body: a.body });
    assert.equal(same.status, 200);
    assert.equal(same.body.metadata.resourceVersion, a.body.metadata.resourceVersion);
  });
});

Deno.test("1.3 update copies a missing uid, rejects a different one, restores creationTimestamp", async () => {
  await withServer(async (s) => {
    const a = await call(s, "POST", cmPath(), { body: configMap("a") });
    const upd = structuredClone(a.body);
    delete upd.metadata.uid;
    upd.metadata.creationTimestamp = "2001-01-01T00:00:00Z";
    upd.data = { a: "2" };
    const r = await call(s, "PUT", cmPath("default", "a"), { body: upd });
    assert.equal(r.status, 200);
    assert.equal(r.body.metadata.uid, a.body.metadata.uid);
    assert.equal(r.body.metadata.creationTimestamp, a.body.metadata.creationTimestamp);
    const other = { ...r.body, metadata: { ...r.body.metadata, uid: "other" } };
    const c = await call(s, "PUT", cmPath("default", "a"), { body: other });
    assert.equal(c.status, 409);
    assert.equal(c.body.reason, "Conflict");
  });
});

Deno.test("1.4 generation starts at 1 on workloads and moves only on spec changes", async () => {
  await withServer(async (s) => {
    const path = "/apis/apps/v1/namespaces/default/deployments";
    const d = await call(s, "POST", path, {
      body: { metadata: { name: "d" }, spec: deploymentSpec("d") },
    });
    assert.equal(d.body.metadata.generation, 1);
    const labelled = structuredClone(d.body);
    labelled.metadata.labels = { a: "b" };
    const l = await call(s, "PUT", `${path}/d`, { body: labelled });
    assert.equal(l.body.metadata.generation, 1);
    const spec = structuredClone(l.body);
    spec.spec.replicas = 3;
    const g = await call(s, "PUT", `${path}/d`, { body: spec });
    assert.equal(g.body.metadata.generation, 2);
    const cm = await call(s, "POST", cmPath(), { body: configMap("a") });
    assert.equal(cm.body.metadata.generation, undefined);
  });
});

Deno.test("1.5 managedFields records the manager from fieldManager or the User-Agent", async () => {
  await withServer(async (s) => {
    const a = await call(s, "POST", `${cmPath()}?fieldManager=tester`, { body: configMap("a") });
    assert.equal(a.body.metadata.managedFields[0].manager, "tester");
    assert.equal(a.body.metadata.managedFields[0].operation, "Update");
    const b = await call(s, "POST", cmPath(), {
      body: configMap("b"),
      headers: { "user-agent": "my-agent/1.2 (linux)" },
    });
    assert.equal(b.body.metadata.managedFields[0].manager, "my-agent");
  });
});

Deno.test("2.1 POST 201, GET 200, PUT 200, PUT to a missing ConfigMap 404", async () => {
  await withServer(async (s) => {
    const c = await call(s, "POST", cmPath(), { body: configMap("a") });
    assert.equal(c.status, 201);
    const g = await call(s, "GET", cmPath("default", "a"));
    assert.equal(g.status, 200);
    assert.deepEqual(g.body.data, { a: "1" });
    const p = await call(s, "PUT", cmPath("default", "a"), {
      body: { ...g.body, data: { b: "2" } },
    });
    assert.equal(p.status, 200);
    assert.deepEqual(p.body.data, { b: "2" });
    const m = await call(s, "PUT", cmPath("default", "zz"), { body: configMap("zz") });
    assert.equal(m.status, 404);
  });
});

Deno.test("2.2 a duplicate create is 409 AlreadyExists", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a") });
    const r = await call(s, "POST", cmPath(), { body: configMap("a") });
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, "AlreadyExists");
    assert.deepEqual(r.body.details, { name: "a", kind: "configmaps" });
  });
});

Deno.test("2.3 LIST in a missing namespace is 200 with no items", async () => {
  await withServer(async (s) => {
    const r = await call(s, "GET", cmPath("nowhere"));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items, []);
  });
});

Deno.test("2.4 create in a missing namespace is 404; deleting default is 403", async () => {
  await withServer(async (s) => {
    const r = await call(s, "POST", cmPath("nowhere"), { body: configMap("a") });
    assert.equal(r.status, 404);
    assert.equal(r.body.message, 'namespaces "nowhere" not found');
    for (const ns of ["default", "kube-system", "kube-public"]) {
      const d = await call(s, "DELETE", `/api/v1/namespaces/${ns}`);
      assert.equal(d.status, 403, ns);
    }
  });
});

Deno.test("2.4 create in a Terminating namespace is 403 NamespaceTerminating", async () => {
  await withServer(async (s) => {
    await call(s, "POST", "/api/v1/namespaces", {
      body: { metadata: { name: "t", finalizers: ["example.com/hold"] } },
    });
    const d = await call(s, "DELETE", "/api/v1/namespaces/t");
    assert.equal(d.status, 200);
    assert.equal(d.body.status.phase, "Terminating");
    const r = await call(s, "POST", cmPath("t"), { body: configMap("a") });
    assert.equal(r.status, 403);
    assert.equal(r.body.details.causes[0].reason, "NamespaceTerminating");
  });
});

Deno.test("2.5 namespace from the URL fills the body; a different one is 400; PUT with another name is 400", async () => {
  await withServer(async (s) => {
    const c = await call(s, "POST", cmPath(), { body: configMap("a") });
    assert.equal(c.body.metadata.namespace, "default");
    const body = configMap("b");
    (body.metadata as Record<string, unknown>).namespace = "kube-system";
    const r = await call(s, "POST", cmPath(), { body });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /does not match the namespace sent on the request/);
    const put = await call(s, "PUT", cmPath("default", "a"), {
      body: { ...c.body, metadata: { ...c.body.metadata, name: "other" } },
    });
    assert.equal(put.status, 400);
  });
});

Deno.test("2.6 names: invalid name 422 on metadata.name; neither name nor generateName 422", async () => {
  await withServer(async (s) => {
    const r = await call(s, "POST", cmPath(), { body: configMap("Not_Valid") });
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, "Invalid");
    assert.equal(r.body.details.causes[0].field, "metadata.name");
    const ns = await call(s, "POST", "/api/v1/namespaces", { body: { metadata: { name: "a.b" } } });
    assert.equal(ns.status, 422, "namespaces are DNS-1123 labels");
    const none = await call(s, "POST", cmPath(), { body: { metadata: {} } });
    assert.equal(none.status, 422);
    assert.match(none.body.message, /name or generateName is required/);
  });
});

Deno.test("2.7 generateName appends five characters from the kube alphabet", async () => {
  await withServer(async (s) => {
    const r = await call(s, "POST", cmPath(), { body: { metadata: { generateName: "web-" } } });
    assert.equal(r.status, 201);
    assert.match(r.body.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

Deno.test("2.8 PUT with a stale resourceVersion is 409 Conflict", async () => {
  await withServer(async (s) => {
    const a = await call(s, "POST", cmPath(), { body: configMap("a") });
    await call(s, "PUT", cmPath("default", "a"), { body: { ...a.body, data: { x: "1" } } });
    const r = await call(s, "PUT", cmPath("default", "a"), {
      body: { ...a.body, data: { x: "2" } },
    });
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, "Conflict");
    assert.match(
      r.body.message,
      /the object has been modified; please apply your changes to the latest version and try again/,
    );
  });
});

Deno.test("2.9 PUT without resourceVersion is unconditional for ConfigMaps", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a") });
    const r = await call(s, "PUT", cmPath("default", "a"), {
      body: configMap("a", { data: { z: "9" } }),
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.data, { z: "9" });
  });
});

Deno.test("11.2 a core Event's involvedObject.namespace must equal its namespace", async () => {
  await withServer(async (s) => {
    const ev = (ns: string) => ({
      metadata: { name: `e-${ns}` },
      involvedObject: { kind: "ConfigMap", namespace: ns, name: "a" },
      reason: "Test",
      message: "m",
      type: "Normal",
    });
    assert.equal(
      (await call(s, "POST", "/api/v1/namespaces/default/events", { body: ev("default") })).status,
      201,
    );
    const bad = await call(s, "POST", "/api/v1/namespaces/default/events", { body: ev("other") });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.details.causes[0].field, "involvedObject.namespace");
  });
});

Deno.test("11.3 an events.k8s.io/v1 Event needs eventTime", async () => {
  await withServer(async (s) => {
    const path = "/apis/events.k8s.io/v1/namespaces/default/events";
    const base = {
      metadata: { name: "e" },
      reason: "R",
      action: "A",
      type: "Normal",
      reportingController: "c",
      reportingInstance: "i",
    };
    const bad = await call(s, "POST", path, { body: base });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.details.causes[0].field, "eventTime");
    const ok = await call(s, "POST", path, {
      body: { ...base, eventTime: "2026-01-01T00:00:00.000000Z" },
    });
    assert.equal(ok.status, 201);
  });
});

Deno.test("11.1 a Lease renewed with a stale resourceVersion is 409", async () => {
  await withServer(async (s) => {
    const path = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
    const l = await call(s, "POST", path, {
      body: {
        metadata: { name: "leader" },
        spec: { holderIdentity: "a", leaseDurationSeconds: 15 },
      },
    });
    const renewed = await call(s, "PUT", `${path}/leader`, {
      body: { ...l.body, spec: { ...l.body.spec, renewTime: "2026-01-01T00:00:01.000000Z" } },
    });
    assert.equal(renewed.status, 200);
    const lost = await call(s, "PUT", `${path}/leader`, {
      body: { ...l.body, spec: { ...l.body.spec, holderIdentity: "b" } },
    });
    assert.equal(lost.status, 409);
  });
});

Deno.test("Secret stringData is merged into data as base64 and type defaults to Opaque", async () => {
  await withServer(async (s) => {
    const r = await call(s, "POST", "/api/v1/namespaces/default/secrets", {
      body: { metadata: { name: "s" }, data: { a: btoa("x") }, stringData: { b: "héllo" } },
    });
    assert.equal(r.status, 201);
    assert.equal(r.body.stringData, undefined);
    assert.equal(r.body.type, "Opaque");
    assert.equal(r.body.data.a, btoa("x"));
    const bytes = Uint8Array.from(atob(r.body.data.b), (c) => c.charCodeAt(0));
    assert.equal(new TextDecoder().decode(bytes), "héllo");
  });
});

Deno.test("an immutable ConfigMap keeps its data (422 FieldValueForbidden)", async () => {
  await withServer(async (s) => {
    const c = await call(s, "POST", cmPath(), { body: { ...configMap("a"), immutable: true } });
    const r = await call(s, "PUT", cmPath("default", "a"), {
      body: { ...c.body, data: { a: "2" } },
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.details.causes[0].field, "data");
    const labelled = await call(s, "PUT", cmPath("default", "a"), {
      body: { ...c.body, metadata: { ...c.body.metadata, labels: { x: "y" } } },
    });
    assert.equal(labelled.status, 200, "metadata may still change");
  });
});
