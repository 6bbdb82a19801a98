/**
 * zod 4 -> the structural OpenAPI v3 schema a CustomResourceDefinition (apiextensions.k8s.io/v1)
 * carries. Scalar leaves go through `z.toJSONSchema` (target `openapi-3.0`, io `input`, so a
 * field with a default is never required); everything around them is walked here, because the
 * structural rules need the zod schema itself: refinements and transforms leave no trace in
 * JSON Schema, and errors must name the field path.
 *
 * @module
 */
// Types only: this module reaches zod through the schemas it is given (their methods and the
// registry zod keeps on globalThis), so importing it does not load zod; an operator that
// declares no custom resource never pays for zod's memory.
import type { z } from "zod";

/**
 * An OpenAPI v3 schema as a CRD carries it (`openAPIV3Schema`): structural, no `$ref`, every
 * node typed unless it is int-or-string or preserves unknown fields.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import type { JSONSchemaProps } from "./_crd_schema.ts";
 * import { defineCustomResource } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const Apps = defineCustomResource({
 *   group: "demo.io",
 *   version: "v1",
 *   kind: "App",
 *   scope: "Namespaced",
 *   spec: z.object({ replicas: z.int().min(1).max(10).default(1) }),
 * });
 * // The structural schema the CRD gets for `replicas`:
 * const replicas: JSONSchemaProps = { type: "integer", minimum: 1, maximum: 10, default: 1 };
 * const spec = Apps.crd.spec.versions[0].schema?.openAPIV3Schema?.properties?.spec;
 * assert.deepEqual(spec?.properties?.replicas, replicas);
 * ```
 */
export interface JSONSchemaProps {
  /** `object`, `array`, `string`, `integer`, `number` or `boolean`. */
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  /** A format Kubernetes knows (`date-time`, `email`, `int32`, ...). */
  format?: string;
  /** From zod's `.describe()` / `.meta({ description })`. */
  description?: string;
  /** True when the field may be `null`. */
  nullable?: boolean;
  /** The value the server fills in when the field is absent (zod's `.default()`). */
  default?: unknown;
  /** The allowed values. */
  enum?: unknown[];
  /** Inclusive lower bound (exclusive with `exclusiveMinimum: true`). */
  minimum?: number;
  /** Inclusive upper bound (exclusive with `exclusiveMaximum: true`). */
  maximum?: number;
  /** Makes `minimum` exclusive. */
  exclusiveMinimum?: boolean;
  /** Makes `maximum` exclusive. */
  exclusiveMaximum?: boolean;
  /** The value must be a multiple of this. */
  multipleOf?: number;
  /** Minimum string length. */
  minLength?: number;
  /** Maximum string length. */
  maxLength?: number;
  /** A regular expression (RE2 syntax on a real API server) the string must match. */
  pattern?: string;
  /** Minimum array length. */
  minItems?: number;
  /** Maximum array length. */
  maxItems?: number;
  /** Object fields. */
  properties?: Record<string, JSONSchemaProps>;
  /** Names of the fields that must be present. */
  required?: string[];
  /** The schema of every array element. */
  items?: JSONSchemaProps;
  /** The schema of every map value (never `false`, never beside `properties`). */
  additionalProperties?: JSONSchemaProps;
  /** Value validations that must all hold (several patterns or divisors). */
  allOf?: JSONSchemaProps[];
  /** Keep fields the schema does not declare instead of pruning them. */
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  /** The value is an integer or a string (e.g. a port or a percentage). */
  "x-kubernetes-int-or-string"?: boolean;
}

/** zod metadata key that marks a schema as free-form (see `preserveUnknown()`). */
export const _PRESERVE_UNKNOWN = "x-kubernetes-preserve-unknown-fields";
/** zod metadata key that marks a schema as int-or-string (see `intOrString()`). */
export const _INT_OR_STRING = "x-kubernetes-int-or-string";

/**
 * A zod construct that has no structural-schema equivalent, found while building a CRD. The
 * message and `path` name the field (e.g. `spec.source`); the fix is usually to reshape the
 * field or to mark it with `preserveUnknown()`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import assert from "node:assert/strict";
 * import { CustomResourceSchemaError, defineCustomResource } from "./custom_resource.ts";
 * assert.throws(
 *   () =>
 *     defineCustomResource({
 *       group: "demo.operatorkit.io",
 *       version: "v1",
 *       kind: "Thing",
 *       scope: "Namespaced",
 *       spec: z.object({ n: z.string().transform((s) => s.length) }),
 *     }),
 *   (e) => e instanceof CustomResourceSchemaError && e.path === "spec.n",
 * );
 * ```
 */
