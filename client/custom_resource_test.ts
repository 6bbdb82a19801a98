import assert from "node:assert/strict";
import { z } from "zod";
import { parseAllDocuments } from "yaml";
import { FakeClock } from "../testing/fake_clock.ts";
import type { CustomResourceDefinition } from "./builtin_types.ts";
import type { ResourceType } from "./types.ts";
import {
  crdManifestYaml,
  CustomResourceDecodeError,
  type CustomResourceDefinitionClient,
  CustomResourceDefinitionError,
  CustomResourceSchemaError,
  defineCustomResource,
  ensureCustomResourceDefinition,
  type InferCustomResource,
  intOrString,
  isCustomResourceType,
  preserveUnknown,
} from "./custom_resource.ts";

const Widget = defineCustomResource({
  group: "demo.operatorkit.io",
  version: "v1",
  kind: "Widget",
  shortNames: ["wd"],
  categories: ["all"],
  scope: "Cluster",
  spec: z.object({ size: z.int().min(1).max(10).default(3), color: z.enum(["red", "blue"]) }),
  status: z.object({ ready: z.boolean().optional() }),
  printerColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }],
});

Deno.test("defineCustomResource: names, scope and the ResourceType fields", () => {
  assert.equal(Widget.group, "demo.operatorkit.io");
  assert.equal(Widget.version, "v1");
  assert.equal(Widget.apiVersion, "demo.operatorkit.io/v1");
  assert.equal(Widget.kind, "Widget");
  assert.equal(Widget.plural, "widgets");
  assert.equal(Widget.singular, "widget");
  assert.equal(Widget.namespaced, false);
  // Usable wherever a ResourceType is.
  const rt: ResourceType<InferCustomResource<typeof Widget>> = Widget;
  assert.equal(rt.kind, "Widget");
  assert.equal(isCustomResourceType(Widget), true);
  assert.equal(isCustomResourceType({ kind: "Widget" }), false);
  assert.equal(Object.isFrozen(Widget), true);
  // The subresources the CRD declares, as generated types list theirs.
  assert.deepEqual(Widget.subresources, ["status"]);
});

Deno.test("defineCustomResource: the CRD object", () => {
  const crd = Widget.crd;
  assert.equal(crd.apiVersion, "apiextensions.k8s.io/v1");
  assert.equal(crd.kind, "CustomResourceDefinition");
  assert.equal(crd.metadata.name, "widgets.demo.operatorkit.io");
  assert.deepEqual(crd.spec.names, {
    kind: "Widget",
    listKind: "WidgetList",
    plural: "widgets",
    singular: "widget",
    shortNames: ["wd"],
    categories: ["all"],
  });
  assert.equal(crd.spec.scope, "Cluster");
  assert.equal(crd.spec.versions.length, 1);
  const v = crd.spec.versions[0];
  assert.equal(v.name, "v1");
  assert.equal(v.served, true);
  assert.equal(v.storage, true);
  assert.deepEqual(v.subresources, { status: {} });
  assert.deepEqual(v.additionalPrinterColumns, [
    { name: "Size", type: "integer", jsonPath: ".spec.size" },
  ]);
  assert.deepEqual(v.schema?.openAPIV3Schema, {
    type: "object",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec: {
        type: "object",
        properties: {
          size: { type: "integer", default: 3, minimum: 1, maximum: 10 },
          color: { type: "string", enum: ["red", "blue"] },
        },
        required: ["color"],
      },
      status: { type: "object", properties: { ready: { type: "boolean" } } },
    },
    required: ["spec"],
  });
});

