import assert from "node:assert/strict";
import { z } from "zod";
import { KubeClient } from "./kube_client.ts";
import { ConfigMaps, Deployments, Namespaces } from "./builtins.ts";
import { defineResource } from "./define_resource.ts";
import { DecodeError } from "./errors.ts";
import { _SKIP_MANAGED_FIELDS } from "./_managed_fields.ts";
import { json, serve } from "../tests/client/_serve.ts";

function echo() {
  return serve((_req, rec) => {
    if (rec.method === "GET" && rec.query.get("limit")) {
      const page = Number(rec.query.get("continue") ?? "0");
      return json({
        kind: "ConfigMapList",
        metadata: { resourceVersion: "9", ...(page < 2 ? { continue: String(page + 1) } : {}) },
        items: [{ metadata: { name: `p${page}`, namespace: "ns" } }],
      });
    }
    return json({ metadata: { name: "x" }, echo: { path: rec.path, body: rec.body } });
  });
}

Deno.test("paths, namespaces and write parameters for every verb", async () => {
  await using srv = echo();
  using client = new KubeClient(srv.config({ namespace: "team" }), { fieldManager: "op" });
  const cms = client.resource(ConfigMaps);
  assert.equal(client.resource(ConfigMaps), cms); // one handle per type
  await cms.get("a");
  await cms.get("a", { namespace: "other" });
  await cms.create({ metadata: { name: "b", namespace: "objns" } }, { dryRun: true });
  await cms.replace({ metadata: { name: "b" } }, { fieldManager: "mine" });
  await cms.patch("b", { type: "json", body: [{ op: "add", path: "/x", value: 1 }] });
  await cms.patch("b", { type: "merge", body: {} });
  await client.resource(Deployments).patch("d", { type: "strategic", body: {} });
  await cms.apply({ metadata: { name: "c" }, data: { a: "1" } }, { force: true });
  await cms.delete("c", {
    propagationPolicy: "Foreground",
    preconditions: { uid: "u" },
    gracePeriodSeconds: 0,
    dryRun: true,
  });
  await cms.deleteCollection({ namespace: "ns", labelSelector: "a=b" });
  await cms.status.patch("b", { type: "merge", body: { status: {} } });
  await client.resource(Deployments).scale.get("d");
  await client.resource(Namespaces).get("kube-system");
  const r = srv.requests;
  const line = (i: number) => `${r[i].method} ${r[i].path}?${r[i].query}`;
  assert.equal(line(0), "GET /api/v1/namespaces/team/configmaps/a?");
  assert.equal(line(1), "GET /api/v1/namespaces/other/configmaps/a?");
  assert.equal(line(2), "POST /api/v1/namespaces/objns/configmaps?fieldManager=op&dryRun=All");
  // apiVersion and kind come from the type when the object leaves them out (CRs need them).
  assert.deepEqual(JSON.parse(r[2].body), {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "b", namespace: "objns" },
  });
  assert.equal(line(3), "PUT /api/v1/namespaces/team/configmaps/b?fieldManager=mine");
  assert.equal(r[4].headers.get("content-type"), "application/json-patch+json");
  assert.equal(r[5].headers.get("content-type"), "application/merge-patch+json");
  assert.equal(line(6), "PATCH /apis/apps/v1/namespaces/team/deployments/d?fieldManager=op");
  assert.equal(r[6].headers.get("content-type"), "application/strategic-merge-patch+json");
  assert.equal(line(7), "PATCH /api/v1/namespaces/team/configmaps/c?fieldManager=op&force=true");
  assert.equal(r[7].headers.get("content-type"), "application/apply-patch+yaml");
  assert.deepEqual(JSON.parse(r[7].body), {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c" },
    data: { a: "1" },
  });
  assert.equal(r[8].method, "DELETE");
  assert.deepEqual(JSON.parse(r[8].body), {
    kind: "DeleteOptions",
    apiVersion: "v1",
    propagationPolicy: "Foreground",
    preconditions: { uid: "u" },
    gracePeriodSeconds: 0,
    dryRun: ["All"],
  });
  assert.equal(line(9), "DELETE /api/v1/namespaces/ns/configmaps?labelSelector=a%3Db");
  assert.equal(line(10), "PATCH /api/v1/namespaces/team/configmaps/b/status?fieldManager=op");
  assert.equal(line(11), "GET /apis/apps/v1/namespaces/team/deployments/d/scale?");
  assert.equal(line(12), "GET /api/v1/namespaces/kube-system?");
  assert.equal(client.resource(Namespaces).path({ name: "y" }), "/api/v1/namespaces/y");
  await assert.rejects(
    () => client.resource(Namespaces).get("a", { namespace: "x" }),
    /expected no namespace for cluster-scoped Namespace/,
  );
  await assert.rejects(() => cms.get("a/b"), /without "\/"/);
  await assert.rejects(() => cms.replace({ metadata: {} }), /expected metadata.name/);
});

