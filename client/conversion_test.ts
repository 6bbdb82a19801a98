import assert from "node:assert/strict";
import { z } from "zod";
import { defineCustomResource } from "./custom_resource.ts";
import {
  CONVERSION_DATA_ANNOTATION,
  convertObject,
  versionType,
  withConversionWebhook,
} from "./conversion.ts";

// Hub v1 (storage) holds replicas under spec.scaling and a tier; v1alpha1 has a flat
// replicas and no tier; v2 keeps tier but renames html to content.
type Hub = {
  metadata: Record<string, unknown>;
  spec: { html: string; scaling: { replicas: number }; tier?: string };
};
const Thing = defineCustomResource({
  group: "demo.operatorkit.io",
  version: "v1",
  kind: "Thing",
  scope: "Namespaced",
  spec: z.object({
    html: z.string(),
    scaling: z.object({ replicas: z.int() }),
    tier: z.string().optional(),
  }),
  versions: [
    {
      name: "v1alpha1",
      spec: z.object({ html: z.string(), replicas: z.int() }),
      conversion: {
        toStorage: (o) => ({
          ...o,
          spec: { html: o.spec.html, scaling: { replicas: o.spec.replicas } },
        }),
        fromStorage: (o: Hub) => ({
          ...o,
          spec: { html: o.spec.html, replicas: o.spec.scaling.replicas },
        }),
      },
    },
    {
      name: "v2",
      spec: z.object({ content: z.string(), replicas: z.int(), tier: z.string().optional() }),
      conversion: {
        toStorage: (o) => ({
          ...o,
          spec: { html: o.spec.content, scaling: { replicas: o.spec.replicas }, tier: o.spec.tier },
        }),
        fromStorage: (o: Hub) => ({
          ...o,
          spec: { content: o.spec.html, replicas: o.spec.scaling.replicas, tier: o.spec.tier },
        }),
      },
    },
  ],
});

const meta = {
  name: "t",
  namespace: "ns",
  uid: "u-1",
  resourceVersion: "7",
  generation: 2,
  labels: { app: "t" },
};
const objects: Record<string, Record<string, unknown>> = {
  v1: {
    apiVersion: "demo.operatorkit.io/v1",
    kind: "Thing",
    metadata: meta,
    spec: { html: "<h1/>", scaling: { replicas: 3 }, tier: "gold" },
  },
  v1alpha1: {
    apiVersion: "demo.operatorkit.io/v1alpha1",
    kind: "Thing",
    metadata: meta,
    spec: { html: "<h1/>", replicas: 3 },
  },
  v2: {
    apiVersion: "demo.operatorkit.io/v2",
    kind: "Thing",
    metadata: meta,
    spec: { content: "<h1/>", replicas: 3, tier: "gold" },
  },
};

const strip = (o: unknown) => {
  const x = structuredClone(o) as { metadata: { annotations?: Record<string, string> } };
  delete x.metadata.annotations;
  return x;
};

Deno.test("conversion: every pair of versions round-trips, metadata kept", () => {
  const conv = Thing.conversion!;
  assert.equal(conv.storageVersion, "v1");
  const names = Object.keys(objects);
  for (const from of names) {
    for (const to of names) {
      const there = convertObject(conv, objects[from] as never, `demo.operatorkit.io/${to}`);
      assert.equal(there.apiVersion, `demo.operatorkit.io/${to}`);
      assert.deepEqual(there.metadata.uid, "u-1");
      assert.deepEqual(there.metadata.labels, { app: "t" });
      // v1alpha1 cannot hold tier: it is kept in the annotation, except when the source
      // itself had no tier to lose.
      if (to === "v1alpha1" && from !== "v1alpha1") {
        assert.ok(there.metadata.annotations?.[CONVERSION_DATA_ANNOTATION], `${from}->${to}`);
      }
      const back = convertObject(conv, there, `demo.operatorkit.io/${from}`);
      const expected = from === "v1alpha1" ? objects[from] : objects[from];
      assert.deepEqual(strip(back), expected, `${from} -> ${to} -> ${from}`);
      assert.equal(back.metadata.annotations, undefined, `${from} -> ${to} -> ${from}`);
      // The other direction from the converted object matches the direct conversion too.
      if (from !== "v1alpha1" || to === "v1alpha1") {
        assert.deepEqual(strip(there), strip(objects[to]), `${from} -> ${to}`);
      }
    }
  }
});