Deno.test("defineCustomResource: explicit plural, no status, subresources off, scale", () => {
  const Mouse = defineCustomResource({
    group: "zoo.example.com",
    version: "v1beta1",
    kind: "Mouse",
    plural: "mice",
    scope: "Namespaced",
    spec: z.object({ replicas: z.int() }),
    subresources: {
      scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
    },
  });
  assert.equal(Mouse.plural, "mice");
  assert.equal(Mouse.crd.metadata.name, "mice.zoo.example.com");
  assert.equal(Mouse.namespaced, true);
  assert.deepEqual(Mouse.crd.spec.versions[0].subresources, {
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
  });
  assert.deepEqual(Mouse.subresources, ["scale"]);
  const props = Mouse.crd.spec.versions[0].schema?.openAPIV3Schema?.properties as object;
  assert.deepEqual(Object.keys(props), ["apiVersion", "kind", "metadata", "spec"]);

  const NoStatusSub = defineCustomResource({
    group: "zoo.example.com",
    version: "v1",
    kind: "Cat",
    scope: "Namespaced",
    spec: z.object({}),
    status: z.object({ fed: z.boolean() }),
    subresources: { status: false },
  });
  assert.equal(NoStatusSub.crd.spec.versions[0].subresources, undefined);
  assert.equal(NoStatusSub.subresources, undefined);
});

Deno.test("defineCustomResource: several versions, one storage", () => {
  const Site = defineCustomResource({
    group: "demo.operatorkit.io",
    version: "v1",
    kind: "Site",
    scope: "Namespaced",
    spec: z.object({ html: z.string(), replicas: z.int().default(1) }),
    versions: [
      {
        name: "v1alpha1",
        spec: z.object({ html: z.string() }),
        served: false,
        deprecated: true,
        deprecationWarning: "use v1",
      },
    ],
  });
  const [v1, alpha] = Site.crd.spec.versions;
  assert.equal(v1.name, "v1");
  assert.equal(v1.served, true);
  assert.equal(v1.storage, true);
  assert.equal(alpha.name, "v1alpha1");
  assert.equal(alpha.served, false);
  assert.equal(alpha.storage, false);
  assert.equal(alpha.deprecated, true);
  assert.equal(alpha.deprecationWarning, "use v1");
  const alphaSpec = (alpha.schema?.openAPIV3Schema?.properties as Record<string, unknown>).spec;
  assert.deepEqual(alphaSpec, {
    type: "object",
    properties: { html: { type: "string" } },
    required: ["html"],
  });

  // The storage version may be another one than the typed version.
  const Old = defineCustomResource({
    group: "demo.operatorkit.io",
    version: "v2",
    kind: "Site",
    scope: "Namespaced",
    spec: z.object({ html: z.string() }),
    versions: [{ name: "v1", spec: z.object({ html: z.string() }), storage: true }],
  });
  assert.deepEqual(Old.crd.spec.versions.map((v) => [v.name, v.storage]), [
    ["v2", false],
    ["v1", true],
  ]);
  assert.throws(
    () =>
      defineCustomResource({
        group: "demo.operatorkit.io",
        version: "v2",
        kind: "Site",
        scope: "Namespaced",
        spec: z.object({}),
        storage: true,
        versions: [{ name: "v1", spec: z.object({}), storage: true }],
      }),
    /expected exactly one storage version, found \["v2","v1"\]/,
  );
  assert.throws(
    () =>
      defineCustomResource({
        group: "demo.operatorkit.io",
        version: "v1",
        kind: "Site",
        scope: "Namespaced",
        spec: z.object({}),
        versions: [{ name: "v1", spec: z.object({}) }],
      }),
    /distinct version names/,
  );
});