Deno.test("list: one page with options; listAll follows continue; all namespaces", async () => {
  await using srv = echo();
  using client = new KubeClient(srv.config());
  const cms = client.resource(ConfigMaps);
  const page = await cms.list({ limit: 1, labelSelector: "a=b", resourceVersion: "0" });
  assert.equal(page.items.length, 1);
  assert.equal(page.metadata.continue, "1");
  assert.equal(srv.requests[0].path, "/api/v1/configmaps");
  const names: string[] = [];
  for await (const cm of cms.listAll({ namespace: "ns", limit: 1 })) names.push(cm.metadata.name!);
  assert.deepEqual(names, ["p0", "p1", "p2"]);
  assert.deepEqual(srv.requests.slice(1).map((r) => r.query.get("continue")), [null, "1", "2"]);
});

Deno.test("schema: get throws DecodeError; list reports invalid items and keeps the rest", async () => {
  const Typed = defineResource({
    apiVersion: "v1",
    kind: "ConfigMap",
    plural: "configmaps",
    schema: z.object({
      metadata: z.object({ name: z.string() }).passthrough(),
      data: z.object({ n: z.string().regex(/^\d+$/) }),
    }),
  });
  await using srv = serve((_req, rec) =>
    rec.path.endsWith("/configmaps")
      ? json({
        metadata: { resourceVersion: "3" },
        items: [
          { metadata: { name: "ok", namespace: "d" }, data: { n: "1" } },
          { metadata: { name: "bad", namespace: "d", uid: "u" }, data: { n: "x" } },
        ],
      })
      : json({ metadata: { name: "bad", namespace: "d" }, data: {} })
  );
  using client = new KubeClient(srv.config());
  const rc = client.resource(Typed);
  await assert.rejects(() => rc.get("bad"), (e: Error) => {
    assert.ok(e instanceof DecodeError);
    assert.equal(e.key, "d/bad");
    assert.deepEqual(e.issues[0].path, ["data", "n"]);
    return true;
  });
  const page = await rc.list();
  assert.deepEqual(page.items.map((i) => i.metadata.name), ["ok"]);
  assert.equal(page.invalid.length, 1);
  assert.equal(page.invalid[0].error.key, "d/bad");
  assert.equal(page.invalid[0].error.uid, "u");
  const seen: string[] = [];
  const all: string[] = [];
  for await (const o of rc.listAll({ onInvalid: (f) => seen.push(f.key) })) {
    all.push(o.metadata.name);
  }
  assert.deepEqual([all, seen], [["ok"], ["d/bad"]]);
});

Deno.test("discovery resolves kinds, caches, and refreshes on a miss", async () => {
  let widgets = false;
  await using srv = serve((_req, rec) => {
    if (rec.path === "/apis/demo.io/v1") {
      return json({
        kind: "APIResourceList",
        groupVersion: "demo.io/v1",
        resources: [
          { name: "gadgets", namespaced: false, kind: "Gadget", verbs: ["get"] },
          ...(widgets
            ? [
              { name: "widgets", namespaced: true, kind: "Widget", verbs: ["get"] },
              { name: "widgets/status", namespaced: true, kind: "Widget", verbs: ["get"] },
            ]
            : []),
        ],
      });
    }
    return json({ metadata: { name: "w1" } });
  });
  using client = new KubeClient(srv.config());
  const g = await client.discovery.resolve("demo.io/v1", "Gadget");
  assert.deepEqual([g.plural, g.namespaced, g.group], ["gadgets", false, "demo.io"]);
  await client.discovery.resolve("demo.io/v1", "Gadget");
  assert.equal(srv.requests.length, 1); // cached
  await assert.rejects(
    () => client.discovery.resolve("demo.io/v1", "Widget"),
    (e: Error & { code?: number }) => e.code === 404 && /found only: Gadget/.test(e.message),
  );
  assert.equal(srv.requests.length, 2); // the miss refetched once
  widgets = true; // the CRD appears later
  const w = await client.resourceFor("demo.io/v1", "Widget");
  assert.equal(w.type.plural, "widgets");
  assert.equal((await w.get("w1", { namespace: "a" })).metadata.name, "w1");
  assert.equal(srv.requests.at(-1)!.path, "/apis/demo.io/v1/namespaces/a/widgets/w1");
});

