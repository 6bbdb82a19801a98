// CustomResourceDefinition (apiextensions.k8s.io/v1) validation on create, after apiextensions'
// ValidateCustomResourceDefinition. Field paths are the internal ones kube reports (for example
// `additionalPrinterColumns[0].JSONPath`), defaults of the v1 API (singular, listKind, conversion
// strategy) are applied before checking, as kube's decoding does.
import type { StatusCause } from "../../client/types.ts";
import { forbidden, invalid, notSupported, required } from "./_field_error.ts";
import { _validateOpenAPISchema, _validateStructural } from "./_structural_check.ts";
import { _validateValue, applyDefaults, type JSONSchemaProps } from "./structural.ts";

type _Json = Record<string, unknown>;

const _dns1123SubdomainFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const _dns1123Subdomain = new RegExp(`^${_dns1123SubdomainFmt}$`);
const _dns1035Fmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const _dns1035 = new RegExp(`^${_dns1035Fmt}$`);

function _obj(v: unknown): _Json {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v as _Json : {};
}

function _str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** apimachinery's IsDNS1123Subdomain messages. */
function _isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push("must be no more than 253 characters");
  if (!_dns1123Subdomain.test(v)) {
    errs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" +
        _dns1123SubdomainFmt + "')",
    );
  }
  return errs;
}

/** apimachinery's IsDNS1035Label messages. */
function _isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push("must be no more than 63 characters");
  if (!_dns1035.test(v)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '" +
        _dns1035Fmt + "')",
    );
  }
  return errs;
}

function _enumString(field: string, value: string, accepted: string[], out: StatusCause[]): void {
  if (value === "") out.push(required(field));
  else if (!accepted.includes(value)) out.push(notSupported(field, value, accepted));
}

const _allowedAtRootWithStatus: Record<string, string> = {
  description: "Description",
  type: "Type",
  format: "Format",
  title: "Title",
  maximum: "Maximum",
  exclusiveMaximum: "ExclusiveMaximum",
  minimum: "Minimum",
  exclusiveMinimum: "ExclusiveMinimum",
  maxLength: "MaxLength",
  minLength: "MinLength",
  pattern: "Pattern",
  maxItems: "MaxItems",
  minItems: "MinItems",
  uniqueItems: "UniqueItems",
  multipleOf: "MultipleOf",
  required: "Required",
  items: "Items",
  properties: "Properties",
  externalDocs: "ExternalDocs",
  example: "Example",
  "x-kubernetes-preserve-unknown-fields": "XPreserveUnknownFields",
  "x-kubernetes-validations": "XValidations",
};

function _isZero(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === "" || v === 0 ||
    (Array.isArray(v) && v.length === 0);
}

function _validateSchema(
  schema: JSONSchemaProps,
  statusEnabled: boolean,
  path: string,
): StatusCause[] {
  const out: StatusCause[] = [];
  if (statusEnabled) {
    if (schema.type !== undefined && schema.type !== "" && schema.type !== "object") {
      out.push(
        invalid(
          `${path}.type`,
          schema.type,
          'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
        ),
      );
    }
    const bad = Object.entries(schema).some(([k, v]) =>
      !_isZero(v) && !(k in _allowedAtRootWithStatus)
    );
    if (bad) {
      out.push(
        invalid(
          path,
          schema,
          `only [${
            Object.values(_allowedAtRootWithStatus).join(" ")
          }] fields are allowed at the root of the schema if the status subresource is enabled`,
        ),
      );
    }
  }
  if (schema.nullable === true) {
    out.push(forbidden(`${path}.nullable`, "nullable cannot be true at the root"));
  }
  const structural = _validateStructural(schema, path);
  out.push(...structural);
  if (structural.length === 0) _validateDefaults(schema, path, true, out);
  _validateOpenAPISchema(schema, path, { isRoot: true, insideMeta: false }, out);
  return out;
}

// Every default must validate against its own schema node (kube's ValidateDefaults); the
// default is first completed with the defaults nested inside it.
function _validateDefaults(s: JSONSchemaProps, path: string, isRoot: boolean, out: StatusCause[]) {
  if (typeof s !== "object" || s === null) return;
  if (s.default !== undefined) {
    const base = `${path}.default`;
    for (const c of _validateValue(s, applyDefaults(s, structuredClone(s.default)))) {
      out.push({ ...c, field: c.field ? `${base}.${c.field}` : base });
    }
  }
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (isRoot && k === "metadata") continue;
    _validateDefaults(p, `${path}.properties[${k}]`, false, out);
  }
  if (typeof s.items === "object" && s.items !== null) {
    _validateDefaults(s.items, `${path}.items`, false, out);
  }
  if (typeof s.additionalProperties === "object") {
    _validateDefaults(s.additionalProperties, `${path}.additionalProperties`, false, out);
  }
}

// kube converts v1 CRDs to its internal version before validating: a setting that is the same
// in every version (schema, subresources, printer columns) moves to the top level of the spec,
// and its errors are reported there (`spec.validation.openAPIV3Schema...`).
function _sameInAll(versions: _Json[], key: string): boolean {
  const first = JSON.stringify(_canonical(versions[0]?.[key]));
  return versions.every((v) => JSON.stringify(_canonical(v[key])) === first);
}

