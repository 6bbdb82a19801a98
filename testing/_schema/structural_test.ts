import assert from "node:assert/strict";
import { applyDefaults, type JSONSchemaProps, prune, validateAgainstSchema } from "./structural.ts";

const widget: JSONSchemaProps = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      required: ["size"],
      properties: {
        size: { type: "string", enum: ["small", "large"] },
        replicas: { type: "integer", minimum: 1, maximum: 10 },
        ratio: { type: "number", exclusiveMaximum: true, maximum: 1 },
        name: { type: "string", minLength: 3, maxLength: 5, pattern: "^[a-z]+$" },
        when: { type: "string", format: "date-time" },
        id: { type: "string", format: "uuid" },
        count: { type: "integer", format: "int32" },
        port: { "x-kubernetes-int-or-string": true },
        tags: { type: "array", minItems: 1, maxItems: 2, items: { type: "string" } },
        ports: {
          type: "array",
          items: {
            type: "object",
            required: ["port"],
            properties: { port: { type: "integer" }, name: { type: "string" } },
          },
        },
        labels: { type: "object", additionalProperties: { type: "string" } },
        note: { type: "string", nullable: true },
        free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        template: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          "x-kubernetes-preserve-unknown-fields": true,
        },
      },
    },
  },
};

function obj(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: "x.io/v1", kind: "Widget", metadata: { name: "w" }, spec };
}

Deno.test("validateAgainstSchema: a valid object has no causes", () => {
  const causes = validateAgainstSchema(
    widget,
    obj({
      size: "small",
      replicas: 3,
      ratio: 0.5,
      name: "abc",
      when: "2024-01-02T03:04:05Z",
      id: "123e4567-e89b-12d3-a456-426614174000",
      count: 7,
      port: "http",
      tags: ["a"],
      ports: [{ port: 80 }],
      labels: { a: "b" },
      note: null,
      free: { anything: [1, { x: true }] },
      template: { apiVersion: "v1", kind: "Pod", spec: {} },
    }),
  );
  assert.deepEqual(causes, []);
});

Deno.test("validateAgainstSchema: maximum and minimum as kube words them", () => {
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", replicas: 11 })), [{
    reason: "FieldValueInvalid",
    field: "spec.replicas",
    message: "Invalid value: 11: spec.replicas in body should be less than or equal to 10",
  }]);
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", replicas: 0 })), [{
    reason: "FieldValueInvalid",
    field: "spec.replicas",
    message: "Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
  }]);
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", ratio: 1 })), [{
    reason: "FieldValueInvalid",
    field: "spec.ratio",
    message: "Invalid value: 1: spec.ratio in body should be less than 1",
  }]);
});

Deno.test("validateAgainstSchema: required and enum", () => {
  assert.deepEqual(validateAgainstSchema(widget, obj({})), [{
    reason: "FieldValueRequired",
    field: "spec.size",
    message: "Required value",
  }]);
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "medium" })), [{
    reason: "FieldValueNotSupported",
    field: "spec.size",
    message: 'Unsupported value: "medium": supported values: "small", "large"',
  }]);
  const numeric: JSONSchemaProps = {
    type: "object",
    properties: { n: { type: "integer", enum: [1, 2] } },
  };
  assert.equal(
    validateAgainstSchema(numeric, { n: 3 })[0].message,
    'Unsupported value: 3: supported values: "1", "2"',
  );
  const rootRequired: JSONSchemaProps = {
    type: "object",
    required: ["spec"],
    properties: { spec: { type: "object" } },
  };
  assert.deepEqual(validateAgainstSchema(rootRequired, { apiVersion: "a/v1", kind: "K" }), [{
    reason: "FieldValueRequired",
    field: "spec",
    message: "Required value",
  }]);
});

