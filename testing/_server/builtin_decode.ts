// Typed decoding of built-in objects, as kube-apiserver's JSON decoder does it for the Go types
// of k8s.io/api (sigs.k8s.io/json + apimachinery's strict decoding), driven by the schemas of
// the generated table (testing/_schema/builtin.ts): a value of the wrong JSON type, an integer
// outside int32/int64 or a malformed quantity fail the whole request with 400; unknown fields
// are dropped (fieldValidation=Warn, the default, warns; Strict fails with 400; Ignore is
// silent); `null` decodes to the zero value and is left out. Required fields are checked after
// defaulting (builtin_rules.ts), as validation does.
import type { StatusCause } from "../../client/types.ts";
import { builtinDefinition, builtinKind, type CompactSchema, resolve } from "../_schema/builtin.ts";
import type { ResourceInfo } from "./registry.ts";
import { badRequest, cause } from "./status.ts";
import { isObj, type Obj } from "./util.ts";

const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
// apimachinery/pkg/api/resource/quantity.go splitREString
const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_MSG =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const INT_RANGE: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

class DecodeFailure extends Error {}

/** The definition name of a served built-in, or undefined (custom resources). */
export function builtinDefinitionOf(info: ResourceInfo): string | undefined {
  return info.crd ? undefined : builtinKind(info.apiVersion, info.kind)?.definition;
}

function shortName(ref: string): string {
  return ref.slice(ref.lastIndexOf(".") + 1);
}

function goType(site: CompactSchema): string {
  const ref = site.$ref;
  if (ref === QUANTITY) return "resource.Quantity";
  // IntOrString.UnmarshalJSON falls back to decoding an int32
  if (ref === INT_OR_STRING) return "int32";
  const s = resolve(site);
  if (ref && s.properties) {
    const parts = ref.split(".");
    return `${parts[parts.length - 2]}.${shortName(ref)}`;
  }
  switch (s.type) {
    case "integer":
      return s.format === "int32" ? "int32" : s.format === "int64" ? "int64" : "int";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    case "string":
      return "string";
    case "array":
      return `[]${s.items ? goType(s.items) : "interface {}"}`;
  }
  if (typeof s.additionalProperties === "object") {
    return `map[string]${goType(s.additionalProperties)}`;
  }
  return "map[string]interface {}";
}

function jsonType(v: unknown): string {
  if (typeof v === "number") return `number ${v}`;
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "array";
  if (isObj(v)) return "object";
  return "string";
}

class Decoder {
  unknown: string[] = [];
  constructor(readonly kind: string) {}

  fail(v: unknown, site: CompactSchema, struct: string, path: string[]): never {
    // encoding/json names the literal only for numbers that do not fit an integer field
    const integer = resolve(site).type === "integer";
    const what = typeof v === "number" && integer ? jsonType(v) : jsonType(v).split(" ")[0];
    throw new DecodeFailure(
      `json: cannot unmarshal ${what} into Go struct field ${struct}.${
        path.filter((p) => !p.startsWith("[")).join(".")
      } of type ${goType(site)}`,
    );
  }

