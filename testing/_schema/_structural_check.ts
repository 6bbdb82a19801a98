// Whether a CRD's openAPIV3Schema is structural, and the other per-schema rules of
// apiextensions' CRD validation (schema/validation.go ValidateStructural and
// validation.go ValidateCustomResourceDefinitionOpenAPISchema), worded as kube words them.
import type { StatusCause } from "../../client/types.ts";
import { forbidden, invalid, notSupported, required } from "./_field_error.ts";
import type { JSONSchemaProps } from "./structural.ts";

type _S = JSONSchemaProps;
type _Level = "root" | "item" | "field";

const _types = ["array", "boolean", "integer", "number", "object", "string"];
const _meta = new Set(["apiVersion", "kind", "metadata"]);

function _isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function _key(path: string, k: string): string {
  return `${path}[${k}]`;
}

function _isIntOrStringAnyOf(anyOf: unknown): boolean {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const [a, b] = anyOf as _S[];
  const only = (s: _S, t: string) => _isObj(s) && s.type === t && Object.keys(s).length === 1;
  return only(a, "integer") && only(b, "string");
}

/** The structural invariants; returns causes sorted as kube sorts them (by their full text). */
export function _validateStructural(schema: _S, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  _invariants(schema, "root", path, out);
  _completeness(schema, path, out);
  const text = (c: StatusCause) => `${c.field}: ${c.message}`;
  return out.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

function _invariants(s: _S | undefined, lvl: _Level, path: string, out: StatusCause[]): void {
  if (!_isObj(s)) return;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  if (s.type === "array" && s.items === undefined) {
    out.push(required(`${path}.items`, "must be specified"));
  }
  if (_isObj(s.items)) _invariants(s.items, "item", `${path}.items`, out);
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    _invariants(v, "field", `${path}.properties${_key("", k)}`, out);
  }
  if (s.additionalProperties !== undefined) {
    if (lvl === "root") {
      out.push(forbidden(`${path}.additionalProperties`, "must not be used at the root"));
    }
    if (_isObj(s.additionalProperties)) {
      _invariants(s.additionalProperties as _S, "field", `${path}.additionalProperties`, out);
    }
  }
  if (intOrString && preserve) {
    out.push(
      invalid(
        `${path}.x-kubernetes-preserve-unknown-fields`,
        true,
        "must be false if x-kubernetes-int-or-string is true",
      ),
    );
  }
  if (intOrString && embedded) {
    out.push(
      invalid(
        `${path}.x-kubernetes-embedded-resource`,
        true,
        "must be false if x-kubernetes-int-or-string is true",
      ),
    );
  }
  const skipAnyOf = _isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = Array.isArray(s.allOf) && s.allOf.length > 0 &&
    _isIntOrStringAnyOf((s.allOf[0] as _S)?.anyOf);
  _valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, path, out);

  if (embedded && s.type !== "object") {
    out.push(
      s.type
        ? invalid(
          `${path}.type`,
          s.type,
          "must be object if x-kubernetes-embedded-resource is true",
        )
        : required(`${path}.type`, "must be object if x-kubernetes-embedded-resource is true"),
    );
  } else if (!s.type && !intOrString && !preserve) {
    const detail = lvl === "root"
      ? "must not be empty at the root"
      : lvl === "item"
      ? "must not be empty for specified array items"
      : "must not be empty for specified object fields";
    out.push(required(`${path}.type`, detail));
  }
  if (embedded && s.additionalProperties !== undefined) {
    out.push(
      forbidden(
        `${path}.additionalProperties`,
        "must not be used if x-kubernetes-embedded-resource is set",
      ),
    );
  }
  if (lvl === "root" && s.type && s.type !== "object") {
    out.push(invalid(`${path}.type`, s.type, "must be object at the root"));
  }
  const props = s.properties ?? {};
  if (lvl === "root" || embedded) {
    const p = (k: string) => `${path}.properties${_key("", k)}.type`;
    if (props.kind && props.kind.type !== "string") {
      out.push(invalid(p("kind"), props.kind.type ?? "", "must be string"));
    }
    if (props.apiVersion && props.apiVersion.type !== "string") {
      out.push(invalid(p("apiVersion"), props.apiVersion.type ?? "", "must be string"));
    }
    if (props.metadata && props.metadata.type !== "object") {
      out.push(invalid(p("metadata"), props.metadata.type ?? "", "must be object"));
    }
  }
  if (lvl === "root" && props.metadata) {
    const m: Record<string, unknown> = { ...props.metadata };
    const mp = (m.properties ?? {}) as Record<string, unknown>;
    const names = Object.keys(mp);
    if (names.length > 0 && names.every((n) => n === "name" || n === "generateName")) {
      delete m.properties;
    }
    delete m.type;
    delete m.default;
    const rest = Object.entries(m).filter(([, v]) => v !== undefined && v !== false && v !== "");
    if (rest.length > 0) {
      out.push(
        forbidden(
          `${path}.properties[metadata]`,
          "must not specify anything other than name and generateName, but metadata is implicitly specified",
        ),
      );
    }
  }
  if (embedded && !preserve && Object.keys(props).length === 0) {
    out.push(
      required(
        `${path}.properties`,
        "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
      ),
    );
  }
}

