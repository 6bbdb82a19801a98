// deno-lint-ignore-file no-explicit-any
import assert from "node:assert/strict";
import { validateCustomResourceDefinition } from "./crd_validation.ts";

function crd(patch: (c: Record<string, any>) => void = () => {}): Record<string, any> {
  const c: Record<string, any> = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [{
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                properties: {
                  replicas: { type: "integer", minimum: 0, maximum: 10, default: 1 },
                  labels: { type: "object", additionalProperties: { type: "string" } },
                  port: { "x-kubernetes-int-or-string": true },
                  raw: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                },
              },
              status: { type: "object", properties: { ready: { type: "boolean" } } },
            },
          },
        },
        subresources: {
          status: {},
          scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
        },
        additionalPrinterColumns: [{
          name: "Replicas",
          type: "integer",
          jsonPath: ".spec.replicas",
        }],
      }],
    },
  };
  patch(c);
  return c;
}

// One version (or identical schemas in all): kube reports schema errors at the top level,
// where its internal version keeps them.
const schemaPath = "spec.validation.openAPIV3Schema";

Deno.test("validateCustomResourceDefinition: a well-formed CRD is valid", () => {
  assert.deepEqual(validateCustomResourceDefinition(crd()), []);
  // singular and listKind default from kind
  assert.deepEqual(
    validateCustomResourceDefinition(crd((c) => {
      delete c.spec.names.singular;
      delete c.spec.names.listKind;
    })),
    [],
  );
});

Deno.test("validateCustomResourceDefinition: name must be plural.group", () => {
  assert.deepEqual(
    validateCustomResourceDefinition(crd((c) => c.metadata.name = "gadgets.example.com")),
    [{
      reason: "FieldValueInvalid",
      field: "metadata.name",
      message: 'Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group',
    }],
  );
  assert.deepEqual(validateCustomResourceDefinition(crd((c) => delete c.metadata.name)), [{
    reason: "FieldValueRequired",
    field: "metadata.name",
    message: "Required value: name or generateName is required",
  }]);
});

Deno.test("validateCustomResourceDefinition: group needs a dot", () => {
  const causes = validateCustomResourceDefinition(crd((c) => {
    c.spec.group = "example";
    c.metadata.name = "widgets.example";
  }));
  assert.deepEqual(causes, [{
    reason: "FieldValueInvalid",
    field: "spec.group",
    message: 'Invalid value: "example": should be a domain with at least one dot',
  }]);
});

Deno.test("validateCustomResourceDefinition: scope must be Namespaced or Cluster", () => {
  assert.deepEqual(validateCustomResourceDefinition(crd((c) => c.spec.scope = "Global")), [{
    reason: "FieldValueNotSupported",
    field: "spec.scope",
    message: 'Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
  }]);
  assert.deepEqual(validateCustomResourceDefinition(crd((c) => delete c.spec.scope)), [{
    reason: "FieldValueRequired",
    field: "spec.scope",
    message: "Required value",
  }]);
});

Deno.test("validateCustomResourceDefinition: names are lowercase labels, kind may be mixed case", () => {
  const causes = validateCustomResourceDefinition(crd((c) => {
    c.spec.names.plural = "Widgets";
    c.metadata.name = "Widgets.example.com";
    c.spec.names.kind = "Wid_get";
    c.spec.names.listKind = "Wid_get";
  }));
  const byField = Object.fromEntries(causes.map((c) => [c.field, c.message]));
  assert.match(
    byField["spec.names.plural"]!,
    /^Invalid value: "Widgets": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/,
  );
  assert.match(
    byField["spec.names.kind"]!,
    /^Invalid value: "Wid_get": may have mixed case, but should otherwise match: a DNS-1035 label/,
  );
  assert.equal(
    byField["spec.names.listKind"],
    'Invalid value: "Wid_get": kind and listKind may not be the same',
  );
  assert.match(byField["metadata.name"]!, /a lowercase RFC 1123 subdomain must consist of/);
  assert.deepEqual(
    validateCustomResourceDefinition(crd((c) => delete c.spec.names.plural)).map((
      c,
    ) => [c.field, c.message]),
    [
      [
        "metadata.name",
        'Invalid value: "widgets.example.com": must be spec.names.plural+"."+spec.group',
      ],
      ["spec.names.plural", "Required value"],
    ],
  );
});

