// CRD schema engines: validation (kube-openapi's validate package as apiextensions-apiserver
// wraps it), pruning (apiextensions' structural pruning) and defaulting (structural defaulting).
// Wording follows kube-openapi/pkg/validation/errors and apimachinery's field errors.
import type { StatusCause } from "../../client/types.ts";
import {
  _goJson,
  _goNumber,
  duplicate,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
} from "./_field_error.ts";
import { _checkFormat } from "./_formats.ts";

/** An OpenAPI v3 schema as a CRD carries it (`openAPIV3Schema`), structural. */
export interface JSONSchemaProps {
  /** The JSON type: object, array, string, integer, number or boolean. */
  type?: string;
  /** Free text for humans. */
  description?: string;
  /** The fields of an object. */
  properties?: Record<string, JSONSchemaProps>;
  /** Fields an object must have. */
  required?: string[];
  /** The schema of every array item. */
  items?: JSONSchemaProps;
  /** The schema of every value of a map (an object without properties). */
  additionalProperties?: boolean | JSONSchemaProps;
  /** The values allowed. */
  enum?: unknown[];
  /** The value filled in when the field is absent. */
  default?: unknown;
  /** Whether `null` is allowed. */
  nullable?: boolean;
  /** Lowest number allowed. */
  minimum?: number;
  /** Highest number allowed. */
  maximum?: number;
  /** Whether `minimum` itself is excluded. */
  exclusiveMinimum?: boolean;
  /** Whether `maximum` itself is excluded. */
  exclusiveMaximum?: boolean;
  /** Fewest characters a string may have. */
  minLength?: number;
  /** Most characters a string may have. */
  maxLength?: number;
  /** Fewest items an array may have. */
  minItems?: number;
  /** Most items an array may have. */
  maxItems?: number;
  /** A regular expression strings must match. */
  pattern?: string;
  /** A string format (date-time, uuid, ...); unknown formats are not checked. */
  format?: string;
  /** Value validation only (ignored by pruning and defaulting). */
  multipleOf?: number;
  /** Value validation only. */
  minProperties?: number;
  /** Value validation only. */
  maxProperties?: number;
  /** Value validation only: every schema must match. */
  allOf?: JSONSchemaProps[];
  /** Value validation only: at least one schema must match. */
  anyOf?: JSONSchemaProps[];
  /** Value validation only: exactly one schema must match. */
  oneOf?: JSONSchemaProps[];
  /** Value validation only: the schema must not match. */
  not?: JSONSchemaProps;
  /** Keep fields the schema does not declare. */
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  /** An integer or a string. */
  "x-kubernetes-int-or-string"?: boolean;
  /** An object with its own apiVersion, kind and metadata. */
  "x-kubernetes-embedded-resource"?: boolean;
  /** Any other OpenAPI keyword (title, x-kubernetes-list-type, ...). */
  [key: string]: unknown;
}

type _Json = Record<string, unknown>;

function _isObject(v: unknown): v is _Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The JSON type kube-openapi infers for a decoded value (integral numbers are int64). */
function _jsonType(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(v) ? "integer" : "number";
    default:
      return "object";
  }
}

function _schemaTypes(s: JSONSchemaProps): string[] {
  if (s["x-kubernetes-int-or-string"]) return ["integer", "string"];
  return s.type ? [s.type] : [];
}

function _deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => _deepEqual(x, b[i]));
  }
  if (_isObject(a) && _isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && _deepEqual(a[k], b[k]));
  }
  return false;
}

function _runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const _regexCache = new Map<string, RegExp | null>();
function _regex(pattern: string): RegExp | null {
  if (!_regexCache.has(pattern)) {
    try {
      _regexCache.set(pattern, new RegExp(pattern, "u"));
    } catch {
      try {
        _regexCache.set(pattern, new RegExp(pattern));
      } catch {
        _regexCache.set(pattern, null);
      }
    }
    if (_regexCache.size > 1000) _regexCache.delete(_regexCache.keys().next().value!);
  }
  return _regexCache.get(pattern)!;
}

