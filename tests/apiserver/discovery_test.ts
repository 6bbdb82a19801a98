// Rules 8.x: discovery, /version, Table responses, OpenAPI v3; metadata-only responses.
import assert from "node:assert/strict";
import { call, cmPath, configMap, WatchReader, withServer } from "./_helpers.ts";

const TABLE =
  "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
const PARTIAL = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
const PARTIAL_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

Deno.test("8.1 /api, /apis, /api/v1 and /apis/{g}/{v} discovery documents", async () => {
  await withServer(async (s) => {
    const api = await call(s, "GET", "/api");
    assert.equal(api.body.kind, "APIVersions");
    assert.deepEqual(api.body.versions, ["v1"]);
    const apis = await call(s, "GET", "/apis");
    assert.equal(apis.body.kind, "APIGroupList");
    const names = apis.body.groups.map((g: { name: string }) => g.name).sort();
    // every GA group of Kubernetes v1.36 (issue 14)
    assert.deepEqual(names, [
      "admissionregistration.k8s.io",
      "apiextensions.k8s.io",
      "apiregistration.k8s.io",
      "apps",
      "autoscaling",
      "batch",
      "certificates.k8s.io",
      "coordination.k8s.io",
      "discovery.k8s.io",
      "events.k8s.io",
      "flowcontrol.apiserver.k8s.io",
      "networking.k8s.io",
      "node.k8s.io",
      "policy",
      "rbac.authorization.k8s.io",
      "resource.k8s.io",
      "scheduling.k8s.io",
      "storage.k8s.io",
    ]);
    const apps = apis.body.groups.find((g: { name: string }) => g.name === "apps");
    assert.deepEqual(apps.preferredVersion, { groupVersion: "apps/v1", version: "v1" });
    const v1 = await call(s, "GET", "/api/v1");
    assert.equal(v1.body.kind, "APIResourceList");
    const cm = v1.body.resources.find((r: { name: string }) => r.name === "configmaps");
    assert.match(cm.storageVersionHash, /^[A-Za-z0-9+/]{11}=$/);
    delete cm.storageVersionHash;
    assert.deepEqual(cm, {
      name: "configmaps",
      singularName: "configmap",
      namespaced: true,
      kind: "ConfigMap",
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      shortNames: ["cm"],
    });
    assert.ok(v1.body.resources.some((r: { name: string }) => r.name === "pods/status"));
    const appsV1 = await call(s, "GET", "/apis/apps/v1");
    assert.ok(appsV1.body.resources.some((r: { name: string }) => r.name === "deployments/scale"));
    assert.equal((await call(s, "GET", "/apis/nope.io/v1")).status, 404);
  });
});

Deno.test("8.2 aggregated discovery v2 for /api and /apis when asked, legacy otherwise", async () => {
  await withServer(async (s) => {
    const accept =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    const r = await call(s, "GET", "/apis", { headers: { accept } });
    assert.equal(r.status, 200);
    assert.equal(
      r.headers.get("content-type"),
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    );
    assert.equal(r.body.kind, "APIGroupDiscoveryList");
    const apps = r.body.items.find((g: { metadata: { name: string } }) =>
      g.metadata.name === "apps"
    );
    const deployments = apps.versions[0].resources.find((x: { resource: string }) =>
      x.resource === "deployments"
    );
    assert.deepEqual(deployments.responseKind, {
      group: "apps",
      version: "v1",
      kind: "Deployment",
    });
    assert.equal(deployments.scope, "Namespaced");
    assert.deepEqual(
      deployments.subresources.map((x: { subresource: string }) => x.subresource),
      ["scale", "status"],
    );
    const autoscaling = r.body.items.find((g: { metadata: { name: string } }) =>
      g.metadata.name === "autoscaling"
    );
    assert.deepEqual(autoscaling.versions.map((v: { version: string }) => v.version), ["v2", "v1"]);
    const core = await call(s, "GET", "/api", { headers: { accept } });
    assert.equal(core.body.items[0].versions[0].version, "v1");
    const legacy = await call(s, "GET", "/apis", { headers: { accept: "application/json" } });
    assert.equal(legacy.headers.get("content-type"), "application/json");
    assert.equal(legacy.body.kind, "APIGroupList");
  });
});