function _canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(_canonical);
  if (typeof v === "object" && v !== null) {
    const o = v as _Json;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, _canonical(o[k])]));
  }
  return v;
}

function _simpleJsonPath(field: string, s: string, out: StatusCause[]): boolean {
  if (s.length === 0) {
    out.push(invalid(field, s, "must not be empty"));
    return false;
  }
  if (s[0] !== ".") {
    out.push(invalid(field, s, "must be a simple json path starting with ."));
    return false;
  }
  return true;
}

function _validateSubresources(sub: unknown, path: string, out: StatusCause[]): void {
  if (sub === undefined || sub === null) return;
  const scale = _obj(sub).scale;
  if (scale === undefined || scale === null) return;
  const sc = _obj(scale);
  const check = (key: string, prefixes: string[], detail: string, requiredField: boolean) => {
    const field = `${path}.scale.${key}`;
    const v = _str(sc[key]);
    if (v === "") {
      if (requiredField) out.push(required(field));
      return;
    }
    if (_simpleJsonPath(field, v, out) && !prefixes.some((p) => v.startsWith(p))) {
      out.push(invalid(field, v, detail));
    }
  };
  check("specReplicasPath", [".spec."], "should be a json path under .spec", true);
  check("statusReplicasPath", [".status."], "should be a json path under .status", true);
  check(
    "labelSelectorPath",
    [".spec.", ".status."],
    "should be a json path under either .spec or .status",
    false,
  );
}

const _columnTypes = ["boolean", "date", "integer", "number", "string"];
const _columnFormats = [
  "byte",
  "date",
  "date-time",
  "double",
  "float",
  "int32",
  "int64",
  "password",
];

function _validateColumn(col: _Json, path: string, out: StatusCause[]): void {
  if (_str(col.name) === "") out.push(required(`${path}.name`));
  const type = _str(col.type);
  const typeDetail = `must be one of ${_columnTypes.join(",")}`;
  if (type === "") out.push(required(`${path}.type`, typeDetail));
  else if (!_columnTypes.includes(type)) out.push(invalid(`${path}.type`, type, typeDetail));
  const format = _str(col.format);
  if (format !== "" && !_columnFormats.includes(format)) {
    out.push(invalid(`${path}.format`, format, `must be one of ${_columnFormats.join(",")}`));
  }
  const jsonPath = _str(col.jsonPath);
  if (jsonPath === "") out.push(required(`${path}.JSONPath`));
  else _simpleJsonPath(`${path}.JSONPath`, jsonPath, out);
}

function _validateNames(names: _Json, path: string, out: StatusCause[]): void {
  const plural = _str(names.plural);
  const singular = _str(names.singular);
  const kind = _str(names.kind);
  const listKind = _str(names.listKind);
  if (plural === "") out.push(required(`${path}.plural`));
  if (singular === "") out.push(required(`${path}.singular`));
  if (kind === "") out.push(required(`${path}.kind`));
  if (listKind === "") out.push(required(`${path}.listKind`));
  const label = (field: string, v: string) => {
    const errs = _isDNS1035Label(v);
    if (v !== "" && errs.length > 0) out.push(invalid(field, v, errs.join(",")));
  };
  label(`${path}.plural`, plural);
  label(`${path}.singular`, singular);
  for (const [field, v] of [[`${path}.kind`, kind], [`${path}.listKind`, listKind]]) {
    const errs = _isDNS1035Label(v.toLowerCase());
    if (v !== "" && errs.length > 0) {
      out.push(
        invalid(field, v, "may have mixed case, but should otherwise match: " + errs.join(",")),
      );
    }
  }
  const shortNames = Array.isArray(names.shortNames) ? names.shortNames : [];
  shortNames.forEach((s, i) => label(`${path}.shortNames[${i}]`, _str(s)));
  if (kind !== "" && kind === listKind) {
    out.push(invalid(`${path}.listKind`, listKind, "kind and listKind may not be the same"));
  }
  const categories = Array.isArray(names.categories) ? names.categories : [];
  categories.forEach((c, i) => label(`${path}.categories[${i}]`, _str(c)));
}

/**
 * Validates a CustomResourceDefinition (apiextensions.k8s.io/v1) as kube-apiserver does on
 * create/update: name is `<plural>.<group>`, group has a dot, exactly one storage version,
 * structural schemas. Returns causes (empty when valid); the server answers 422 with them.
 */