  /** Returns the decoded value, or undefined to leave the field out. */
  value(site: CompactSchema, v: unknown, struct: string, path: string[]): unknown {
    if (v === null || v === undefined) return undefined;
    const ref = site.$ref;
    if (ref === QUANTITY) {
      if (typeof v === "number") return String(v);
      // Quantity.UnmarshalJSON parses whatever it is given
      if (typeof v !== "string" || !QUANTITY_RE.test(v.trim())) {
        throw new DecodeFailure(QUANTITY_MSG);
      }
      return v;
    }
    const s = resolve(site);
    if (ref === INT_OR_STRING || s["x-kubernetes-int-or-string"] || s.format === "int-or-string") {
      if (typeof v === "string") return v;
      if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= 2147483647) return v;
      this.fail(v, site, struct, path);
    }
    if (s["x-kubernetes-preserve-unknown-fields"]) return v;
    const inner = ref && s.properties ? shortName(ref) : struct;
    switch (s.type) {
      case "string":
        if (typeof v !== "string") this.fail(v, site, struct, path);
        return v;
      case "boolean":
        if (typeof v !== "boolean") this.fail(v, site, struct, path);
        return v;
      case "number":
        if (typeof v !== "number") this.fail(v, site, struct, path);
        return v;
      case "integer": {
        const [lo, hi] = INT_RANGE[s.format ?? "int64"] ?? INT_RANGE.int64;
        if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
          this.fail(v, site, struct, path);
        }
        return v;
      }
      case "array": {
        if (!Array.isArray(v)) this.fail(v, site, struct, path);
        const items = s.items ?? {};
        return v.map((item, i) => this.value(items, item, struct, [...path, `[${i}]`]) ?? null);
      }
    }
    if (s.properties) {
      if (!isObj(v)) this.fail(v, site, struct, path);
      const out: Obj = {};
      for (const [k, child] of Object.entries(v)) {
        const prop = s.properties[k];
        if (!prop) {
          this.unknown.push(fieldPath([...path, k]));
          continue;
        }
        const decoded = this.value(prop, child, inner, [...path, k]);
        if (decoded !== undefined) out[k] = decoded;
      }
      return out;
    }
    if (typeof s.additionalProperties === "object") {
      if (!isObj(v)) this.fail(v, site, struct, path);
      const out: Obj = {};
      for (const [k, child] of Object.entries(v)) {
        // Go's error names the map field, not the key
        const decoded = this.value(s.additionalProperties, child, struct, [...path, `[${k}]`]);
        out[k] = decoded === undefined ? zero(s.additionalProperties) : decoded;
      }
      return out;
    }
    return v; // RawExtension, JSON, FieldsV1: any JSON
  }
}

// Go serializes every field without omitempty (OpenAPI `required`) and every non-pointer struct
// (`default: {}`), zero or not: a decoded object shows them as Go would re-encode it.
function fillZeros(s: CompactSchema, out: Obj, depth: number): void {
  if (depth > 20) return;
  const required = new Set(s.required ?? []);
  for (const [k, prop] of Object.entries(s.properties ?? {})) {
    if (k in out) continue;
    const z = zeroOf(prop, required.has(k), depth);
    if (z !== undefined) out[k] = z;
  }
}

function zeroOf(site: CompactSchema, required: boolean, depth: number): unknown {
  const d = site.default;
  const structDefault = isObj(d) && Object.keys(d).length === 0;
  if (structDefault) {
    if (site.$ref === QUANTITY) return "0";
    const s = resolve(site);
    const out: Obj = {};
    if (s.properties) fillZeros(s, out, depth + 1);
    return out;
  }
  // `default: ""`, `0` or `false`: a Go field without omitempty
  if (d === "" || d === 0 || d === false) return d;
  // a required slice without omitempty is `null` when nil
  if (required && resolve(site).type === "array") return null;
  return undefined;
}

/**
 * Fills in what Go always serializes (see fillZeros) everywhere in `obj`, as the object reads
 * back from a real server. Runs after field tracking: kube's managedFields never name these.
 */
export function fillBuiltinZeros(info: ResourceInfo, obj: Obj): void {
  const def = builtinDefinitionOf(info);
  if (def) fillTree({ $ref: def }, obj, 0);
}

function fillTree(site: CompactSchema, v: unknown, depth: number): void {
  if (depth > 40 || v === null || typeof v !== "object") return;
  const s = resolve(site);
  if (s["x-kubernetes-preserve-unknown-fields"]) return;
  if (Array.isArray(v)) {
    if (s.items) { for (const item of v) fillTree(s.items, item, depth + 1); }
    return;
  }
  const o = v as Obj;
  if (s.properties) {
    for (const [k, prop] of Object.entries(s.properties)) {
      if (k in o) fillTree(prop, o[k], depth + 1);
    }
    fillZeros(s, o, depth);
  } else if (typeof s.additionalProperties === "object") {
    for (const child of Object.values(o)) fillTree(s.additionalProperties, child, depth + 1);
  }
}