Deno.test("defineCustomResource: bad names and schema errors fail at definition time", () => {
  const base = {
    group: "demo.operatorkit.io",
    version: "v1",
    kind: "Thing",
    scope: "Namespaced" as const,
    spec: z.object({}),
  };
  assert.throws(() => defineCustomResource({ ...base, group: "nodot" }), /group with a dot/);
  assert.throws(() => defineCustomResource({ ...base, kind: "thing" }), /PascalCase kind/);
  assert.throws(() => defineCustomResource({ ...base, version: "V1" }), /version like v1/);
  assert.throws(() => defineCustomResource({ ...base, plural: "Things" }), /lowercase plural/);
  assert.throws(
    () => defineCustomResource({ ...base, scope: "Global" as "Cluster" }),
    /scope "Namespaced" or "Cluster"/,
  );
  assert.throws(
    () =>
      defineCustomResource({
        ...base,
        printerColumns: [{ name: "X", type: "string", jsonPath: "spec.x" }],
      }),
    /expected printer column "X" with a jsonPath starting with '\.', found "spec\.x"/,
  );
  assert.throws(
    () =>
      defineCustomResource({
        ...base,
        printerColumns: [{ name: "X", type: "text" as "string", jsonPath: ".spec.x" }],
      }),
    /printer column "X" of type string, integer, number, boolean or date, found "text"/,
  );
  assert.throws(
    () =>
      defineCustomResource({
        ...base,
        status: z.object({ at: z.date() }),
      }),
    (e: unknown) => e instanceof CustomResourceSchemaError && e.path === "status.at",
  );
  assert.throws(
    () =>
      defineCustomResource({
        ...base,
        versions: [{ name: "v0", spec: z.object({ a: z.string().refine(() => true) }) }],
      }),
    (e: unknown) => e instanceof CustomResourceSchemaError && e.path === "spec.a",
  );
});

Deno.test("decoding: the whole-object schema", () => {
  const ok = Widget.schema.safeParse({
    apiVersion: "demo.operatorkit.io/v1",
    kind: "Widget",
    metadata: { name: "w", resourceVersion: "3", labels: { a: "b" } },
    spec: { color: "red" },
    status: { ready: true },
    extra: "kept",
  });
  assert.ok(ok.success);
  assert.equal(ok.data.spec.size, 3);
  assert.equal(ok.data.spec.color, "red");
  assert.equal(ok.data.status?.ready, true);
  assert.equal(ok.data.metadata.resourceVersion, "3");
  assert.deepEqual(ok.data.metadata.labels, { a: "b" });
  assert.equal((ok.data as unknown as Record<string, unknown>).extra, "kept");

  const bad = Widget.schema.safeParse({
    metadata: { name: "w" },
    spec: { size: 11, color: "red" },
  });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues.map((i) => i.path), [["spec", "size"]]);

  const noSpec = Widget.schema.safeParse({ metadata: { name: "w" } });
  assert.equal(noSpec.success, false);
  assert.deepEqual(noSpec.error?.issues.map((i) => i.path), [["spec"]]);

  const noMeta = Widget.schema.safeParse({ spec: { color: "red" } });
  assert.equal(noMeta.success, false);
  assert.deepEqual(noMeta.error?.issues.map((i) => i.path), [["metadata"]]);

  const badTop = Widget.schema.safeParse({
    apiVersion: 1,
    kind: "Widget",
    metadata: { name: "w" },
    spec: { color: "red" },
    status: { ready: "yes" },
  });
  assert.equal(badTop.success, false);
  assert.deepEqual(badTop.error?.issues.map((i) => i.path), [["apiVersion"], ["status", "ready"]]);
  assert.match(badTop.error?.issues[0].message ?? "", /expected string, received number/);
  assert.equal(Widget.schema.safeParse([]).success, false);
  assert.equal(Widget.schema.safeParse(null).success, false);
  assert.throws(
    () => Widget.schema.parse({ metadata: { name: "w" }, spec: { size: 11, color: "red" } }),
    (e: unknown) =>
      e instanceof CustomResourceDecodeError && e.name === "CustomResourceDecodeError" &&
      /^spec\.size: /.test(e.message) && e.issues.length === 1,
  );

  // Type-level: spec and status are inferred from the zod schemas.
  type W = InferCustomResource<typeof Widget>;
  const w: W = { metadata: { name: "x" }, spec: { size: 1, color: "blue" }, status: {} };
  // @ts-expect-error color must be one of the enum values
  const wrong: W = { metadata: {}, spec: { size: 1, color: "green" } };
  assert.ok(w && wrong);
});