/** Turns kube-openapi's path name into the cause's field (it trims a leading dot). */
function _field(path: string): string {
  return path.startsWith(".") ? path.slice(1) : path;
}

function _validate(s: JSONSchemaProps, v: unknown, path: string, out: StatusCause[]): void {
  const field = _field(path);
  const types = _schemaTypes(s);
  const t = _jsonType(v);
  // type
  if (v === null || v === undefined) {
    if (types.length > 0 && !s.nullable) {
      out.push(
        typeInvalid(field, "null", `${path} in body must be of type ${types.join(",")}: "null"`),
      );
    }
    _validateEnum(s, null, field, out);
    return;
  }
  const typeOk = types.length === 0 || types.includes(t) ||
    (t === "integer" && types.includes("number"));
  if (!typeOk) {
    out.push(typeInvalid(field, t, `${path} in body must be of type ${types.join(",")}: "${t}"`));
  }
  if (t === "number" && types.length === 1 && types[0] === "integer" && !s.format) {
    // kube-openapi's range check adds this second cause, without a field (Go's nil path).
    out.push(
      invalid("<nil>", "", `Checked value must be of type integer (default format) in ${path}`),
    );
  }
  // allOf / anyOf / oneOf / not
  _validateJunctors(s, v, path, out);
  // string
  if (typeof v === "string") {
    if (s.maxLength !== undefined && _runeLength(v) > s.maxLength) {
      out.push(tooLong(field, s.maxLength));
    }
    if (s.minLength !== undefined && _runeLength(v) < s.minLength) {
      out.push(invalid(field, v, `${path} in body should be at least ${s.minLength} chars long`));
    }
    if (s.pattern !== undefined) {
      const re = _regex(s.pattern);
      if (re !== null && !re.test(v)) {
        out.push(invalid(field, v, `${path} in body should match '${s.pattern}'`));
      }
    }
    if (s.format && _checkFormat(s.format, v) === false) {
      out.push(
        typeInvalid(field, v, `${path} in body must be of type ${s.format}: ${JSON.stringify(v)}`),
      );
    }
  }
  // number
  if (typeof v === "number") {
    if (s.multipleOf !== undefined && s.multipleOf !== 0) {
      const q = v / s.multipleOf;
      if (Math.abs(q - Math.round(q)) > 1e-9) {
        out.push(
          invalid(field, v, `${path} in body should be a multiple of ${_goNumber(s.multipleOf)}`),
        );
      }
    }
    if (s.maximum !== undefined) {
      if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum) {
        const rel = s.exclusiveMaximum ? "less than" : "less than or equal to";
        out.push(invalid(field, v, `${path} in body should be ${rel} ${_goNumber(s.maximum)}`));
      }
    }
    if (s.minimum !== undefined) {
      if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum) {
        const rel = s.exclusiveMinimum ? "greater than" : "greater than or equal to";
        out.push(invalid(field, v, `${path} in body should be ${rel} ${_goNumber(s.minimum)}`));
      }
    }
  }
  // array
  if (Array.isArray(v)) {
    if (s.items) {
      v.forEach((item, i) => _validate(s.items!, item, `${path}[${i}]`, out));
    }
    if (s.minItems !== undefined && v.length < s.minItems) {
      out.push(
        invalid(field, v.length, `${path} in body should have at least ${s.minItems} items`),
      );
    }
    if (s.maxItems !== undefined && v.length > s.maxItems) {
      out.push(tooMany(field, v.length, s.maxItems));
    }
  }
  // enum
  _validateEnum(s, v, field, out);
  // object
  if (_isObject(v)) _validateObject(s, v, path, out);
}

function _validateEnum(s: JSONSchemaProps, v: unknown, field: string, out: StatusCause[]): void {
  if (!s.enum || s.enum.length === 0) return;
  if (s.enum.some((e) => _deepEqual(e, v))) return;
  const supported = s.enum.map((e) => typeof e === "string" ? e : JSON.stringify(e));
  out.push(notSupported(field, v, supported));
}