/** The zero status a built-in's strategy sets on create (`status: {}` and Go zero fields). */
export function zeroStatus(info: ResourceInfo): unknown {
  const def = builtinDefinitionOf(info);
  const status = def ? builtinDefinition(def)?.properties?.status : undefined;
  if (!status) return undefined;
  return zeroOf({ ...status, default: {} }, true, 0);
}

// A null map value decodes to the value type's zero value (`"a": null` -> `"a": ""`).
function zero(site: CompactSchema): unknown {
  const s = resolve(site);
  return s.type === "string" ? "" : s.type === "integer" || s.type === "number" ? 0 : null;
}

function fieldPath(path: string[]): string {
  return path.map((p, i) => (p.startsWith("[") || i === 0 ? p : `.${p}`)).join("");
}

/**
 * Decodes `obj` as its built-in kind (see the file comment); returns the decoded object.
 * Throws the 400 the real server answers for undecodable input.
 */
export function decodeBuiltin(
  info: ResourceInfo,
  obj: Obj,
  fieldValidation: string | null | undefined,
  warnings: string[],
): Obj {
  const def = builtinDefinitionOf(info);
  const schema = def ? builtinDefinition(def) : undefined;
  if (!def || !schema) return obj;
  const fv = fieldValidation || "Warn";
  if (fv !== "Strict" && fv !== "Warn" && fv !== "Ignore") {
    throw badRequest(
      `fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`,
    );
  }
  const version = info.version;
  const prefix = `${info.kind} in version "${version}" cannot be handled as a ${info.kind}`;
  const d = new Decoder(info.kind);
  let out: Obj;
  try {
    out = d.value({ $ref: def }, obj, shortName(def), []) as Obj;
  } catch (e) {
    if (e instanceof DecodeFailure) throw badRequest(`${prefix}: ${e.message}`);
    throw e;
  }
  // metadata, apiVersion and kind are the server's business (checkBody)
  out.apiVersion = obj.apiVersion;
  out.kind = obj.kind;
  const unknown = d.unknown.filter((p) => !p.startsWith("metadata.managedFields"));
  if (unknown.length) {
    if (fv === "Strict") {
      const fields = unknown.map((p) => `unknown field "${p}"`).join(", ");
      throw badRequest(`${prefix}: strict decoding error: ${fields}`);
    }
    if (fv === "Warn") { for (const p of unknown) warnings.push(`unknown field "${p}"`); }
  }
  return out;
}

/** Causes for required fields (OpenAPI `required`) missing from `obj`, skipping `metadata`. */
export function missingRequired(info: ResourceInfo, obj: Obj): StatusCause[] {
  const def = builtinDefinitionOf(info);
  if (!def) return [];
  const causes: StatusCause[] = [];
  const walk = (site: CompactSchema, v: unknown, path: string, depth: number) => {
    if (depth > 30 || v === undefined || v === null) return;
    const s = resolve(site);
    if (s["x-kubernetes-preserve-unknown-fields"]) return;
    if (Array.isArray(v) && s.items) {
      v.forEach((item, i) => walk(s.items!, item, `${path}[${i}]`, depth + 1));
      return;
    }
    if (!isObj(v) || !s.properties) return;
    for (const r of s.required ?? []) {
      const x = v[r];
      if (path === "" && (r === "metadata" || r === "apiVersion" || r === "kind")) continue;
      // Go validation treats a zero string or an empty list as missing (status is the
      // controllers' business, where empty messages are fine)
      const blank = x === "" && !path.startsWith("status");
      if (x === undefined || x === null || blank || (Array.isArray(x) && x.length === 0)) {
        causes.push(cause("FieldValueRequired", path ? `${path}.${r}` : r, "Required value"));
      }
    }
    for (const [k, child] of Object.entries(v)) {
      if (path === "" && k === "metadata") continue;
      const prop = s.properties[k];
      if (prop) walk(prop, child, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  walk({ $ref: def }, obj, "", 0);
  return causes;
}