Deno.test("crdManifestYaml: one document per definition, parses back to the CRDs", async () => {
  const Other = defineCustomResource({
    group: "demo.operatorkit.io",
    version: "v1",
    kind: "Gadget",
    scope: "Namespaced",
    spec: z.object({ on: z.boolean().default(true).describe("switch") }),
  });
  const text = await crdManifestYaml(Widget, Other.crd);
  assert.ok(
    text.startsWith("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"),
  );
  const docs = parseAllDocuments(text).map((d) => d.toJS());
  assert.deepEqual(docs, [Widget.crd, Other.crd]);
  assert.match(text, /\n---\napiVersion: apiextensions\.k8s\.io\/v1\n/);
  assert.equal(await crdManifestYaml(), "");
});

// --- ensureCustomResourceDefinition against a scripted fake -------------------------------

class FakeApiError extends Error {
  constructor(readonly code: number, readonly status: { message: string; reason: string }) {
    super(`HTTP ${code}: ${status.message}`);
    this.name = "ApiError";
  }
}

interface Call {
  verb: "get" | "create" | "replace";
  body?: CustomResourceDefinition;
}

function fakeServer(opts: {
  stored?: CustomResourceDefinition;
  /** Conditions the stored CRD gets after this many GETs following a write. */
  establishAfterGets?: number;
  conditions?: NonNullable<CustomResourceDefinition["status"]>["conditions"];
  rejectWrite?: FakeApiError;
}) {
  const calls: Call[] = [];
  let stored = opts.stored ? structuredClone(opts.stored) : undefined;
  let getsSinceWrite = 0;
  let rv = 10;
  const withStatus = () => {
    if (!stored) return stored;
    if (getsSinceWrite >= (opts.establishAfterGets ?? 0)) {
      stored.status = {
        conditions: opts.conditions ?? [
          { type: "NamesAccepted", status: "True", reason: "NoConflicts" },
          { type: "Established", status: "True", reason: "InitialNamesAccepted" },
        ],
      };
    }
    return structuredClone(stored);
  };
  const client: CustomResourceDefinitionClient = {
    resource: (type) => {
      assert.equal(type.kind, "CustomResourceDefinition");
      assert.equal(type.apiVersion, "apiextensions.k8s.io/v1");
      return {
        get: (name) => {
          calls.push({ verb: "get" });
          if (!stored || stored.metadata.name !== name) {
            return Promise.reject(
              new FakeApiError(404, { message: `"${name}" not found`, reason: "NotFound" }),
            );
          }
          getsSinceWrite++;
          return Promise.resolve(withStatus()!);
        },
        create: (obj) => {
          calls.push({ verb: "create", body: structuredClone(obj) });
          if (opts.rejectWrite) return Promise.reject(opts.rejectWrite);
          stored = {
            ...structuredClone(obj),
            metadata: { ...obj.metadata, resourceVersion: String(++rv), uid: "u1" },
          };
          // Server defaults that the desired spec does not carry.
          stored.spec.conversion = { strategy: "None" };
          getsSinceWrite = 0;
          return Promise.resolve(withStatus()!);
        },
        replace: (obj) => {
          calls.push({ verb: "replace", body: structuredClone(obj) });
          if (opts.rejectWrite) return Promise.reject(opts.rejectWrite);
          assert.equal(obj.metadata.resourceVersion, stored?.metadata.resourceVersion);
          stored = {
            ...structuredClone(obj),
            metadata: { ...obj.metadata, resourceVersion: String(++rv) },
          };
          getsSinceWrite = 0;
          return Promise.resolve(withStatus()!);
        },
      };
    },
  };
  return { client, calls };
}

async function drive<T>(clock: FakeClock, p: Promise<T>): Promise<T> {
  let done = false;
  const settled = p.finally(() => done = true);
  settled.catch(() => {});
  for (let i = 0; i < 10_000 && !done; i++) {
    // Let real async work (crypto.subtle) finish before fake time moves on.
    if (clock.pending === 0) await new Promise((r) => setTimeout(r, 0));
    else await clock.tickAsync(50);
  }
  return await settled;
}