Deno.test("validateCustomResourceDefinition: exactly one storage version", () => {
  const none = validateCustomResourceDefinition(crd((c) => c.spec.versions = []));
  assert.deepEqual(none.map((c) => [c.field, c.message]), [
    ["spec.versions", "Invalid value: []: must have exactly one version marked as storage version"],
    ["status.storedVersions", "Invalid value: null: must have at least one stored version"],
  ]);
  const two = validateCustomResourceDefinition(crd((c) => {
    c.spec.versions.push({ ...structuredClone(c.spec.versions[0]), name: "v2" });
  }));
  assert.equal(two.length, 2);
  assert.equal(two[0].field, "spec.versions");
  assert.match(two[0].message!, /must have exactly one version marked as storage version$/);
  assert.deepEqual(two[1], {
    reason: "FieldValueInvalid",
    field: "status.storedVersions",
    message: 'Invalid value: ["v1"]: must have the storage version v2',
  });
});

Deno.test("validateCustomResourceDefinition: schemas are required and must be structural", () => {
  assert.deepEqual(validateCustomResourceDefinition(crd((c) => delete c.spec.versions[0].schema)), [
    {
      reason: "FieldValueRequired",
      field: "spec.versions[0].schema.openAPIV3Schema",
      message: "Required value",
    },
  ]);
  const causes = validateCustomResourceDefinition(crd((c) => {
    const spec = c.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    delete spec.type;
    spec.properties.items = { type: "array" };
    spec.properties.list = { type: "array", items: { description: "no type" } };
  }));
  assert.deepEqual(causes.map((c) => [c.field, c.message]), [
    [`${schemaPath}.properties[spec].properties[items].items`, "Required value: must be specified"],
    [
      `${schemaPath}.properties[spec].properties[list].items.type`,
      "Required value: must not be empty for specified array items",
    ],
    [
      `${schemaPath}.properties[spec].type`,
      "Required value: must not be empty for specified object fields",
    ],
  ]);
});

Deno.test("validateCustomResourceDefinition: $ref, additionalProperties with properties, root rules", () => {
  const causes = validateCustomResourceDefinition(crd((c) => {
    const root = c.spec.versions[0].schema.openAPIV3Schema;
    root.properties.spec.properties.ref = { type: "object", $ref: "#/definitions/x" };
    root.properties.spec.additionalProperties = false;
    root.properties.metadata = { type: "object", properties: { labels: { type: "object" } } };
  }));
  const got = causes.map((c) => [c.field, c.message]);
  assert.deepEqual(got, [
    [
      `${schemaPath}.properties[metadata]`,
      "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
    ],
    [
      `${schemaPath}.properties[spec].additionalProperties`,
      "Forbidden: additionalProperties and properties are mutual exclusive",
    ],
    [`${schemaPath}.properties[spec].properties[ref].$ref`, "Forbidden: $ref is not supported"],
  ]);
  const rootType = validateCustomResourceDefinition(crd((c) => {
    c.spec.versions[0].subresources = undefined;
    c.spec.versions[0].schema.openAPIV3Schema = { type: "string" };
  }));
  assert.deepEqual(rootType.map((c) => [c.field, c.message]), [
    [`${schemaPath}.type`, 'Invalid value: "string": must be object at the root'],
  ]);
  const metaNameOnly = validateCustomResourceDefinition(crd((c) => {
    c.spec.versions[0].schema.openAPIV3Schema.properties.metadata = {
      type: "object",
      properties: { name: { type: "string", maxLength: 20 } },
    };
  }));
  assert.deepEqual(metaNameOnly, []);
});