Deno.test("validateAgainstSchema: integer vs number vs string types", () => {
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", replicas: "3" })), [{
    reason: "FieldValueTypeInvalid",
    field: "spec.replicas",
    message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
  }]);
  // a fraction for an integer: kube-apiserver v1.36 answers with these two causes
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", replicas: 2.5 })), [
    {
      reason: "FieldValueTypeInvalid",
      field: "spec.replicas",
      message: 'Invalid value: "number": spec.replicas in body must be of type integer: "number"',
    },
    {
      reason: "FieldValueInvalid",
      field: "<nil>",
      message:
        'Invalid value: "": Checked value must be of type integer (default format) in spec.replicas',
    },
  ]);
  // an integer is a valid number
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", ratio: 0 })), []);
  assert.equal(
    validateAgainstSchema(widget, obj({ size: "small", port: true }))[0].message,
    'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
  );
  assert.equal(
    validateAgainstSchema(widget, obj({ size: "small", labels: { a: 1 } }))[0].message,
    'Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
  );
  assert.equal(
    validateAgainstSchema(widget, obj({ size: "small", tags: "a" }))[0].message,
    'Invalid value: "string": spec.tags in body must be of type array: "string"',
  );
});

Deno.test("validateAgainstSchema: null needs nullable", () => {
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", name: null })), [{
    reason: "FieldValueTypeInvalid",
    field: "spec.name",
    message: 'Invalid value: "null": spec.name in body must be of type string: "null"',
  }]);
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", note: null })), []);
});

Deno.test("validateAgainstSchema: string lengths and patterns", () => {
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", name: "abcdef" })), [{
    reason: "FieldValueTooLong",
    field: "spec.name",
    message: "Too long: may not be more than 5 bytes",
  }]);
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", name: "ab" })), [{
    reason: "FieldValueInvalid",
    field: "spec.name",
    message: 'Invalid value: "ab": spec.name in body should be at least 3 chars long',
  }]);
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", name: "AbC" })), [{
    reason: "FieldValueInvalid",
    field: "spec.name",
    message: "Invalid value: \"AbC\": spec.name in body should match '^[a-z]+$'",
  }]);
});

Deno.test("validateAgainstSchema: array bounds and item paths", () => {
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", tags: [] })), [{
    reason: "FieldValueInvalid",
    field: "spec.tags",
    message: "Invalid value: 0: spec.tags in body should have at least 1 items",
  }]);
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", tags: ["a", "b", "c"] })), [{
    reason: "FieldValueTooMany",
    field: "spec.tags",
    message: "Too many: 3: must have at most 2 items",
  }]);
  assert.deepEqual(
    validateAgainstSchema(widget, obj({ size: "small", ports: [{ port: 1 }, { name: "x" }] })),
    [{ reason: "FieldValueRequired", field: "spec.ports[1].port", message: "Required value" }],
  );
});

Deno.test("validateAgainstSchema: formats kube knows, lenient on others", () => {
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", when: "yesterday" })), [{
    reason: "FieldValueTypeInvalid",
    field: "spec.when",
    message: 'Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
  }]);
  assert.equal(validateAgainstSchema(widget, obj({ size: "small", id: "nope" })).length, 1);
  // int32 is never range-checked by kube-openapi
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", count: 2 ** 40 })), []);
  const s: JSONSchemaProps = {
    type: "object",
    properties: {
      d: { type: "string", format: "date" },
      b: { type: "string", format: "byte" },
      ip: { type: "string", format: "ipv4" },
      x: { type: "string", format: "made-up" },
    },
  };
  assert.deepEqual(
    validateAgainstSchema(s, { d: "2024-02-29", b: "aGk=", ip: "10.0.0.1", x: "?" }),
    [],
  );
  assert.deepEqual(
    validateAgainstSchema(s, { d: "2023-02-29", b: "a", ip: "300.1.1.1" }).map((c) => c.field),
    ["d", "b", "ip"],
  );
});

Deno.test("validateAgainstSchema: embedded resources need apiVersion and kind", () => {
  assert.deepEqual(validateAgainstSchema(widget, obj({ size: "small", template: { spec: {} } })), [
    {
      reason: "FieldValueRequired",
      field: "spec.template.apiVersion",
      message: "Required value",
    },
    {
      reason: "FieldValueRequired",
      field: "spec.template.kind",
      message: "Required value",
    },
  ]);
});