function _validateJunctors(s: JSONSchemaProps, v: unknown, path: string, out: StatusCause[]) {
  const field = _field(path);
  const passes = (sub: JSONSchemaProps) => {
    const errs: StatusCause[] = [];
    _validate(sub, v, path, errs);
    return errs;
  };
  for (const sub of s.allOf ?? []) out.push(...passes(sub));
  if (s.anyOf && s.anyOf.length > 0 && !s.anyOf.some((sub) => passes(sub).length === 0)) {
    out.push(invalid(field, v, `"${path}" must validate at least one schema (anyOf)`));
  }
  if (s.oneOf && s.oneOf.length > 0) {
    const n = s.oneOf.filter((sub) => passes(sub).length === 0).length;
    if (n !== 1) {
      out.push(invalid(field, v, `"${path}" must validate one and only one schema (oneOf)`));
    }
  }
  if (s.not && passes(s.not).length === 0) {
    out.push(invalid(field, v, `"${path}" must not validate the schema (not)`));
  }
}

function _validateObject(s: JSONSchemaProps, v: _Json, path: string, out: StatusCause[]): void {
  const field = _field(path);
  const keys = Object.keys(v);
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    out.push(
      invalid(
        field,
        keys.length,
        `${path} in body should have at least ${s.minProperties} properties`,
      ),
    );
    return;
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    out.push(tooMany(field, keys.length, s.maxProperties));
    return;
  }
  const props = s.properties ?? {};
  const ap = s.additionalProperties;
  if (ap === false) {
    for (const k of keys) {
      if (!(k in props)) {
        out.push(invalid(field, k, `${path}.${k} in body is a forbidden property`));
      }
    }
  } else if (_isObject(ap)) {
    for (const k of keys) {
      if (!(k in props)) _validate(ap as JSONSchemaProps, v[k], `${path}.${k}`, out);
    }
  }
  for (const [name, sub] of Object.entries(props)) {
    if (name in v) _validate(sub, v[name], path === "" ? name : `${path}.${name}`, out);
  }
  for (const k of s.required ?? []) {
    if (!(k in v)) out.push(required(_field(`${path}.${k}`)));
  }
  if (s["x-kubernetes-embedded-resource"]) _validateEmbedded(v, path, out);
}

// apiextensions' schema/objectmeta: an embedded resource needs apiVersion and kind.
function _validateEmbedded(v: _Json, path: string, out: StatusCause[]): void {
  const field = _field(path);
  for (const k of ["apiVersion", "kind"]) {
    const f = field ? `${field}.${k}` : k;
    if (!(k in v)) {
      out.push(required(f));
    } else if (typeof v[k] !== "string") {
      out.push(invalid(f, v[k], "must be a string"));
    } else if (v[k] === "") {
      out.push(invalid(f, "", "must not be empty"));
    }
  }
}

/** Validates a value against a schema node with no root handling (for CRD default checks). */
export function _validateValue(schema: JSONSchemaProps, value: unknown): StatusCause[] {
  const out: StatusCause[] = [];
  _validate(schema, value, "", out);
  return out;
}

/**
 * Validates `obj` against `schema` (types, required, enum, bounds, lengths, patterns,
 * formats). Returns one cause per failing field, worded as kube-apiserver words them, e.g.
 * `{reason:"FieldValueInvalid", field:"spec.replicas", message:"Invalid value: 11: spec.replicas in body should be less than or equal to 10"}`.
 * Empty when valid. The root object's `apiVersion`, `kind` and `metadata` are not checked here,
 * except the `metadata.name` and `metadata.generateName` restrictions a CRD may declare (kube
 * reports those first, e.g. `metadata.name: Too long: may not be more than 8 bytes`).
 * Duplicates in `x-kubernetes-list-type: set|map` lists come last
 * (`spec.ports[2]: Duplicate value: {"name":"x"}`).
 *
 * kube-apiserver decodes a custom resource in this order: {@linkcode prune}, then
 * {@linkcode applyDefaults} (which also drops `null`s of non-nullable fields), then this
 * validation; call them in that order to get the same causes (a `null` for a non-nullable field
 * is dropped, not reported).
 */
