import assert from "node:assert/strict";
import { z } from "zod";
import { _toStructuralSchema, CustomResourceSchemaError } from "./_crd_schema.ts";
import { intOrString, preserveUnknown } from "./custom_resource.ts";

function zodPattern(schema: z.ZodType): string {
  return (schema._zod.def as unknown as { pattern: RegExp }).pattern.source;
}

Deno.test("structural schema: a rich spec, snapshot", () => {
  const spec = z.object({
    image: z.string().min(1).max(200).describe("Container image"),
    replicas: z.int().min(0).max(50).default(1),
    ratio: z.number().gt(0).lte(1).optional(),
    paused: z.boolean().default(false),
    mode: z.enum(["Fast", "Safe"]).default("Safe"),
    level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    email: z.email().optional(),
    createdAfter: z.iso.datetime().optional(),
    id: z.uuid().optional(),
    name: z.string().regex(/^[a-z][a-z0-9-]*$/),
    port: intOrString(z.union([z.int(), z.string()])).describe("port number or name"),
    labels: z.record(z.string(), z.string()).optional(),
    limits: z.record(z.string(), z.object({ cpu: z.string() })).optional(),
    values: z.record(z.string(), z.unknown()).optional(),
    extra: preserveUnknown(z.object({ known: z.string().optional() })).optional(),
    loose: z.looseObject({ a: z.int() }).optional(),
    anything: z.unknown(),
    note: z.string().nullable(),
    tags: z.array(z.string()).min(1).max(5).default(["a"]),
    rules: z.array(
      z.object({
        host: z.string(),
        paths: z.array(z.object({ path: z.string().default("/"), port: z.int32() })),
      }),
    ).optional(),
    nested: z.object({ deep: z.object({ x: z.number().multipleOf(0.5) }) }).optional(),
  });

  assert.deepEqual(_toStructuralSchema(spec, "spec"), {
    type: "object",
    properties: {
      image: { description: "Container image", type: "string", minLength: 1, maxLength: 200 },
      replicas: { type: "integer", default: 1, minimum: 0, maximum: 50 },
      ratio: { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1 },
      paused: { type: "boolean", default: false },
      mode: { type: "string", default: "Safe", enum: ["Fast", "Safe"] },
      level: { type: "integer", enum: [1, 2, 3] },
      // Known formats keep zod's own (RE2-compatible) pattern: the format alone is looser.
      email: { type: "string", format: "email", pattern: zodPattern(z.email()) },
      createdAfter: { type: "string", format: "date-time", pattern: zodPattern(z.iso.datetime()) },
      id: { type: "string", format: "uuid", pattern: zodPattern(z.uuid()) },
      name: { type: "string", pattern: "^[a-z][a-z0-9-]*$" },
      port: { description: "port number or name", "x-kubernetes-int-or-string": true },
      labels: { type: "object", additionalProperties: { type: "string" } },
      limits: {
        type: "object",
        additionalProperties: {
          type: "object",
          properties: { cpu: { type: "string" } },
          required: ["cpu"],
        },
      },
      values: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      extra: {
        type: "object",
        properties: { known: { type: "string" } },
        "x-kubernetes-preserve-unknown-fields": true,
      },
      loose: {
        type: "object",
        properties: { a: { type: "integer" } },
        required: ["a"],
        "x-kubernetes-preserve-unknown-fields": true,
      },
      anything: { "x-kubernetes-preserve-unknown-fields": true },
      note: { type: "string", nullable: true },
      tags: {
        type: "array",
        default: ["a"],
        minItems: 1,
        maxItems: 5,
        items: { type: "string" },
      },
      rules: {
        type: "array",
        items: {
          type: "object",
          properties: {
            host: { type: "string" },
            paths: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  path: { type: "string", default: "/" },
                  port: { type: "integer", format: "int32" },
                },
                required: ["port"],
              },
            },
          },
          required: ["host", "paths"],
        },
      },
      nested: {
        type: "object",
        properties: {
          deep: {
            type: "object",
            properties: { x: { type: "number", multipleOf: 0.5 } },
            required: ["x"],
          },
        },
        required: ["deep"],
      },
    },
    required: ["image", "level", "name", "port", "note"],
  });
});

Deno.test("structural schema: key order puts description and type first", () => {
  const s = _toStructuralSchema(z.int().min(1).default(2).describe("n"), "spec");
  assert.deepEqual(Object.keys(s), ["description", "type", "default", "minimum"]);
});

Deno.test("structural schema: no $schema, $ref, additionalProperties false, or safe-int bounds", () => {
  const shared = z.object({ a: z.int() });
  const s = _toStructuralSchema(
    z.strictObject({ one: shared, two: shared, n: z.int(), id: z.string().meta({ id: "x" }) }),
    "spec",
  );
  const text = JSON.stringify(s);
  for (const bad of ["$schema", "$ref", "$defs", "definitions", '"additionalProperties":false']) {
    assert.equal(text.includes(bad), false, `found ${bad} in ${text}`);
  }
  assert.deepEqual(s.properties?.n, { type: "integer" });
  assert.deepEqual(s.properties?.one, s.properties?.two);
  assert.deepEqual(s.properties?.id, { type: "string" });
});

Deno.test("structural schema: several patterns become allOf without types", () => {
  const s = _toStructuralSchema(z.string().regex(/^a/).regex(/b$/).startsWith("ab"), "spec");
  assert.equal(s.type, "string");
  assert.deepEqual(s.allOf, [{ pattern: "^a" }, { pattern: "b$" }, { pattern: "^ab.*" }]);
});

