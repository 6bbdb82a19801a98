/**
 * The custom resource type with the real `KubeClient` on the embedded API server:
 * `ensureCustomResourceDefinition(client, Website)` takes the client unchanged, and the
 * typed handle decodes objects with the same zod schema (defaults from the server).
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../client/kube_client.ts";
import { DecodeError } from "../../client/errors.ts";
import { ensureCustomResourceDefinition } from "../../client/custom_resource.ts";
import { startApiServer } from "../../testing/api_server.ts";
import { Website, type Website as WebsiteObject } from "../../examples/website/website.ts";

Deno.test("KubeClient: install the Website CRD, then create, read and list typed Websites", async () => {
  await using server = await startApiServer();
  await using client = await KubeClient.fromKubeConfig({ yaml: server.kubeconfigYaml });

  const crd = await ensureCustomResourceDefinition(client, Website, { timeoutMs: 10_000 });
  assert.equal(
    crd.status?.conditions?.find((c) => c.type === "Established")?.status,
    "True",
  );
  const again = await ensureCustomResourceDefinition(client, Website);
  assert.equal(again.metadata.resourceVersion, crd.metadata.resourceVersion);

  const sites = client.resource(Website);
  const created: WebsiteObject = await sites.create({
    apiVersion: Website.apiVersion,
    kind: Website.kind,
    metadata: { name: "home", namespace: "default" },
    spec: { html: "<h1>home</h1>", replicas: 2 },
  }, { namespace: "default" });
  assert.equal(created.spec.replicas, 2);

  // The server fills the default; the decoder agrees.
  await sites.create({
    apiVersion: Website.apiVersion,
    kind: Website.kind,
    metadata: { name: "blog", namespace: "default" },
    spec: { html: "<h1>blog</h1>" } as WebsiteObject["spec"],
  }, { namespace: "default" });
  const blog = await sites.get("blog", { namespace: "default" });
  assert.deepEqual(blog.spec, { html: "<h1>blog</h1>", replicas: 1 });

  const page = await sites.list({ namespace: "default" });
  assert.deepEqual(page.items.map((s) => s.metadata.name).sort(), ["blog", "home"]);
  assert.deepEqual(page.invalid, []);

  // An object the server refuses is an ApiError 422 carrying the server's message.
  await assert.rejects(
    sites.create({
      apiVersion: Website.apiVersion,
      kind: Website.kind,
      metadata: { name: "bad", namespace: "default" },
      spec: { html: "x", replicas: 11 },
    }, { namespace: "default" }),
    (e: unknown) => {
      assert.equal((e as { code?: number }).code, 422);
      assert.match(String((e as Error).message), /spec\.replicas/);
      return true;
    },
  );
});

Deno.test("KubeClient: an object the stored CRD allows but the zod schema refuses is a DecodeError", async () => {
  await using server = await startApiServer();
  await using client = await KubeClient.fromKubeConfig({ yaml: server.kubeconfigYaml });

  // An older, looser definition is installed: replicas has no maximum there.
  const loose = structuredClone(Website.crd);
  // deno-lint-ignore no-explicit-any
  const schema = loose.spec.versions[0].schema!.openAPIV3Schema as any;
  delete schema.properties.spec.properties.replicas.maximum;
  await ensureCustomResourceDefinition(client, loose, { timeoutMs: 10_000 });

  const raw = client.resource({ ...Website, schema: undefined });
  await raw.create({
    apiVersion: Website.apiVersion,
    kind: Website.kind,
    metadata: { name: "wide", namespace: "default" },
    spec: { html: "x", replicas: 50 },
  }, { namespace: "default" });

  const sites = client.resource(Website);
  await assert.rejects(sites.get("wide", { namespace: "default" }), (e: unknown) => {
    assert.ok(e instanceof DecodeError, String(e));
    assert.equal(e.key, "default/wide");
    assert.deepEqual(e.issues.map((i) => i.path), [["spec", "replicas"]]);
    return true;
  });
  const page = await sites.list({ namespace: "default" });
  assert.deepEqual(page.items, []);
  assert.equal(page.invalid.length, 1);
  assert.equal(page.invalid[0].error.key, "default/wide");

  // Installing the current definition replaces the looser one.
  const current = await ensureCustomResourceDefinition(client, Website, { timeoutMs: 10_000 });
  assert.deepEqual(current.spec.versions[0].schema, Website.crd.spec.versions[0].schema);
});