export function validateCustomResourceDefinition(crd: Record<string, unknown>): StatusCause[] {
  const out: StatusCause[] = [];
  const meta = _obj(crd.metadata);
  const spec = _obj(crd.spec);
  const names: _Json = { ..._obj(spec.names) };
  const kind = _str(names.kind);
  if (_str(names.singular) === "" && kind !== "") names.singular = kind.toLowerCase();
  if (_str(names.listKind) === "" && kind !== "") names.listKind = `${kind}List`;
  const plural = _str(names.plural);
  const group = _str(spec.group);

  // metadata
  const name = _str(meta.name);
  if (name === "" && _str(meta.generateName) === "") {
    out.push(required("metadata.name", "name or generateName is required"));
  } else if (name !== "") {
    const msgs = _isDNS1123Subdomain(name);
    if (name !== `${plural}.${group}`) msgs.push('must be spec.names.plural+"."+spec.group');
    for (const m of msgs) out.push(invalid("metadata.name", name, m));
  }

  // group and scope
  if (group === "") {
    out.push(required("spec.group"));
  } else if (_isDNS1123Subdomain(group).length > 0) {
    out.push(invalid("spec.group", group, _isDNS1123Subdomain(group).join(",")));
  } else if (!group.includes(".")) {
    out.push(invalid("spec.group", group, "should be a domain with at least one dot"));
  }
  _enumString("spec.scope", _str(spec.scope), ["Cluster", "Namespaced"], out);

  // versions
  const versions = Array.isArray(spec.versions) ? spec.versions.map(_obj) : [];
  const topSchema = versions.length > 0 && _sameInAll(versions, "schema");
  const topSubresources = versions.length > 0 && _sameInAll(versions, "subresources");
  const topColumns = versions.length > 0 && _sameInAll(versions, "additionalPrinterColumns");
  const anyStatus = versions.some((v) => {
    const st = _obj(v.subresources).status;
    return st !== undefined && st !== null;
  });
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const path = `spec.versions[${i}]`;
    const vname = _str(v.name);
    if (v.storage === true) storage++;
    if (seen.has(vname)) unique = false;
    seen.add(vname);
    const errs = _isDNS1035Label(vname);
    if (errs.length > 0) out.push(invalid(`${path}.name`, vname, errs.join(",")));
    if (!v.deprecated && v.deprecationWarning !== undefined && v.deprecationWarning !== null) {
      out.push(
        invalid(
          `${path}.deprecationWarning`,
          v.deprecationWarning,
          "can only be set for deprecated versions",
        ),
      );
    }
    const schema = _obj(v.schema).openAPIV3Schema;
    const subresources = v.subresources;
    const statusEnabled = topSchema
      ? anyStatus
      : _obj(subresources).status !== undefined && _obj(subresources).status !== null;
    if (schema === undefined || schema === null) {
      out.push(required(`${path}.schema.openAPIV3Schema`));
    } else if (topSchema && i > 0) {
      // reported once, for the top level
    } else if (typeof schema !== "object" || Array.isArray(schema)) {
      out.push(invalid(`${path}.schema.openAPIV3Schema`, schema, "must be an object"));
    } else {
      const at = topSchema ? "spec.validation.openAPIV3Schema" : `${path}.schema.openAPIV3Schema`;
      out.push(..._validateSchema(schema as JSONSchemaProps, statusEnabled, at));
    }
    if (!topSubresources || i === 0) {
      const at = topSubresources ? "spec.subresources" : `${path}.subresources`;
      _validateSubresources(subresources, at, out);
    }
    if (!topColumns || i === 0) {
      const columns = Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : [];
      const at = topColumns ? "spec.additionalPrinterColumns" : `${path}.additionalPrinterColumns`;
      columns.forEach((c, j) => _validateColumn(_obj(c), `${at}[${j}]`, out));
    }
  });
  if (!unique) {
    out.push(invalid("spec.versions", spec.versions, "must contain unique version names"));
  }
  if (storage !== 1) {
    out.push(
      invalid(
        "spec.versions",
        spec.versions ?? [],
        "must have exactly one version marked as storage version",
      ),
    );
  }

  // names
  _validateNames(names, "spec.names", out);

  // status.storedVersions: on create the server records the first storage version
  const firstStorage = versions.find((v) => v.storage === true);
  if (firstStorage === undefined) {
    out.push(invalid("status.storedVersions", null, "must have at least one stored version"));
  } else {
    const stored = _str(firstStorage.name);
    for (const v of versions) {
      if (v.storage === true && _str(v.name) !== stored) {
        out.push(
          invalid(
            "status.storedVersions",
            [stored],
            `must have the storage version ${_str(v.name)}`,
          ),
        );
      }
    }
  }

  // conversion and preserveUnknownFields
  if (spec.conversion !== undefined && spec.conversion !== null) {
    const conv = _obj(spec.conversion);
    const strategy = _str(conv.strategy);
    _enumString("spec.conversion.strategy", strategy, ["None", "Webhook"], out);
    const webhook = _obj(conv.webhook);
    if (strategy === "Webhook" && webhook.clientConfig === undefined) {
      out.push(
        required("spec.conversion.webhookClientConfig", "required when strategy is set to Webhook"),
      );
    } else if (strategy !== "Webhook" && conv.webhook !== undefined) {
      out.push(
        forbidden(
          "spec.conversion.webhookClientConfig",
          "should not be set when strategy is not set to Webhook",
        ),
      );
    }
  }
  if (spec.preserveUnknownFields === true) {
    out.push(
      invalid(
        "spec.preserveUnknownFields",
        true,
        "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
      ),
    );
  }
  return out;
}