function _valueValidation(
  v: _S,
  skipAnyOf: boolean,
  skipFirstAllOfAnyOf: boolean,
  path: string,
  out: StatusCause[],
): void {
  if (!skipAnyOf) {
    (v.anyOf ?? []).forEach((n, i) => _nested(n, false, `${path}.anyOf[${i}]`, out));
  }
  (v.allOf ?? []).forEach((n, i) =>
    _nested(n, skipFirstAllOfAnyOf && i === 0, `${path}.allOf[${i}]`, out)
  );
  (v.oneOf ?? []).forEach((n, i) => _nested(n, false, `${path}.oneOf[${i}]`, out));
  if (v.not !== undefined) _nested(v.not, false, `${path}.not`, out);
  if (typeof v.pattern === "string") {
    try {
      new RegExp(v.pattern, "u");
    } catch (e) {
      out.push(
        invalid(
          `${path}.pattern`,
          v.pattern,
          `must be a valid regular expression, but isn't: ${(e as Error).message}`,
        ),
      );
    }
  }
}

function _nested(v: _S, skipAnyOf: boolean, path: string, out: StatusCause[]): void {
  if (!_isObj(v)) return;
  _valueValidation(v, skipAnyOf, false, path, out);
  if (_isObj(v.items)) _nested(v.items, false, `${path}.items`, out);
  for (const [k, p] of Object.entries(v.properties ?? {})) {
    _nested(p, false, `${path}.properties[${k}]`, out);
  }
  const rule = (key: string, detail: string, set: boolean) => {
    if (set) out.push(forbidden(`${path}.${key}`, detail));
  };
  rule("type", "must be empty to be structural", !!v.type);
  rule(
    "additionalProperties",
    "must be undefined to be structural",
    v.additionalProperties !== undefined,
  );
  rule("default", "must be undefined to be structural", v.default !== undefined);
  rule("title", "must be empty to be structural", !!v.title);
  rule("description", "must be empty to be structural", !!v.description);
  rule("nullable", "must be false to be structural", v.nullable === true);
  for (
    const x of [
      "x-kubernetes-preserve-unknown-fields",
      "x-kubernetes-embedded-resource",
      "x-kubernetes-int-or-string",
    ]
  ) {
    rule(x, "must be false to be structural", v[x] === true);
  }
  rule(
    "x-kubernetes-list-map-keys",
    "must be empty to be structural",
    Array.isArray(v["x-kubernetes-list-map-keys"]) &&
      (v["x-kubernetes-list-map-keys"] as unknown[]).length > 0,
  );
  rule(
    "x-kubernetes-list-type",
    "must be undefined to be structural",
    v["x-kubernetes-list-type"] !== undefined,
  );
  if (v.properties?.metadata !== undefined) {
    out.push(
      forbidden(`${path}.properties[metadata]`, "must not be specified in a nested context"),
    );
  }
}

// Every field or items a value validation (anyOf, allOf, oneOf, not) mentions must also be
// specified in the structural part.
function _completeness(s: _S | undefined, path: string, out: StatusCause[]): void {
  if (!_isObj(s)) return;
  const check = (v: _S | undefined, vPath: string) => _vvCompleteness(v, s, path, vPath, out);
  (s.allOf ?? []).forEach((v, i) => check(v, `${path}.allOf[${i}]`));
  (s.anyOf ?? []).forEach((v, i) => check(v, `${path}.anyOf[${i}]`));
  (s.oneOf ?? []).forEach((v, i) => check(v, `${path}.oneOf[${i}]`));
  if (s.not !== undefined) check(s.not, `${path}.not`);
  if (_isObj(s.items)) _completeness(s.items, `${path}.items`, out);
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    _completeness(p, `${path}.properties[${k}]`, out);
  }
  if (_isObj(s.additionalProperties)) {
    _completeness(s.additionalProperties as _S, `${path}.additionalProperties`, out);
  }
}

function _vvCompleteness(
  v: _S | undefined,
  s: _S,
  sPath: string,
  vPath: string,
  out: StatusCause[],
) {
  if (!_isObj(v)) return;
  for (const [k, vf] of Object.entries(v.properties ?? {})) {
    const sf = s.properties?.[k];
    if (sf === undefined) {
      if (!_isObj(s.additionalProperties)) {
        out.push(
          required(
            `${sPath}.properties[${k}]`,
            `because it is defined in ${vPath}.properties[${k}]`,
          ),
        );
      }
    } else {
      _vvCompleteness(vf, sf, `${sPath}.properties[${k}]`, `${vPath}.properties[${k}]`, out);
    }
  }
  if (_isObj(v.items)) {
    if (!_isObj(s.items)) {
      out.push(required(`${sPath}.items`, `because it is defined in ${vPath}.items`));
    } else {
      _vvCompleteness(v.items, s.items, `${sPath}.items`, `${vPath}.items`, out);
    }
  }
}