Deno.test("structural schema: nullable unions and enums", () => {
  assert.deepEqual(_toStructuralSchema(z.union([z.string(), z.null()]), "spec"), {
    type: "string",
    nullable: true,
  });
  assert.deepEqual(_toStructuralSchema(z.enum(["a", "b"]).nullable(), "spec"), {
    type: "string",
    nullable: true,
    enum: ["a", "b"],
  });
  assert.deepEqual(_toStructuralSchema(z.union([z.enum(["a"]), z.literal("b")]), "spec"), {
    type: "string",
    enum: ["a", "b"],
  });
});

Deno.test("structural schema: a union of objects marked preserveUnknown is free-form", () => {
  const source = preserveUnknown(
    z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("git"), url: z.string() }),
      z.object({ kind: z.literal("inline"), html: z.string() }),
    ]),
  ).describe("where the page comes from");
  assert.deepEqual(_toStructuralSchema(z.object({ source }), "spec").properties?.source, {
    description: "where the page comes from",
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
  });
});

function assertSchemaError(schema: z.ZodType, path: string, words: RegExp): void {
  assert.throws(
    () => _toStructuralSchema(schema, "spec"),
    (e: unknown) => {
      assert.ok(e instanceof CustomResourceSchemaError, `expected a schema error, got ${e}`);
      assert.equal(e.name, "CustomResourceSchemaError");
      assert.equal(e.path, path);
      assert.ok(e.message.startsWith(`${path}: `), e.message);
      assert.match(e.message, words);
      return true;
    },
  );
}

Deno.test("structural schema: unrepresentable constructs fail naming the path", () => {
  assertSchemaError(
    z.object({
      source: z.union([z.object({ git: z.string() }), z.object({ inline: z.string() })]),
    }),
    "spec.source",
    /union of objects.*preserveUnknown/,
  );
  assertSchemaError(
    z.object({ items: z.array(z.object({ n: z.string().transform((s) => s.length) })) }),
    "spec.items[*].n",
    /transform/,
  );
  assertSchemaError(
    z.object({ a: z.object({ b: z.int().refine((n) => n % 2 === 0) }) }),
    "spec.a.b",
    /refinement/,
  );
  assertSchemaError(
    z.object({ m: z.record(z.string(), z.string().trim()) }),
    "spec.m.*",
    /overwrite/,
  );
  assertSchemaError(z.object({ when: z.date() }), "spec.when", /z\.iso\.datetime/);
  assertSchemaError(z.object({ p: z.union([z.int(), z.string()]) }), "spec.p", /intOrString/);
  assertSchemaError(z.object({ t: z.tuple([z.string(), z.int()]) }), "spec.t", /tuple/);
  assertSchemaError(
    z.object({ e: z.object({ a: z.string() }).catchall(z.string()) }),
    "spec.e",
    /catchall/,
  );
  assertSchemaError(
    z.object({ k: z.record(z.enum(["a", "b"]), z.string()) }),
    "spec.k",
    /keyed by z\.string\(\)/,
  );
  assertSchemaError(z.object({ r: z.string().regex(/^(?!x)/) }), "spec.r", /RE2/);
  assertSchemaError(z.object({ r: z.string().regex(/abc/i) }), "spec.r", /without flags/);
  assertSchemaError(z.object({ "a.b": z.jwt() }), 'spec["a.b"]', /format.*jwt/);
  assertSchemaError(z.object({ e: z.enum({ A: "a", B: 1 }) }), "spec.e", /one type/);
});

Deno.test("structural schema: recursive schemas fail, unless marked preserveUnknown", () => {
  interface Node {
    name: string;
    children?: Node[];
  }
  const node: z.ZodType<Node> = z.lazy(() =>
    z.object({ name: z.string(), children: z.array(node).optional() })
  );
  assertSchemaError(z.object({ tree: node }), "spec.tree.children[*]", /recursive/);
  assert.deepEqual(
    _toStructuralSchema(z.object({ tree: preserveUnknown(node) }), "spec").properties?.tree,
    { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  );
});

Deno.test("structural schema: defaults are JSON, object defaults keep their shape", () => {
  const s = _toStructuralSchema(
    z.object({
      resources: z.object({ cpu: z.string().default("100m") }).default({ cpu: "100m" }),
      list: z.array(z.int()).default(() => [1, 2]),
    }),
    "spec",
  );
  assert.deepEqual(s.properties?.resources.default, { cpu: "100m" });
  assert.deepEqual(s.properties?.list.default, [1, 2]);
  assert.equal(s.required, undefined);
});

Deno.test("structural schema: formats with lookaround patterns keep only the format", () => {
  assert.deepEqual(_toStructuralSchema(z.hostname(), "spec"), {
    type: "string",
    format: "hostname",
  });
  assert.deepEqual(_toStructuralSchema(z.url(), "spec"), { type: "string", format: "uri" });
  assert.match(zodPattern(z.email()), /^\^.*@.*\$$/);
});

Deno.test("structural schema: an incomplete .default() fails, .prefault() is fine", () => {
  const resources = z.object({ cpu: z.string().default("100m"), memory: z.string().optional() });
  assertSchemaError(
    z.object({ resources: resources.default({} as { cpu: string }) }),
    "spec.resources",
    /complete default value, found \{\} .* \{"cpu":"100m"\}.*\.prefault\(\)/,
  );
  assertSchemaError(
    z.object({ n: z.int().min(5).default(1) }),
    "spec.n",
    /default value that passes the field's own schema, found 1/,
  );
  assert.deepEqual(
    _toStructuralSchema(z.object({ resources: resources.prefault({}) }), "spec").properties
      ?.resources.default,
    {},
  );
  assert.deepEqual(
    _toStructuralSchema(z.object({ resources: resources.default({ cpu: "1" }) }), "spec")
      .properties?.resources.default,
    { cpu: "1" },
  );
});