export function validateAgainstSchema(schema: JSONSchemaProps, obj: unknown): StatusCause[] {
  const out: StatusCause[] = [];
  if (!_isObject(obj)) {
    _validate(schema, obj, "", out);
    return out;
  }
  const rest: _Json = { ...obj };
  delete rest.apiVersion;
  delete rest.kind;
  delete rest.metadata;
  const props = { ...(schema.properties ?? {}) };
  delete props.apiVersion;
  delete props.kind;
  delete props.metadata;
  const root: JSONSchemaProps = {
    ...schema,
    properties: props,
    required: (schema.required ?? []).filter((r) =>
      !["apiVersion", "kind", "metadata"].includes(r)
    ),
  };
  // A CRD may restrict metadata.name and metadata.generateName (kube checks them first).
  const metaProps = schema.properties?.metadata?.properties ?? {};
  const meta = _isObject(obj.metadata) ? obj.metadata : {};
  for (const k of ["name", "generateName"]) {
    if (metaProps[k] !== undefined && k in meta) {
      _validate(metaProps[k], meta[k], `metadata.${k}`, out);
    }
  }
  _validate(root, rest, "", out);
  _listTypes(root, rest, "", out);
  return out;
}

// x-kubernetes-list-type set and map: duplicates (apiextensions' listtype validation, which
// runs after the schema validation). Each duplicated value or key is reported once, at its
// second occurrence, as kube-apiserver does.
function _listTypes(s: JSONSchemaProps | undefined, v: unknown, path: string, out: StatusCause[]) {
  if (s === undefined) return;
  if (Array.isArray(v)) {
    const listType = s["x-kubernetes-list-type"];
    const keys = Array.isArray(s["x-kubernetes-list-map-keys"])
      ? s["x-kubernetes-list-map-keys"] as string[]
      : [];
    if (listType === "set" || (listType === "map" && keys.length > 0)) {
      const seen = new Map<string, number>();
      v.forEach((item, i) => {
        let id: unknown = item;
        if (listType === "map") {
          if (!_isObject(item)) return;
          id = Object.fromEntries(keys.filter((k) => k in item).map((k) => [k, item[k]]));
        }
        const text = _goJson(id);
        const count = seen.get(text) ?? 0;
        seen.set(text, count + 1);
        if (count === 1) out.push(duplicate(_field(`${path}[${i}]`), id));
      });
    }
    v.forEach((item, i) => _listTypes(s.items, item, `${path}[${i}]`, out));
    return;
  }
  if (!_isObject(v)) return;
  const props = s.properties ?? {};
  const ap = _isObject(s.additionalProperties)
    ? s.additionalProperties as JSONSchemaProps
    : undefined;
  for (const [k, val] of Object.entries(v)) {
    const sub = k in props ? props[k] : ap;
    _listTypes(sub, val, path === "" ? k : `${path}.${k}`, out);
  }
}

const _resourceMeta = new Set(["apiVersion", "kind", "metadata"]);

function _prune(
  s: JSONSchemaProps | undefined,
  v: unknown,
  path: string,
  isResource: boolean,
  pruned: string[],
): unknown {
  if (s === undefined) return v;
  if (Array.isArray(v)) {
    return v.map((item, i) => _prune(s.items, item, `${path}[${i}]`, false, pruned));
  }
  if (!_isObject(v)) return v;
  const out: _Json = {};
  const props = s.properties ?? {};
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const ap = s.additionalProperties;
  const embedded = isResource || s["x-kubernetes-embedded-resource"] === true;
  for (const [k, val] of Object.entries(v)) {
    const p = path === "" ? k : `${path}.${k}`;
    if (isResource && _resourceMeta.has(k)) {
      out[k] = val;
    } else if (embedded && k === "metadata") {
      out[k] = _pruneObjectMeta(val, p, pruned);
    } else if (embedded && _resourceMeta.has(k) && !(k in props)) {
      out[k] = val;
    } else if (k in props) {
      out[k] = _prune(props[k], val, p, false, pruned);
    } else if (_isObject(ap)) {
      out[k] = _prune(ap as JSONSchemaProps, val, p, false, pruned);
    } else if (ap === true || ap === false || preserve) {
      // additionalProperties: false keeps the field for validation to refuse ("forbidden property")
      out[k] = val;
    } else {
      pruned.push(p);
    }
  }
  return out;
}