Deno.test("ensureCustomResourceDefinition: creates, then polls until Established", async () => {
  const clock = new FakeClock();
  const { client, calls } = fakeServer({ establishAfterGets: 3 });
  const start = clock.now();
  const got = await drive(
    clock,
    ensureCustomResourceDefinition(client, Widget, { clock, pollIntervalMs: 100 }),
  );
  assert.deepEqual(calls.map((c) => c.verb), ["get", "create", "get", "get", "get"]);
  const { annotations, ...meta } = calls[1].body!.metadata;
  assert.deepEqual({ ...calls[1].body, metadata: meta }, Widget.crd);
  assert.deepEqual(Object.keys(annotations ?? {}), ["operatorkit.io/crd-spec-hash"]);
  assert.equal(got.status?.conditions?.find((c) => c.type === "Established")?.status, "True");
  assert.equal(clock.now() - start >= 300, true);
});

Deno.test("ensureCustomResourceDefinition: an unchanged CRD is left alone", async () => {
  const { client, calls } = fakeServer({});
  const clock = new FakeClock();
  const first = await ensureCustomResourceDefinition(client, Widget.crd, { clock });
  assert.deepEqual(calls.map((c) => c.verb), ["get", "create"]);
  const hash = first.metadata.annotations?.["operatorkit.io/crd-spec-hash"];
  assert.match(hash ?? "", /^[0-9a-f]{64}$/);
  // The server added spec.conversion (a default): not a difference.
  assert.deepEqual(first.spec.conversion, { strategy: "None" });
  const again = await ensureCustomResourceDefinition(client, Widget, { clock });
  assert.deepEqual(calls.map((c) => c.verb), ["get", "create", "get"]);
  assert.equal(again.metadata.resourceVersion, first.metadata.resourceVersion);
});

Deno.test("ensureCustomResourceDefinition: a field the new definition removed triggers an update", async () => {
  const { client, calls } = fakeServer({});
  const clock = new FakeClock();
  const withShort = structuredClone(Widget.crd);
  withShort.spec.names.shortNames = ["wd", "wdg"];
  await ensureCustomResourceDefinition(client, withShort, { clock });
  const got = await ensureCustomResourceDefinition(client, Widget, { clock });
  assert.deepEqual(calls.map((c) => c.verb), ["get", "create", "get", "replace"]);
  assert.deepEqual(got.spec.names.shortNames, ["wd"]);
});

Deno.test("ensureCustomResourceDefinition: a different stored spec is replaced with its resourceVersion", async () => {
  const stored: CustomResourceDefinition = structuredClone(Widget.crd);
  stored.metadata = { ...stored.metadata, resourceVersion: "7", uid: "u0", labels: { x: "1" } };
  stored.spec.names = { ...stored.spec.names, shortNames: ["old"] };
  const { client, calls } = fakeServer({ stored });
  const got = await ensureCustomResourceDefinition(client, Widget, { clock: new FakeClock() });
  assert.deepEqual(calls.map((c) => c.verb), ["get", "replace"]);
  const body = calls[1].body!;
  assert.equal(body.metadata.resourceVersion, "7");
  assert.equal(body.metadata.uid, "u0");
  assert.deepEqual(body.metadata.labels, { x: "1" });
  assert.match(body.metadata.annotations?.["operatorkit.io/crd-spec-hash"] ?? "", /^[0-9a-f]{64}$/);
  assert.deepEqual(body.spec, Widget.crd.spec);
  assert.equal(got.metadata.resourceVersion, "11");
});

Deno.test("ensureCustomResourceDefinition: NamesAccepted=False fails with the server's message", async () => {
  const { client } = fakeServer({
    conditions: [
      {
        type: "NamesAccepted",
        status: "False",
        reason: "ListKindConflict",
        message: '"WidgetList" is already in use',
      },
      { type: "Established", status: "False", reason: "NotAccepted" },
    ],
  });
  await assert.rejects(
    ensureCustomResourceDefinition(client, Widget, { clock: new FakeClock() }),
    (e: unknown) => {
      assert.ok(e instanceof CustomResourceDefinitionError);
      assert.equal(e.crdName, "widgets.demo.operatorkit.io");
      assert.match(e.message, /NamesAccepted=True, found False \(ListKindConflict\)/);
      assert.match(e.message, /"WidgetList" is already in use/);
      return true;
    },
  );
});