Deno.test("KubeClient hands out typed handles; fromKubeConfig takes the context namespace", async () => {
  await using srv = echo();
  using client = new KubeClient(srv.config());
  const h = client.resource(ConfigMaps);
  assert.equal((await h.get("x", { namespace: "a" })).metadata.name, "x");
  const fromYaml = await KubeClient.fromKubeConfig({
    document: {
      clusters: [{ name: "c", cluster: { server: srv.url } }],
      contexts: [{ name: "x", context: { cluster: "c", namespace: "zz" } }],
      "current-context": "x",
    },
  });
  assert.equal(fromYaml.namespace, "zz");
  fromYaml.close();
});

Deno.test("metadata-only reads of a schema-typed resource are not checked against the schema", async () => {
  const Gadgets = defineResource({
    apiVersion: "example.io/v1",
    kind: "Gadget",
    plural: "gadgets",
    schema: z.object({
      metadata: z.object({ name: z.string() }),
      spec: z.object({ size: z.int() }),
    }),
  });
  const meta = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1" };
  const accepts: string[] = [];
  await using srv = serve((req, rec) => {
    accepts.push(req.headers.get("accept") ?? "");
    if (rec.query.get("watch")) {
      return new Response(
        JSON.stringify({ type: "ADDED", object: { ...meta, metadata: { name: "w" } } }) + "\n",
      );
    }
    if (rec.path.endsWith("/gadgets")) {
      return json({
        kind: "PartialObjectMetadataList",
        metadata: { resourceVersion: "3" },
        items: [{ ...meta, metadata: { name: "a" } }],
      });
    }
    return json({ ...meta, metadata: { name: "g" } });
  });
  using client = new KubeClient(srv.config({ namespace: "ns" }));
  const gadgets = client.resource(Gadgets);
  const page = await gadgets.list({ metadataOnly: true });
  assert.deepEqual([page.items.length, page.invalid.length], [1, 0]);
  assert.equal((await gadgets.get("g", { metadataOnly: true })).metadata.name, "g");
  const events = [];
  for await (const ev of gadgets.watch({ metadataOnly: true })) events.push(ev.type);
  assert.deepEqual(events, ["ADDED"]);
  assert.ok(accepts.every((a) => a.includes("PartialObjectMetadata")), accepts.join(" | "));
  // Full reads still validate.
  await assert.rejects(gadgets.get("g"), DecodeError);
});

Deno.test("listPages leaves managedFields unparsed only when the reader drops them", async () => {
  const managedFields = [{ manager: "m", operation: "Update", fieldsV1: { "f:data": {} } }];
  await using srv = serve(() =>
    json({
      kind: "ConfigMapList",
      metadata: { resourceVersion: "9" },
      items: [{ metadata: { name: "a", namespace: "ns", managedFields }, data: { k: "v" } }],
    })
  );
  using client = new KubeClient(srv.config());
  const cms = client.resource(ConfigMaps);
  const pages = async (options: Record<string | symbol, unknown>) => {
    const out = [];
    for await (const page of cms.listPages(options)) out.push(...page.items);
    return out;
  };
  const [kept] = await pages({});
  assert.deepEqual(kept.metadata.managedFields, managedFields);
  const [skipped] = await pages({ [_SKIP_MANAGED_FIELDS]: true });
  assert.equal(skipped.metadata.managedFields, undefined);
  assert.deepEqual(skipped.data, { k: "v" });
});