Deno.test("validateAgainstSchema: root apiVersion, kind and metadata are left to the server", () => {
  const s: JSONSchemaProps = {
    type: "object",
    required: ["metadata"],
    properties: { metadata: { type: "string" }, spec: { type: "object" } },
  };
  assert.deepEqual(validateAgainstSchema(s, { metadata: { name: "x" }, spec: {} }), []);
});

Deno.test("validateAgainstSchema: anyOf, oneOf, not and multipleOf", () => {
  const s: JSONSchemaProps = {
    type: "object",
    properties: {
      a: { type: "integer", multipleOf: 5 },
      b: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
      c: { type: "string", not: { enum: ["bad"] } },
    },
  };
  assert.deepEqual(validateAgainstSchema(s, { a: 10, b: "x", c: "good" }), []);
  assert.deepEqual(validateAgainstSchema(s, { a: 7, c: "bad" }), [
    {
      reason: "FieldValueInvalid",
      field: "a",
      message: "Invalid value: 7: a in body should be a multiple of 5",
    },
    {
      reason: "FieldValueInvalid",
      field: "c",
      message: 'Invalid value: "bad": "c" must not validate the schema (not)',
    },
  ]);
});

Deno.test("prune: drops undeclared fields and reports their paths", () => {
  const { value, pruned } = prune(
    widget,
    {
      ...obj({
        size: "small",
        foo: 1,
        ports: [{ port: 1, extra: true }],
        labels: { a: "b" },
        free: { kept: { deep: 1 } },
        template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", junk: 1 }, anything: 1 },
      }),
      status: { x: 1 },
    },
  );
  // sorted, as kube lists them in "strict decoding error: unknown field ..."
  assert.deepEqual(pruned, [
    "spec.foo",
    "spec.ports[0].extra",
    "spec.template.metadata.junk",
    "status",
  ]);
  assert.deepEqual(
    value,
    obj({
      size: "small",
      ports: [{ port: 1 }],
      labels: { a: "b" },
      free: { kept: { deep: 1 } },
      template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, anything: 1 },
    }),
  );
});

Deno.test("prune: keeps apiVersion, kind and metadata at the root even when undeclared", () => {
  const s: JSONSchemaProps = { type: "object", properties: { spec: { type: "object" } } };
  const input = {
    apiVersion: "a/v1",
    kind: "K",
    metadata: { name: "n", labels: { a: "b" } },
    spec: {},
  };
  const { value, pruned } = prune(s, input);
  assert.deepEqual(value, input);
  assert.deepEqual(pruned, []);
});

Deno.test("prune: does not modify its input", () => {
  const input = obj({ size: "small", foo: 1 });
  prune(widget, input);
  assert.equal((input.spec as Record<string, unknown>).foo, 1);
});

Deno.test("applyDefaults: fills absent fields, recursively, not under absent parents", () => {
  const s: JSONSchemaProps = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          replicas: { type: "integer", default: 1 },
          mode: { type: "string", default: "fast" },
          nested: {
            type: "object",
            properties: { depth: { type: "integer", default: 3 } },
          },
          withDefault: {
            type: "object",
            default: {},
            properties: { inner: { type: "string", default: "x" } },
          },
          ports: {
            type: "array",
            items: {
              type: "object",
              properties: { protocol: { type: "string", default: "TCP" } },
            },
          },
          byName: {
            type: "object",
            additionalProperties: {
              type: "object",
              properties: { weight: { type: "integer", default: 10 } },
            },
          },
        },
      },
    },
  };
  const input = {
    apiVersion: "a/v1",
    kind: "K",
    spec: { mode: "slow", ports: [{ port: 1 }, { protocol: "UDP" }], byName: { a: {} } },
  };
  assert.deepEqual(applyDefaults(s, input), {
    apiVersion: "a/v1",
    kind: "K",
    spec: {
      mode: "slow",
      replicas: 1,
      withDefault: { inner: "x" },
      ports: [{ port: 1, protocol: "TCP" }, { protocol: "UDP" }],
      byName: { a: { weight: 10 } },
    },
  });
  // absent parent without a default: nothing is created
  assert.deepEqual(applyDefaults(s, { apiVersion: "a/v1", kind: "K" }), {
    apiVersion: "a/v1",
    kind: "K",
  });
  // input untouched
  assert.equal((input.spec as Record<string, unknown>).replicas, undefined);
});