Deno.test("ensureCustomResourceDefinition: a 422 fails with the server's message and cause", async () => {
  const rejected = new FakeApiError(422, {
    reason: "Invalid",
    message: "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value",
  });
  const { client } = fakeServer({ rejectWrite: rejected });
  await assert.rejects(
    ensureCustomResourceDefinition(client, Widget, { clock: new FakeClock() }),
    (e: unknown) => {
      assert.ok(e instanceof CustomResourceDefinitionError);
      assert.equal(e.name, "CustomResourceDefinitionError");
      assert.equal(e.cause, rejected);
      assert.match(e.message, /the create was refused: .*Required value/);
      return true;
    },
  );
});

Deno.test("ensureCustomResourceDefinition: times out on the injected clock; aborts on signal", async () => {
  const clock = new FakeClock();
  const never = fakeServer({ establishAfterGets: Number.POSITIVE_INFINITY });
  await assert.rejects(
    drive(clock, ensureCustomResourceDefinition(never.client, Widget, { clock, timeoutMs: 1000 })),
    /expected Established=True within 1000 ms, found no Established condition/,
  );
  const polls = never.calls.filter((c) => c.verb === "get").length;
  assert.ok(polls >= 5 && polls <= 7, `polled ${polls} times`);

  const ac = new AbortController();
  const other = fakeServer({ establishAfterGets: Number.POSITIVE_INFINITY });
  const p = ensureCustomResourceDefinition(other.client, Widget, { clock, signal: ac.signal });
  await clock.tickAsync(500);
  ac.abort(new Error("stop"));
  await assert.rejects(p, /stop/);
  assert.equal(clock.pending, 0);
});

Deno.test("preserveUnknown: the decoder keeps unknown fields where the server keeps them", () => {
  const schema = z.object({
    extra: preserveUnknown(z.object({ known: z.string().optional() }).describe("free-form")),
    source: preserveUnknown(
      z.discriminatedUnion("kind", [
        z.object({ kind: z.literal("git"), url: z.string() }),
        z.object({ kind: z.literal("inline"), html: z.string() }),
      ]),
    ).optional(),
    plain: z.object({ a: z.string().optional() }),
  });
  const out = schema.parse({
    extra: { known: "k", kept: 1 },
    source: { kind: "git", url: "u", ref: "main" },
    plain: { a: "x", dropped: 1 },
  });
  assert.deepEqual(out, {
    extra: { known: "k", kept: 1 },
    source: { kind: "git", url: "u", ref: "main" },
    plain: { a: "x" },
  });
  assert.equal(z.globalRegistry.get(schema.shape.extra)?.description, "free-form");
  assert.equal(schema.safeParse({ extra: {}, source: { kind: "svn" }, plain: {} }).success, false);
});

Deno.test("intOrString: marks a plain int | string union, refuses anything else", () => {
  const port = intOrString(z.union([z.string(), z.int()])).describe("port");
  assert.equal(port.parse(80), 80);
  assert.equal(port.parse("http"), "http");
  assert.equal(port.safeParse(true).success, false);
  assert.equal(z.globalRegistry.get(port)?.description, "port");
  assert.throws(
    () => intOrString(z.union([z.int(), z.string().regex(/%$/)])),
    /intOrString: expected z\.union\(\[z\.int\(\), z\.string\(\)\]\) without further checks, found a union of number \| string with checks/,
  );
  assert.throws(
    () => intOrString(z.string() as z.ZodType<string | number>),
    /found a string$/,
  );
  assert.throws(
    () => intOrString({ _zod: { output: 1 } } as unknown as z.ZodType<number>),
    /expected the schema given to intOrString\(\) to be a zod 4 schema/,
  );
  assert.throws(
    () =>
      defineCustomResource({
        group: "demo.operatorkit.io",
        version: "v1",
        kind: "Thing",
        scope: "Cluster",
        spec: {} as unknown as z.ZodObject,
      }),
    /expected spec to be a zod 4 schema, found \[object Object\]/,
  );
});