export class CustomResourceSchemaError extends Error {
  /** The field path of the offending schema, e.g. `spec.rules[*].host`. */
  readonly path: string;
  /** Builds the error for `path`; `problem` says what was found and what to do instead. */
  constructor(path: string, problem: string, options: { cause?: unknown } = {}) {
    super(
      `${path}: ${problem}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "CustomResourceSchemaError";
    this.path = path;
  }
}

// deno-lint-ignore no-explicit-any
type _Any = any;
type _Schema = z.core.$ZodType;

interface _Ctx {
  /** Schemas on the current path, to catch recursion through z.lazy. */
  readonly stack: _Schema[];
}

/**
 * Converts a zod schema (the spec or status of a custom resource) into a structural schema.
 * `path` is the field path of `schema` used in error messages (`spec`, `status`).
 * Throws `CustomResourceSchemaError` naming the path of the first construct with no
 * structural equivalent.
 */
export function _toStructuralSchema(schema: _Schema, path: string): JSONSchemaProps {
  return _order(_convert(schema, path, { stack: [] }, false));
}

function _meta(schema: _Schema): Record<string, unknown> | undefined {
  return _zodMeta(schema);
}

/**
 * The metadata zod's global registry holds for `schema` (`.meta()`, `.describe()`), read
 * without importing zod: classic schemas answer `meta()`; others are looked up in the registry
 * zod shares on `globalThis`.
 */
export function _zodMeta(schema: unknown): Record<string, unknown> | undefined {
  const s = schema as { meta?: () => unknown };
  if (typeof s.meta === "function") return s.meta() as Record<string, unknown> | undefined;
  const registry = (globalThis as { __zod_globalRegistry?: { get(s: unknown): unknown } })
    .__zod_globalRegistry;
  return registry?.get(schema) as Record<string, unknown> | undefined;
}

/** A metadata registry with nothing in it (what `z.registry()` returns, for `toJSONSchema`). */
const _EMPTY_REGISTRY = { get: () => undefined, has: () => false };

function _convert(schema: _Schema, path: string, ctx: _Ctx, skipMarkers: boolean): JSONSchemaProps {
  const meta = _meta(schema);
  if (!skipMarkers && meta?.[_INT_OR_STRING] === true) {
    const out: JSONSchemaProps = { [_INT_OR_STRING]: true };
    if (typeof meta.description === "string") out.description = meta.description;
    return out;
  }
  if (!skipMarkers && meta?.[_PRESERVE_UNKNOWN] === true) {
    let out: JSONSchemaProps;
    try {
      out = _convert(schema, path, ctx, true);
    } catch (e) {
      if (!(e instanceof CustomResourceSchemaError)) throw e;
      out = _isObjectLike(schema) ? { type: "object" } : {};
    }
    out[_PRESERVE_UNKNOWN] = true;
    if (typeof meta.description === "string") out.description = meta.description;
    return out;
  }
  if (ctx.stack.includes(schema)) {
    throw new CustomResourceSchemaError(
      path,
      "expected a finite schema, found a recursive one (z.lazy referring to itself); " +
        "structural schemas cannot recurse: mark the field with preserveUnknown()",
    );
  }
  _rejectChecks(schema, path);
  ctx.stack.push(schema);
  try {
    const out = _convertType(schema, path, ctx);
    if (typeof meta?.description === "string") out.description = meta.description;
    return out;
  } finally {
    ctx.stack.pop();
  }
}

function _checks(schema: _Schema): _Any[] {
  const def = schema._zod.def as _Any;
  const own = schema._zod.traits.has("$ZodCheck") ? [schema] : [];
  return [...own, ...(def.checks ?? [])];
}

function _rejectChecks(schema: _Schema, path: string): void {
  for (const check of _checks(schema)) {
    const kind = check._zod.def.check;
    if (kind === "custom") {
      throw new CustomResourceSchemaError(
        path,
        "expected plain validations, found a refinement (.refine/.superRefine/.check); " +
          "the API server could not enforce it: express it with min/max/regex/enum, " +
          "or mark the field with preserveUnknown()",
      );
    }
    if (kind === "overwrite") {
      throw new CustomResourceSchemaError(
        path,
        "expected no transforms, found a value overwrite (.trim/.toLowerCase/.overwrite); " +
          "the API server stores values as sent: drop it, or mark the field with preserveUnknown()",
      );
    }
  }
}

function _isObjectLike(schema: _Schema): boolean {
  const def = schema._zod.def as _Any;
  switch (def.type) {
    case "object":
    case "record":
      return true;
    case "union":
      return (def.options as _Schema[]).every(_isObjectLike);
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "nonoptional":
    case "catch":
      return _isObjectLike(def.innerType);
    case "lazy":
      return _isObjectLike((schema._zod as _Any).innerType);
    case "pipe":
      return _isObjectLike(def.in);
    default:
      return false;
  }
}

function _optionalOnInput(schema: _Schema): boolean {
  if ((schema._zod as _Any).optin !== undefined) return true;
  try {
    return (schema as _Any)["~standard"].validate(undefined)?.issues === undefined;
  } catch {
    return false;
  }
}

function _jsonValue(value: unknown, path: string): unknown {
  try {
    return JSON.parse(JSON.stringify(value));
  } catch (cause) {
    throw new CustomResourceSchemaError(
      path,
      `expected a JSON default value, found one that cannot be serialised (${String(cause)})`,
      { cause },
    );
  }
}

/**
 * The API server fills nested defaults into a default value; zod's `.default(v)` returns `v`
 * as is. They agree only when `v` already holds every nested default.
 */
function _checkCompleteDefault(inner: _Schema, value: unknown, path: string): void {
  const parsed = (inner as _Any)["~standard"].validate(value);
  if (parsed instanceof Promise || parsed.issues) {
    throw new CustomResourceSchemaError(
      path,
      `expected a default value that passes the field's own schema, found ${JSON.stringify(value)}${
        parsed instanceof Promise ? "" : `: ${parsed.issues[0]?.message}`
      }`,
    );
  }
  if (JSON.stringify(_sortKeys(parsed.value)) !== JSON.stringify(_sortKeys(value))) {
    throw new CustomResourceSchemaError(
      path,
      `expected a complete default value, found ${JSON.stringify(value)} which the API server ` +
        `would complete to ${JSON.stringify(parsed.value)} but zod's .default() returns as is: ` +
        "spell the default out, or use .prefault() (zod then applies nested defaults too)",
    );
  }
}

