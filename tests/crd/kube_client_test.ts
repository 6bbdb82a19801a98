/**
 * The custom resource type with the real `KubeClient`, on the embedded API server or the real
 * one named by OPERATORKIT_TEST_KUBECONFIG (testCluster()):
 * `ensureCustomResourceDefinition(client, Website)` takes the client unchanged, and the
 * typed handle decodes objects with the same zod schema (defaults from the server).
 *
 * The Website CRD is cluster-wide: these tests leave the current definition installed, and the
 * real tier runs test files one at a time (no --parallel) so no other file sees the looser
 * definition the second test installs for a moment.
 */
import assert from "node:assert/strict";
import { DecodeError } from "../../client/errors.ts";
import { ensureCustomResourceDefinition } from "../../client/custom_resource.ts";
import { Website, type Website as WebsiteObject } from "../../examples/website/website.ts";
import { clusterEnv } from "../client/_cluster.ts";

Deno.test("KubeClient: install the Website CRD, then create, read and list typed Websites", async () => {
  await using env = await clusterEnv("crd");
  const { client, namespace: ns } = env;

  const crd = await ensureCustomResourceDefinition(client, Website, { timeoutMs: 30_000 });
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
    metadata: { name: "home", namespace: ns },
    spec: { html: "<h1>home</h1>", replicas: 2 },
  }, { namespace: ns });
  assert.equal(created.spec.replicas, 2);

  // The server fills the default; the decoder agrees.
  await sites.create({
    apiVersion: Website.apiVersion,
    kind: Website.kind,
    metadata: { name: "blog", namespace: ns },
    spec: { html: "<h1>blog</h1>" } as WebsiteObject["spec"],
  }, { namespace: ns });
  const blog = await sites.get("blog", { namespace: ns });
  assert.deepEqual(blog.spec, { html: "<h1>blog</h1>", replicas: 1 });

  const page = await sites.list({ namespace: ns });
  assert.deepEqual(page.items.map((s) => s.metadata.name).sort(), ["blog", "home"]);
  assert.deepEqual(page.invalid, []);

  // An object the server refuses is an ApiError 422 carrying the server's message.
  await assert.rejects(
    sites.create({
      apiVersion: Website.apiVersion,
      kind: Website.kind,
      metadata: { name: "bad", namespace: ns },
      spec: { html: "x", replicas: 11 },
    }, { namespace: ns }),
    (e: unknown) => {
      assert.equal((e as { code?: number }).code, 422);
      assert.match(String((e as Error).message), /spec\.replicas/);
      return true;
    },
  );
});

Deno.test("KubeClient: an object the stored CRD allows but the zod schema refuses is a DecodeError", async () => {
  await using env = await clusterEnv("crd");
  const { client, namespace: ns } = env;

  // An older, looser definition is installed: replicas has no maximum there.
  const loose = structuredClone(Website.crd);
  // deno-lint-ignore no-explicit-any
  const schema = loose.spec.versions[0].schema!.openAPIV3Schema as any;
  delete schema.properties.spec.properties.replicas.maximum;
  await ensureCustomResourceDefinition(client, loose, { timeoutMs: 30_000 });

  const raw = client.resource({ ...Website, schema: undefined });
  const wide = {
    apiVersion: Website.apiVersion,
    kind: Website.kind,
    metadata: { name: "wide", namespace: ns },
    spec: { html: "x", replicas: 50 },
  };
  // kube-apiserver swaps in a replaced CRD's schema shortly after the update (a 422 from the
  // previous, stricter schema can come first); the embedded server does it at once.
  for (const deadline = Date.now() + 10_000;;) {
    try {
      await raw.create(wide, { namespace: ns });
      break;
    } catch (e) {
      if ((e as { code?: number }).code !== 422 || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const sites = client.resource(Website);
  await assert.rejects(sites.get("wide", { namespace: ns }), (e: unknown) => {
    assert.ok(e instanceof DecodeError, String(e));
    assert.equal(e.key, `${ns}/wide`);
    assert.deepEqual(e.issues.map((i) => i.path), [["spec", "replicas"]]);
    return true;
  });
  const page = await sites.list({ namespace: ns });
  assert.deepEqual(page.items, []);
  assert.equal(page.invalid.length, 1);
  assert.equal(page.invalid[0].error.key, `${ns}/wide`);

  // Installing the current definition replaces the looser one.
  const current = await ensureCustomResourceDefinition(client, Website, { timeoutMs: 30_000 });
  assert.deepEqual(current.spec.versions[0].schema, Website.crd.spec.versions[0].schema);
});