Deno.test("validateCustomResourceDefinition: unknown types and status-enabled root", () => {
  const causes = validateCustomResourceDefinition(crd((c) => {
    const root = c.spec.versions[0].schema.openAPIV3Schema;
    root.properties.spec.properties.when = { type: "datetime" };
    root.nullable = true;
  }));
  assert.deepEqual(causes.map((c) => [c.field, c.message]), [
    [
      schemaPath,
      'Invalid value: {"nullable":true,"properties":{"spec":{"properties":{"labels":{"additionalProperties":{"type":"string"},"type":"object"},"port":{"x-kubernetes-int-or-string":true},"raw":{"type":"object","x-kubernetes-preserve-unknown-fields":true},"replicas":{"default":1,"maximum":10,"minimum":0,"type":"integer"},"when":{"type":"datetime"}},"type":"object"},"status":{"properties":{"ready":{"type":"boolean"}},"type":"object"}},"type":"object"}: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled',
    ],
    [`${schemaPath}.nullable`, "Forbidden: nullable cannot be true at the root"],
    [
      `${schemaPath}.properties[spec].properties[when].type`,
      'Unsupported value: "datetime": supported values: "array", "boolean", "integer", "number", "object", "string"',
    ],
  ]);
});

Deno.test("validateCustomResourceDefinition: subresources and printer columns", () => {
  const causes = validateCustomResourceDefinition(crd((c) => {
    c.spec.versions[0].subresources.scale = { specReplicasPath: ".status.replicas" };
    c.spec.versions[0].additionalPrinterColumns = [{
      name: "X",
      type: "float",
      jsonPath: "spec.x",
    }];
  }));
  assert.deepEqual(causes.map((c) => [c.field, c.message]), [
    [
      "spec.subresources.scale.specReplicasPath",
      'Invalid value: ".status.replicas": should be a json path under .spec',
    ],
    ["spec.subresources.scale.statusReplicasPath", "Required value"],
    [
      "spec.additionalPrinterColumns[0].type",
      'Invalid value: "float": must be one of boolean,date,integer,number,string',
    ],
    [
      "spec.additionalPrinterColumns[0].JSONPath",
      'Invalid value: "spec.x": must be a simple json path starting with .',
    ],
  ]);
});

Deno.test("validateCustomResourceDefinition: value validations must not declare structure", () => {
  const causes = validateCustomResourceDefinition(crd((c) => {
    const spec = c.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    spec.anyOf = [{ type: "object", properties: { other: { minimum: 1 } } }];
  }));
  assert.deepEqual(causes.map((c) => [c.field, c.message]), [
    [`${schemaPath}.properties[spec].anyOf[0].type`, "Forbidden: must be empty to be structural"],
    [
      `${schemaPath}.properties[spec].properties[other]`,
      `Required value: because it is defined in ${schemaPath}.properties[spec].anyOf[0].properties[other]`,
    ],
  ]);
  // the int-or-string pattern is allowed
  assert.deepEqual(
    validateCustomResourceDefinition(crd((c) => {
      c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.port = {
        "x-kubernetes-int-or-string": true,
        anyOf: [{ type: "integer" }, { type: "string" }],
      };
    })),
    [],
  );
});

Deno.test("validateCustomResourceDefinition: defaults are forbidden in top-level metadata", () => {
  const causes = validateCustomResourceDefinition(crd((c) => {
    c.spec.versions[0].schema.openAPIV3Schema.properties.metadata = { type: "object", default: {} };
  }));
  assert.deepEqual(causes.map((c) => [c.field, c.message]), [
    [
      `${schemaPath}.properties[metadata].default`,
      "Forbidden: must not be set in top-level metadata",
    ],
  ]);
});

Deno.test("validateCustomResourceDefinition: defaults must satisfy their schema", () => {
  const causes = validateCustomResourceDefinition(crd((c) => {
    c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.n = {
      type: "integer",
      maximum: 3,
      default: 5,
    };
  }));
  // the double space is kube's: the default is validated with an empty path name
  assert.deepEqual(causes.map((c) => [c.field, c.message]), [
    [
      `${schemaPath}.properties[spec].properties[n].default`,
      "Invalid value: 5:  in body should be less than or equal to 3",
    ],
  ]);
});

Deno.test("validateCustomResourceDefinition: versions with different schemas are reported per version", () => {
  const causes = validateCustomResourceDefinition(crd((c) => {
    const v2 = structuredClone(c.spec.versions[0]);
    v2.name = "v2";
    v2.storage = false;
    v2.schema.openAPIV3Schema.properties.spec.properties.bad = { description: "no type" };
    c.spec.versions.push(v2);
  }));
  assert.deepEqual(causes.map((c) => [c.field, c.message]), [
    [
      "spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[bad].type",
      "Required value: must not be empty for specified object fields",
    ],
  ]);
});