function _sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(_sortKeys);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.keys(v).sort().map((k) => [k, _sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

const _UNSUPPORTED: Record<string, string> = {
  date: "a Date (z.date()); use z.iso.datetime() for a date-time string",
  bigint: "a bigint; use z.int()",
  symbol: "a symbol",
  undefined: "z.undefined()",
  void: "z.void()",
  never: "z.never()",
  nan: "z.nan()",
  map: "a Map; use z.record(z.string(), ...)",
  set: "a Set; use z.array(...)",
  tuple: "a tuple; use an object or a plain array",
  intersection: "an intersection; use .extend() to combine objects",
  custom: "a custom schema (z.custom/z.instanceof)",
  function: "a function",
  promise: "a promise",
  file: "a File",
  template_literal: "a template literal; use z.string().regex()",
  success: "z.success()",
  transform: "a transform",
  pipe: "a transform or pipe (.transform/.pipe/z.preprocess/codec)",
  null: "z.null() on its own; use .nullable() on a typed field",
};

function _convertType(schema: _Schema, path: string, ctx: _Ctx): JSONSchemaProps {
  const def = schema._zod.def as _Any;
  switch (def.type) {
    case "optional":
    case "nonoptional":
    case "readonly":
    case "catch":
      return _convert(def.innerType, path, ctx, false);
    case "default":
    case "prefault": {
      const out = _convert(def.innerType, path, ctx, false);
      const value = _jsonValue(def.defaultValue, path);
      if (def.type === "default") _checkCompleteDefault(def.innerType, value, path);
      out.default = value;
      return out;
    }
    case "nullable": {
      const out = _convert(def.innerType, path, ctx, false);
      out.nullable = true;
      return out;
    }
    case "lazy":
      return _convert((schema._zod as _Any).innerType, path, ctx, false);
    case "unknown":
    case "any":
      return { [_PRESERVE_UNKNOWN]: true };
    case "boolean":
      return { type: "boolean" };
    case "string":
      return _string(schema, path);
    case "number":
      return _number(schema, path);
    case "enum":
      return _enum(Object.values(def.entries), path);
    case "literal":
      return _enum(def.values, path);
    case "object":
      return _object(schema, path, ctx);
    case "record":
      return _record(schema, path, ctx);
    case "array": {
      const out: JSONSchemaProps = { type: "array" };
      for (const check of _checks(schema)) {
        const c = check._zod.def;
        if (c.check === "min_length") out.minItems = c.minimum;
        if (c.check === "max_length") out.maxItems = c.maximum;
        if (c.check === "length_equals") out.minItems = out.maxItems = c.length;
      }
      out.items = _convert(def.element, `${path}[*]`, ctx, false);
      return out;
    }
    case "union":
      return _union(schema, path, ctx);
    default: {
      const what = _UNSUPPORTED[def.type] ?? `a zod ${def.type} schema`;
      throw new CustomResourceSchemaError(
        path,
        `expected a type a structural schema can express, found ${what}; ` +
          "mark the field with preserveUnknown() to accept it as free-form",
      );
    }
  }
}

function _fieldPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function _object(schema: _Schema, path: string, ctx: _Ctx): JSONSchemaProps {
  const def = schema._zod.def as _Any;
  const out: JSONSchemaProps = { type: "object" };
  const shape = def.shape as Record<string, _Schema>;
  const properties: Record<string, JSONSchemaProps> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    properties[key] = _convert(field, _fieldPath(path, key), ctx, false);
    if (!_optionalOnInput(field)) required.push(key);
  }
  if (Object.keys(properties).length > 0) out.properties = properties;
  if (required.length > 0) out.required = required;
  const catchall = def.catchall as _Schema | undefined;
  if (catchall) {
    const kind = (catchall._zod.def as _Any).type;
    if (kind === "unknown" || kind === "any") out[_PRESERVE_UNKNOWN] = true;
    else if (kind !== "never") {
      throw new CustomResourceSchemaError(
        path,
        `expected an object with known fields or a map, found an object with a typed catchall ` +
          `(${kind}); Kubernetes forbids properties beside additionalProperties: ` +
          "use z.record() for a map, or z.looseObject() to keep unknown fields",
      );
    }
  }
  return out;
}

function _record(schema: _Schema, path: string, ctx: _Ctx): JSONSchemaProps {
  const def = schema._zod.def as _Any;
  const key = def.keyType as _Schema;
  const keyDef = key._zod.def as _Any;
  if (keyDef.type !== "string" || _checks(key).length > 0) {
    throw new CustomResourceSchemaError(
      path,
      `expected a map keyed by z.string(), found keys of ${
        keyDef.type === "string" ? "a constrained string" : keyDef.type
      }; a structural schema cannot constrain map keys: use z.record(z.string(), ...) ` +
        "or an object with the fields spelled out",
    );
  }
  const value = def.valueType as _Schema;
  const valueType = (value._zod.def as _Any).type;
  if ((valueType === "unknown" || valueType === "any") && _meta(value) === undefined) {
    return { type: "object", [_PRESERVE_UNKNOWN]: true };
  }
  return { type: "object", additionalProperties: _convert(value, `${path}.*`, ctx, false) };
}

function _scalarType(values: unknown[]): "string" | "integer" | "number" | "boolean" | undefined {
  if (values.every((v) => typeof v === "string")) return "string";
  if (values.every((v) => typeof v === "number" && Number.isInteger(v))) return "integer";
  if (values.every((v) => typeof v === "number")) return "number";
  if (values.every((v) => typeof v === "boolean")) return "boolean";
  return undefined;
}

function _enum(raw: unknown[], path: string): JSONSchemaProps {
  const nullable = raw.includes(null);
  const values = raw.filter((v) => v !== null);
  const type = values.length > 0 ? _scalarType(values) : undefined;
  if (!type) {
    throw new CustomResourceSchemaError(
      path,
      `expected enum/literal values of one type (all strings, all numbers or all booleans), ` +
        `found ${JSON.stringify(raw)}`,
    );
  }
  const out: JSONSchemaProps = { type, enum: values };
  if (nullable) out.nullable = true;
  return out;
}

function _literalValues(schema: _Schema): unknown[] | undefined {
  const def = schema._zod.def as _Any;
  const meta = _meta(schema);
  if (meta?.[_PRESERVE_UNKNOWN] || meta?.[_INT_OR_STRING]) return undefined;
  if (def.type === "literal") return def.values;
  if (def.type === "enum") return Object.values(def.entries);
  return undefined;
}

function _union(schema: _Schema, path: string, ctx: _Ctx): JSONSchemaProps {
  const options = (schema._zod.def as _Any).options as _Schema[];
  const isNull = (o: _Schema) => (o._zod.def as _Any).type === "null";
  const nullable = options.some(isNull);
  const rest = options.filter((o) => !isNull(o));
  let out: JSONSchemaProps | undefined;
  if (rest.length === 1) {
    out = _convert(rest[0], path, ctx, false);
  } else {
    const literals = rest.map(_literalValues);
    if (rest.length > 0 && literals.every((l) => l !== undefined)) {
      out = _enum(literals.flat(), path);
    }
  }
  if (!out) {
    const kinds = rest.map((o) => (o._zod.def as _Any).type);
    const what = rest.some(_isObjectLike)
      ? "a union of objects"
      : `a union of ${[...new Set(kinds)].join(" | ")}`;
    const hint = kinds.includes("string") && kinds.includes("number")
      ? "use intOrString() for an integer-or-string field, or "
      : "merge the variants into one object with optional fields, or ";
    throw new CustomResourceSchemaError(
      path,
      `expected one structural type, found ${what}; ${hint}mark the field with preserveUnknown()`,
    );
  }
  if (nullable) out.nullable = true;
  return out;
}

function _leafJsonSchema(schema: _Schema): Record<string, _Any> {
  // An empty registry keeps user metadata (ids, descriptions) out: descriptions are added by
  // the walker, and an id would turn the leaf into a $ref.
  const toJSONSchema = (schema as { toJSONSchema?: (params: unknown) => unknown }).toJSONSchema;
  if (typeof toJSONSchema !== "function") {
    throw new TypeError(
      `expected a zod 4 schema with toJSONSchema() (zod >= 4.6, from "zod", not "zod/mini"), ` +
        `found a ${(schema._zod.def as _Any).type} schema without it`,
    );
  }
  return toJSONSchema.call(schema, {
    target: "openapi-3.0",
    io: "input",
    metadata: _EMPTY_REGISTRY,
    unrepresentable: "throw",
  }) as Record<string, _Any>;
}

/** zod string formats and the Kubernetes format of the same meaning. */
const _K8S_STRING_FORMATS: Record<string, string> = {
  email: "email",
  url: "uri",
  uuid: "uuid",
  guid: "uuid",
  datetime: "date-time",
  date: "date",
  ipv4: "ipv4",
  ipv6: "ipv6",
  cidrv4: "cidr",
  cidrv6: "cidr",
  mac: "mac",
  hostname: "hostname",
  base64: "byte",
};

function _re2Compatible(re: RegExp): boolean {
  return (re.flags === "" || re.flags === "u") && !/\(\?<?[=!]|\\[1-9]|\\k</.test(re.source);
}

function _checkPattern(re: RegExp, path: string): string {
  if (re.flags !== "" && re.flags !== "u") {
    throw new CustomResourceSchemaError(
      path,
      `expected a regular expression without flags, found /${re.source}/${re.flags}; ` +
        "the API server matches the bare pattern: spell case-insensitivity out ([Aa])",
    );
  }
  if (/\(\?<?[=!]|\\[1-9]|\\k</.test(re.source)) {
    throw new CustomResourceSchemaError(
      path,
      `expected an RE2-compatible pattern (no lookaround, no backreference), found ` +
        `/${re.source}/; the Kubernetes API server uses Go's RE2 engine`,
    );
  }
  return re.source;
}

function _string(schema: _Schema, path: string): JSONSchemaProps {
  const js = _leafJsonSchema(schema);
  const out: JSONSchemaProps = { type: "string" };
  if (typeof js.minLength === "number") out.minLength = js.minLength;
  if (typeof js.maxLength === "number") out.maxLength = js.maxLength;
  const patterns: string[] = [];
  for (const check of _checks(schema)) {
    const c = check._zod.def;
    if (c.check !== "string_format") continue;
    const k8s = _K8S_STRING_FORMATS[c.format];
    if (k8s && !(c.format === "datetime" && c.local)) {
      out.format = k8s;
      // The format alone may be looser than zod (date-time without an offset, uuid versions):
      // keep zod's pattern too, so the server never stores what the decoder would refuse.
      if (c.pattern instanceof RegExp && _re2Compatible(c.pattern)) patterns.push(c.pattern.source);
    } else if (c.pattern instanceof RegExp) {
      patterns.push(_checkPattern(c.pattern, path));
    } else {
      throw new CustomResourceSchemaError(
        path,
        `expected a string format Kubernetes knows, found "${c.format}" with no pattern; ` +
          "use z.string().regex() or mark the field with preserveUnknown()",
      );
    }
  }
  const unique = [...new Set(patterns)];
  if (unique.length === 1) out.pattern = unique[0];
  if (unique.length > 1) out.allOf = unique.map((pattern) => ({ pattern }));
  return out;
}

/** zod number formats: the Kubernetes format and the range the format alone implies. */
const _NUMBER_FORMATS: Record<string, { format?: string; range: [number, number] }> = {
  safeint: { range: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] },
  int32: { format: "int32", range: [-2147483648, 2147483647] },
  uint32: { range: [Number.NaN, Number.NaN] },
  float32: { format: "float", range: [-3.4028234663852886e38, 3.4028234663852886e38] },
  float64: { format: "double", range: [-Number.MAX_VALUE, Number.MAX_VALUE] },
};

function _number(schema: _Schema, path: string): JSONSchemaProps {
  const js = _leafJsonSchema(schema);
  const out: JSONSchemaProps = { type: js.type === "integer" ? "integer" : "number" };
  let range: [number, number] | undefined;
  for (const check of _checks(schema)) {
    const c = check._zod.def;
    if (c.check !== "number_format") continue;
    const f = _NUMBER_FORMATS[c.format];
    if (!f) {
      throw new CustomResourceSchemaError(
        path,
        `expected a number format Kubernetes knows, found "${c.format}"`,
      );
    }
    if (f.format) out.format = f.format;
    range = f.range;
  }
  if (typeof js.minimum === "number" && js.minimum !== range?.[0]) {
    out.minimum = js.minimum;
    if (js.exclusiveMinimum === true) out.exclusiveMinimum = true;
  }
  if (typeof js.maximum === "number" && js.maximum !== range?.[1]) {
    out.maximum = js.maximum;
    if (js.exclusiveMaximum === true) out.exclusiveMaximum = true;
  }
  if (typeof js.multipleOf === "number") out.multipleOf = js.multipleOf;
  if (Array.isArray(js.allOf)) {
    out.allOf = js.allOf.map((a: Record<string, unknown>) => ({
      multipleOf: a.multipleOf as number,
    }));
  }
  return out;
}

const _KEY_ORDER = [
  "description",
  "type",
  "format",
  "nullable",
  "default",
  "enum",
  "minimum",
  "exclusiveMinimum",
  "maximum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "allOf",
  "minItems",
  "maxItems",
  "items",
  "properties",
  "required",
  "additionalProperties",
  _PRESERVE_UNKNOWN,
  _INT_OR_STRING,
];

/** Returns `s` with its keys in a stable, readable order (type first), recursively. */
export function _order(s: JSONSchemaProps): JSONSchemaProps {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(s).sort((a, b) => _rank(a) - _rank(b));
  for (const k of keys) {
    const v = (s as Record<string, unknown>)[k];
    if (k === "properties") {
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, JSONSchemaProps>).map(([n, p]) => [n, _order(p)]),
      );
    } else if (k === "items" || k === "additionalProperties") {
      out[k] = _order(v as JSONSchemaProps);
    } else if (k === "allOf") {
      out[k] = (v as JSONSchemaProps[]).map(_order);
    } else {
      out[k] = v;
    }
  }
  return out as JSONSchemaProps;
}

function _rank(key: string): number {
  const i = _KEY_ORDER.indexOf(key);
  return i < 0 ? _KEY_ORDER.length : i;
}