const _objectMetaFields = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

// metadata of an embedded resource keeps ObjectMeta's fields only.
function _pruneObjectMeta(v: unknown, path: string, pruned: string[]): unknown {
  if (!_isObject(v)) return v;
  const out: _Json = {};
  for (const [k, val] of Object.entries(v)) {
    if (_objectMetaFields.has(k)) out[k] = val;
    else pruned.push(`${path}.${k}`);
  }
  return out;
}

/**
 * Removes fields the schema does not declare (unless preserve-unknown). Returns a new value and
 * the pruned paths, sorted (`extra`, `spec.foo`, `spec.items[0].bar`), as kube-apiserver quotes
 * them: `fieldValidation=Strict` answers 400 `<Kind> in version "v1" cannot be handled as a
 * <Kind>: strict decoding error: unknown field "extra", unknown field "spec.foo"`, `Warn`
 * sends one `Warning: 299 - "unknown field \"spec.foo\""` header per path. At the root
 * `apiVersion`, `kind` and `metadata` are kept as they are; in
 * `x-kubernetes-embedded-resource` objects `apiVersion` and `kind` are kept and `metadata` is
 * pruned to ObjectMeta's fields.
 */
export function prune(
  schema: JSONSchemaProps,
  obj: unknown,
): { value: unknown; pruned: string[] } {
  const pruned: string[] = [];
  const value = _prune(schema, obj, "", true, pruned);
  return { value, pruned: pruned.sort() };
}

function _clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

// A null where the schema neither allows null nor has a default is dropped (kube's
// PruneNonNullableNullsWithoutDefaults), a null with a default takes the default.
function _nullIsDroppable(s: JSONSchemaProps | undefined): boolean {
  return s !== undefined && !s.nullable && s.default === undefined;
}

function _nullTakesDefault(s: JSONSchemaProps | undefined): boolean {
  return s !== undefined && !s.nullable && s.default !== undefined;
}

function _default(s: JSONSchemaProps | undefined, v: unknown): unknown {
  if (s === undefined) return v;
  if (Array.isArray(v)) {
    const items = s.items;
    const out: unknown[] = [];
    for (const item of v) {
      if (item === null && _nullTakesDefault(items)) {
        out.push(_default(items, _clone(items!.default)));
      } else out.push(_default(items, item));
    }
    return out;
  }
  if (!_isObject(v)) return v;
  const out: _Json = {};
  const props = s.properties ?? {};
  const ap = _isObject(s.additionalProperties)
    ? s.additionalProperties as JSONSchemaProps
    : undefined;
  for (const [k, val] of Object.entries(v)) {
    const sub = k in props ? props[k] : ap;
    if (val === null && _nullTakesDefault(sub)) {
      out[k] = _default(sub, _clone(sub!.default));
    } else if (val === null && _nullIsDroppable(sub)) {
      continue;
    } else {
      out[k] = _default(sub, val);
    }
  }
  for (const [k, sub] of Object.entries(props)) {
    if (!(k in out) && !(k in v) && sub.default !== undefined) {
      out[k] = _default(sub, _clone(sub.default));
    }
  }
  return out;
}

/**
 * Fills schema defaults into absent fields, recursively (inside array items and
 * additionalProperties values too; inside a default that was just filled in as well; never under
 * an absent parent without a default of its own). As kube does when decoding, a `null` for a
 * field that is not `nullable` takes the field's default or, without one, is dropped. Returns a
 * new value; `obj` is not modified.
 */
export function applyDefaults(schema: JSONSchemaProps, obj: unknown): unknown {
  return _default(schema, obj);
}