Deno.test("8.3 /version has the standard fields", async () => {
  await withServer(async (s) => {
    const r = await call(s, "GET", "/version");
    for (
      const k of [
        "major",
        "minor",
        "gitVersion",
        "gitCommit",
        "gitTreeState",
        "buildDate",
        "goVersion",
        "compiler",
        "platform",
      ]
    ) {
      assert.equal(typeof r.body[k], "string", k);
    }
  });
});

Deno.test("8.4 kubectl's Accept gets a meta.k8s.io/v1 Table for lists and single objects", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a", { data: { x: "1", y: "2" } }) });
    const r = await call(s, "GET", `${cmPath()}?includeObject=Object`, {
      headers: { accept: TABLE },
    });
    assert.equal(r.body.kind, "Table");
    assert.equal(r.body.apiVersion, "meta.k8s.io/v1");
    const cols = r.body.columnDefinitions.map((c: { name: string }) => c.name);
    assert.deepEqual(cols.slice(0, 2), ["Name", "Data"]);
    assert.equal(r.body.rows[0].cells[0], "a");
    assert.equal(r.body.rows[0].cells[1], 2);
    assert.equal(r.body.rows[0].object.metadata.name, "a");
    assert.ok(r.body.metadata.resourceVersion);
    const one = await call(s, "GET", cmPath("default", "a"), { headers: { accept: TABLE } });
    assert.equal(one.body.kind, "Table");
    assert.equal(one.body.rows.length, 1);
  });
});

Deno.test("8.5 a watch with the Table Accept streams Table objects", async () => {
  await withServer(async (s) => {
    const w = await WatchReader.open(s, `${cmPath()}?watch=1&resourceVersion=1`, { accept: TABLE });
    try {
      await call(s, "POST", cmPath(), { body: configMap("a") });
      const e = await w.next();
      assert.equal(e?.type, "ADDED");
      assert.equal(e?.object.kind, "Table");
      assert.equal(e?.object.rows[0].cells[0], "a");
    } finally {
      await w.close();
    }
  });
});

Deno.test("8.7 /openapi/v3 indexes the group versions and serves their documents", async () => {
  await withServer(async (s) => {
    const idx = await call(s, "GET", "/openapi/v3");
    assert.equal(idx.status, 200);
    const paths = Object.keys(idx.body.paths);
    assert.ok(paths.includes("api/v1"), paths.join(","));
    assert.ok(paths.includes("apis/apps/v1"));
    const ref = idx.body.paths["api/v1"].serverRelativeURL as string;
    const doc = await call(s, "GET", ref);
    assert.equal(doc.status, 200);
    assert.ok(doc.body.openapi);
    assert.equal((await call(s, "GET", "/openapi/v3/apis/nope.io/v1")).status, 404);
  });
});

Deno.test("metadata-only: PartialObjectMetadata for GET and watch, PartialObjectMetadataList for LIST", async () => {
  await withServer(async (s) => {
    await call(s, "POST", cmPath(), { body: configMap("a", { labels: { l: "v" } }) });
    const one = await call(s, "GET", cmPath("default", "a"), { headers: { accept: PARTIAL } });
    assert.equal(one.body.kind, "PartialObjectMetadata");
    assert.equal(one.body.apiVersion, "meta.k8s.io/v1");
    assert.equal(one.body.metadata.labels.l, "v");
    assert.equal(one.body.data, undefined);
    const list = await call(s, "GET", cmPath(), { headers: { accept: PARTIAL_LIST } });
    assert.equal(list.body.kind, "PartialObjectMetadataList");
    assert.equal(list.body.items[0].kind, "PartialObjectMetadata");
    assert.ok(list.body.metadata.resourceVersion);
    const w = await WatchReader.open(s, `${cmPath()}?watch=1`, { accept: PARTIAL });
    try {
      const e = await w.next();
      assert.equal(e?.object.kind, "PartialObjectMetadata");
      assert.equal(e?.object.metadata.name, "a");
    } finally {
      await w.close();
    }
  });
});