Deno.test("applyDefaults: a null for a non-nullable field takes the default or is dropped", () => {
  const s: JSONSchemaProps = {
    type: "object",
    properties: {
      a: { type: "integer", default: 5 },
      b: { type: "string" },
      c: { type: "string", nullable: true },
    },
  };
  assert.deepEqual(applyDefaults(s, { a: null, b: null, c: null }), { a: 5, c: null });
});

Deno.test("validateAgainstSchema: numbers print as Go prints them", () => {
  const s: JSONSchemaProps = {
    type: "object",
    properties: { x: { type: "number", minimum: 0.00005 }, y: { type: "number", maximum: 1.5 } },
  };
  assert.deepEqual(validateAgainstSchema(s, { x: 0.00001, y: 2.25 }).map((c) => c.message), [
    "Invalid value: 1e-05: x in body should be greater than or equal to 5e-05",
    "Invalid value: 2.25: y in body should be less than or equal to 1.5",
  ]);
});

Deno.test("validateAgainstSchema: CRD restrictions on metadata.name, list types, closed objects", () => {
  // expectations as kube-apiserver v1.36 answered them
  const s: JSONSchemaProps = {
    type: "object",
    properties: {
      metadata: { type: "object", properties: { name: { type: "string", maxLength: 8 } } },
      spec: {
        type: "object",
        properties: {
          set: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
          map: {
            type: "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            items: {
              type: "object",
              properties: { name: { type: "string" }, v: { type: "integer" } },
            },
          },
          closed: { type: "object", additionalProperties: false },
          props: {
            type: "object",
            minProperties: 1,
            maxProperties: 2,
            additionalProperties: { type: "string" },
          },
        },
      },
    },
  };
  const check = (name: string, spec: Record<string, unknown>) =>
    validateAgainstSchema(s, {
      apiVersion: "example.com/v1",
      kind: "Thing",
      metadata: { name },
      spec,
    })
      .map((c) => [c.reason, c.field, c.message]);
  assert.deepEqual(check("toolongname-here", {}), [
    ["FieldValueTooLong", "metadata.name", "Too long: may not be more than 8 bytes"],
  ]);
  assert.deepEqual(check("set", { set: ["a", "b", "a", "a"] }), [
    ["FieldValueDuplicate", "spec.set[2]", 'Duplicate value: "a"'],
  ]);
  assert.deepEqual(
    check("map", { map: [{ name: "x", v: 1 }, { name: "y" }, { name: "x", v: 2 }] }),
    [
      ["FieldValueDuplicate", "spec.map[2]", 'Duplicate value: {"name":"x"}'],
    ],
  );
  assert.deepEqual(check("closed", { closed: { a: 1 } }), [
    [
      "FieldValueInvalid",
      "spec.closed",
      'Invalid value: "a": spec.closed.a in body is a forbidden property',
    ],
  ]);
  assert.deepEqual(check("propsmin", { props: {} }), [
    [
      "FieldValueInvalid",
      "spec.props",
      "Invalid value: 0: spec.props in body should have at least 1 properties",
    ],
  ]);
  assert.deepEqual(check("propsmax", { props: { a: "1", b: "2", c: "3" } }), [
    ["FieldValueTooMany", "spec.props", "Too many: 3: must have at most 2 items"],
  ]);
  // pruning leaves a closed object's fields for validation to refuse
  assert.deepEqual(prune(s, { spec: { closed: { a: 1 } } }), {
    value: { spec: { closed: { a: 1 } } },
    pruned: [],
  });
});