/** ValidateCustomResourceDefinitionOpenAPISchema: the rules that hold for every schema node. */
export function _validateOpenAPISchema(
  s: _S | undefined,
  path: string,
  opts: { isRoot: boolean; insideMeta: boolean; noDefaults?: string },
  out: StatusCause[],
): void {
  if (!_isObj(s)) return;
  if (s.type && !_types.includes(s.type)) out.push(notSupported(`${path}.type`, s.type, _types));
  if (s.default !== undefined && opts.noDefaults !== undefined) {
    out.push(forbidden(`${path}.default`, `must not be set ${opts.noDefaults}`));
  }
  const unsupported: [string, string][] = [
    ["id", "id is not supported"],
    ["additionalItems", "additionalItems is not supported"],
    ["patternProperties", "patternProperties is not supported"],
    ["definitions", "definitions is not supported"],
    ["dependencies", "dependencies is not supported"],
    ["$ref", "$ref is not supported"],
  ];
  for (const [k, detail] of unsupported) {
    if (s[k] !== undefined && s[k] !== "") out.push(forbidden(`${path}.${k}`, detail));
  }
  if (s.type === "null") {
    out.push(
      forbidden(`${path}.type`, "type cannot be set to null, use nullable as an alternative"),
    );
  }
  if (Array.isArray(s.items)) {
    out.push(forbidden(`${path}.items`, "items must be a schema object and not an array"));
  }
  if (opts.insideMeta && s["x-kubernetes-embedded-resource"] === true) {
    out.push(
      forbidden(
        `${path}.x-kubernetes-embedded-resource`,
        "must not be used inside of resource meta",
      ),
    );
  }
  if (s.uniqueItems === true) {
    out.push(
      forbidden(
        `${path}.uniqueItems`,
        "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
      ),
    );
  }
  const props = s.properties ?? {};
  if (s.additionalProperties !== undefined) {
    if (Object.keys(props).length > 0 && s.additionalProperties !== true) {
      out.push(
        forbidden(
          `${path}.additionalProperties`,
          "additionalProperties and properties are mutual exclusive",
        ),
      );
    }
    if (_isObj(s.additionalProperties)) {
      _validateOpenAPISchema(s.additionalProperties as _S, `${path}.additionalProperties`, {
        isRoot: false,
        insideMeta: opts.insideMeta,
        noDefaults: opts.insideMeta
          ? "inside additionalProperties applying to object metadata"
          : opts.noDefaults,
      }, out);
    }
  }
  for (const [k, p] of Object.entries(props)) {
    let sub = { isRoot: false, insideMeta: opts.insideMeta, noDefaults: opts.noDefaults };
    if ((opts.isRoot || s["x-kubernetes-embedded-resource"] === true) && _meta.has(k)) {
      sub = { ...sub, insideMeta: true };
      if (opts.isRoot) sub.noDefaults = `in top-level ${k}`;
    }
    _validateOpenAPISchema(p, `${path}.properties[${k}]`, sub, out);
  }
  const plain = { isRoot: false, insideMeta: opts.insideMeta, noDefaults: opts.noDefaults };
  if (s.not !== undefined) _validateOpenAPISchema(s.not, `${path}.not`, plain, out);
  for (const k of ["allOf", "oneOf", "anyOf"] as const) {
    (s[k] ?? []).forEach((n, i) => _validateOpenAPISchema(n, `${path}.${k}[${i}]`, plain, out));
  }
  if (_isObj(s.items)) _validateOpenAPISchema(s.items, `${path}.items`, plain, out);
  if (s["x-kubernetes-preserve-unknown-fields"] === false) {
    out.push(
      invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, "must be true or undefined"),
    );
  }
  const listType = s["x-kubernetes-list-type"];
  if (listType !== undefined && s.type !== "array") {
    out.push(
      s.type
        ? invalid(`${path}.type`, s.type, "must be array if x-kubernetes-list-type is specified")
        : required(`${path}.type`, "must be array if x-kubernetes-list-type is specified"),
    );
  }
  if (listType !== undefined && !["atomic", "set", "map"].includes(String(listType))) {
    out.push(notSupported(`${path}.x-kubernetes-list-type`, listType, ["atomic", "set", "map"]));
  }
  if (
    listType === "map" &&
    !(Array.isArray(s["x-kubernetes-list-map-keys"]) &&
      (s["x-kubernetes-list-map-keys"] as unknown[]).length > 0)
  ) {
    out.push(
      required(
        `${path}.x-kubernetes-list-map-keys`,
        "must not be empty if x-kubernetes-list-type is map",
      ),
    );
  }
  const mapType = s["x-kubernetes-map-type"];
  if (mapType !== undefined && s.type !== "object") {
    out.push(
      s.type
        ? invalid(`${path}.type`, s.type, "must be object if x-kubernetes-map-type is specified")
        : required(`${path}.type`, "must be object if x-kubernetes-map-type is specified"),
    );
  }
  if (mapType !== undefined && mapType !== "atomic" && mapType !== "granular") {
    out.push(notSupported(`${path}.x-kubernetes-map-type`, mapType, ["atomic", "granular"]));
  }
}