Deno.test("conversion: a spoke edit wins over the saved data; unknown annotations stay", () => {
  const conv = Thing.conversion!;
  const down = convertObject(
    conv,
    objects.v1 as never,
    "demo.operatorkit.io/v1alpha1",
  ) as unknown as {
    metadata: { annotations?: Record<string, string> };
    spec: { replicas: number };
  };
  down.spec.replicas = 5;
  down.metadata.annotations = { ...down.metadata.annotations, mine: "yes" };
  const up = convertObject(conv, down as never, "demo.operatorkit.io/v1") as unknown as Hub;
  assert.deepEqual(up.spec, { html: "<h1/>", scaling: { replicas: 5 }, tier: "gold" });
  assert.deepEqual(up.metadata.annotations, { mine: "yes" });
});

Deno.test("conversion: errors name the problem", () => {
  const conv = Thing.conversion!;
  assert.throws(
    () => convertObject(conv, objects.v1 as never, "demo.operatorkit.io/v9"),
    /expected the desired apiVersion to be one of .*found demo.operatorkit.io\/v9/,
  );
  assert.throws(
    () =>
      convertObject(conv, { ...objects.v1alpha1, spec: null } as never, "demo.operatorkit.io/v1"),
    /converting Thing ns\/t from v1alpha1 to v1 failed/,
  );
  assert.throws(
    () =>
      defineCustomResource({
        group: "demo.operatorkit.io",
        version: "v1",
        kind: "Bad",
        scope: "Cluster",
        spec: z.object({}),
        versions: [
          {
            name: "v1beta1",
            spec: z.object({}),
            conversion: { toStorage: (o) => o, fromStorage: (o) => o },
          },
          { name: "v1alpha1", spec: z.object({}) },
        ],
      }),
    /conversion.toStorage and conversion.fromStorage on version v1alpha1/,
  );
});

Deno.test("versionType decodes with that version's schema; the CRD switches to Webhook", () => {
  const V2 = versionType(Thing, "v2");
  assert.equal(V2.apiVersion, "demo.operatorkit.io/v2");
  assert.equal(V2.schema.safeParse(objects.v2).success, true);
  assert.equal(V2.schema.safeParse(objects.v1).success, false);
  assert.throws(() => versionType(Thing, "v3"), /expected one of v1, v1alpha1, v2, found v3/);
  const crd = withConversionWebhook(Thing, {
    url: "https://127.0.0.1:9443/convert",
    caBundle: "QQ==",
  });
  assert.deepEqual(crd.spec.conversion, {
    strategy: "Webhook",
    webhook: {
      clientConfig: { url: "https://127.0.0.1:9443/convert", caBundle: "QQ==" },
      conversionReviewVersions: ["v1"],
    },
  });
  assert.equal(Thing.crd.spec.conversion, undefined);
});

Deno.test("ensureCustomResourceDefinition with conversionWebhook installs strategy Webhook", async () => {
  const { startApiServer } = await import("../testing/api_server.ts");
  const { KubeClient } = await import("./kube_client.ts");
  const { ensureCustomResourceDefinition } = await import("./custom_resource.ts");
  await using server = await startApiServer();
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  const config = { url: "https://127.0.0.1:9443/convert", caBundle: "QQ==" };
  const crd = await ensureCustomResourceDefinition(client, Thing, { conversionWebhook: config });
  assert.deepEqual(crd.spec.conversion, {
    strategy: "Webhook",
    webhook: { clientConfig: config, conversionReviewVersions: ["v1"] },
  });
  // Without the option the CRD converts nothing (strategy None, as the server defaults).
  const plain = await ensureCustomResourceDefinition(client, Thing);
  assert.deepEqual(plain.spec.conversion, { strategy: "None" });
});
