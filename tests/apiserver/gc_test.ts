// Rules 10.x (ownerReferences, GC emulation) and 2.4 (namespace deletion).
import assert from "node:assert/strict";
import type { ApiServer } from "../../testing/api_server.ts";
import { call, cmPath, configMap, deploymentSpec, withServer } from "./_helpers.ts";

const DEPLOY = "/apis/apps/v1/namespaces/default/deployments";

async function owner(s: ApiServer, name: string, finalizers?: string[]): Promise<{ uid: string }> {
  const r = await call(s, "POST", DEPLOY, {
    body: { metadata: { name, finalizers }, spec: deploymentSpec(name) },
  });
  assert.equal(r.status, 201, r.text);
  return { uid: r.body.metadata.uid };
}

function child(
  name: string,
  ownerName: string,
  uid: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const cm = configMap(name);
  (cm.metadata as Record<string, unknown>).ownerReferences = [
    { apiVersion: "apps/v1", kind: "Deployment", name: ownerName, uid, ...extra },
  ];
  return cm;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting until ${what}`);
}

const gone = (s: ApiServer, path: string) => async () =>
  (await call(s, "GET", path)).status === 404;

Deno.test("10.1 ownerReferences need apiVersion, kind, name, uid and at most one controller", async () => {
  await withServer(async (s) => {
    const missing = configMap("a");
    (missing.metadata as Record<string, unknown>).ownerReferences = [{
      kind: "Deployment",
      name: "d",
    }];
    const r = await call(s, "POST", cmPath(), { body: missing });
    assert.equal(r.status, 422);
    const fields = r.body.details.causes.map((c: { field: string }) => c.field);
    assert.ok(fields.includes("metadata.ownerReferences.uid"));
    assert.ok(fields.includes("metadata.ownerReferences.apiVersion"));
    const two = configMap("b");
    (two.metadata as Record<string, unknown>).ownerReferences = [
      { apiVersion: "v1", kind: "X", name: "x", uid: "1", controller: true },
      { apiVersion: "v1", kind: "Y", name: "y", uid: "2", controller: true },
    ];
    assert.equal((await call(s, "POST", cmPath(), { body: two })).status, 422);
  });
});

Deno.test("10.2 background: dependents whose owners are all gone are deleted", async () => {
  await withServer(async (s) => {
    const a = await owner(s, "a");
    const b = await owner(s, "b");
    await call(s, "POST", cmPath(), { body: child("only-a", "a", a.uid) });
    const both = child("both", "a", a.uid);
    ((both.metadata as Record<string, unknown>).ownerReferences as unknown[]).push(
      { apiVersion: "apps/v1", kind: "Deployment", name: "b", uid: b.uid },
    );
    await call(s, "POST", cmPath(), { body: both });
    assert.equal((await call(s, "DELETE", `${DEPLOY}/a`)).status, 200);
    await eventually(gone(s, cmPath("default", "only-a")), "only-a is collected");
    assert.equal((await call(s, "GET", cmPath("default", "both"))).status, 200, "b still owns it");
  });
});

Deno.test("10.2 foreground: the owner stays until blocking dependents are gone", async () => {
  await withServer(async (s) => {
    const a = await owner(s, "a");
    const dep = child("blocker", "a", a.uid, { blockOwnerDeletion: true });
    (dep.metadata as Record<string, unknown>).finalizers = ["example.com/hold"];
    await call(s, "POST", cmPath(), { body: dep });
    const d = await call(s, "DELETE", `${DEPLOY}/a`, { body: { propagationPolicy: "Foreground" } });
    assert.ok(d.body.metadata.finalizers.includes("foregroundDeletion"));
    await eventually(
      async () =>
        !!(await call(s, "GET", cmPath("default", "blocker"))).body.metadata.deletionTimestamp,
      "the dependent is terminating",
    );
    assert.equal((await call(s, "GET", `${DEPLOY}/a`)).status, 200, "owner waits");
    await call(s, "PATCH", cmPath("default", "blocker"), {
      raw: '{"metadata":{"finalizers":null}}',
      headers: { "content-type": "application/merge-patch+json" },
    });
    await eventually(gone(s, `${DEPLOY}/a`), "the owner is deleted");
  });
});

Deno.test("10.2 orphan: dependents lose the owner reference and stay", async () => {
  await withServer(async (s) => {
    const a = await owner(s, "a");
    await call(s, "POST", cmPath(), { body: child("kept", "a", a.uid) });
    await call(s, "DELETE", `${DEPLOY}/a?propagationPolicy=Orphan`);
    await eventually(gone(s, `${DEPLOY}/a`), "the owner is deleted");
    const kept = await call(s, "GET", cmPath("default", "kept"));
    assert.equal(kept.status, 200);
    assert.equal(kept.body.metadata.ownerReferences, undefined);
  });
});

Deno.test("10.2 with gc: false dependents stay, as on a bare kube-apiserver", async () => {
  await withServer(async (s) => {
    const a = await owner(s, "a");
    await call(s, "POST", cmPath(), { body: child("c", "a", a.uid) });
    await call(s, "DELETE", `${DEPLOY}/a`);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal((await call(s, "GET", cmPath("default", "c"))).status, 200);
  }, { gc: false });
});

Deno.test("2.4 namespace deletion: Terminating, contents removed, then the namespace", async () => {
  await withServer(async (s) => {
    await call(s, "POST", "/api/v1/namespaces", { body: { metadata: { name: "team" } } });
    await call(s, "POST", cmPath("team"), { body: configMap("a") });
    await call(s, "POST", cmPath("team"), {
      body: configMap("held", { finalizers: ["example.com/hold"] }),
    });
    const d = await call(s, "DELETE", "/api/v1/namespaces/team");
    assert.equal(d.status, 200);
    assert.equal(d.body.status.phase, "Terminating");
    await eventually(gone(s, cmPath("team", "a")), "contents are removed");
    assert.equal(
      (await call(s, "GET", "/api/v1/namespaces/team")).status,
      200,
      "waits for the finalizer",
    );
    await call(s, "PATCH", cmPath("team", "held"), {
      raw: '{"metadata":{"finalizers":null}}',
      headers: { "content-type": "application/merge-patch+json" },
    });
    await eventually(gone(s, "/api/v1/namespaces/team"), "the namespace is deleted");
  });
});
