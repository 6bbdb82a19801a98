// The built-in API of the Kubernetes version tools/envtest/ builds, from the generated table
// (_builtin_table.ts, written by `deno task gen:api`): the resources the server serves, their
// definitions (types, formats, required fields, list and map types, patch strategies), and the
// per-kind merge schemas strategic merge patch and server-side apply use.
import { BUILTIN_TABLE_JSON } from "./_builtin_table.ts";

/** A schema of the table: OpenAPI v3 without descriptions, `$ref` a bare definition name. */
export interface CompactSchema {
  $ref?: string;
  type?: string;
  format?: string;
  default?: unknown;
  nullable?: boolean;
  required?: string[];
  items?: CompactSchema;
  properties?: Record<string, CompactSchema>;
  additionalProperties?: CompactSchema | boolean;
  oneOf?: CompactSchema[];
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: string;
  "x-kubernetes-patch-strategy"?: string;
  "x-kubernetes-patch-merge-key"?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
}

/** A subresource of a built-in resource. */
export interface BuiltinSubresource {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

/** One built-in resource of one group version. */
export interface BuiltinResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
  categories: string[];
  generation: boolean;
  /** DELETE answers the deleted object instead of a Status. */
  returnDeleted: boolean;
  subresources: BuiltinSubresource[];
  /** Its definition's name, e.g. `io.k8s.api.apps.v1.Deployment`. */
  definition: string;
}

interface Table {
  kubernetesVersion: string;
  groupVersions: string[];
  resources: BuiltinResource[];
  definitions: Record<string, CompactSchema>;
}

let table: Table | undefined;

function load(): Table {
  return table ??= JSON.parse(BUILTIN_TABLE_JSON) as Table;
}

/** The Kubernetes version the table follows, e.g. `v1.36.3`. */
export function builtinVersion(): string {
  return load().kubernetesVersion;
}

/** Every built-in resource of every served group version (core first). */
export function builtinResources(): readonly BuiltinResource[] {
  return load().resources;
}

/** The definition named `name`, or undefined. */
export function builtinDefinition(name: string): CompactSchema | undefined {
  const defs = load().definitions;
  return Object.hasOwn(defs, name) ? defs[name] : undefined;
}

/** The built-in resource serving `kind` at `apiVersion`, or undefined. */
export function builtinKind(apiVersion: string, kind: string): BuiltinResource | undefined {
  return kindIndex().get(`${apiVersion}/${kind}`);
}

let kinds: Map<string, BuiltinResource> | undefined;
function kindIndex(): Map<string, BuiltinResource> {
  if (kinds) return kinds;
  kinds = new Map();
  for (const r of load().resources) {
    const av = r.group ? `${r.group}/${r.version}` : r.version;
    if (!kinds.has(`${av}/${r.kind}`)) kinds.set(`${av}/${r.kind}`, r);
  }
  return kinds;
}

/** Follows `$ref`s: the schema itself, merged with the extensions the referring site adds. */
export function resolve(s: CompactSchema): CompactSchema {
  if (!s.$ref) return s;
  const target = builtinDefinition(s.$ref);
  if (!target) return s;
  const { $ref: _, ...site } = s;
  return { ...resolve(target), ...site };
}

/** Merge schema flavour: strategic merge patch tags, or server-side apply list/map types. */
export type MergeMode = "strategic" | "apply";

const cache = new Map<string, Record<string, string>>();

/**
 * The flat merge schema of a built-in kind (see testing/_patch/strategic_merge.ts): list path
 * -> merge key / `"set"`; for `apply`, keyed lists give every key (`containerPort,protocol="TCP"`,
 * a key's schema default after `=`), atomic maps/structs `"atomic"` and other structs `"struct"`.
 * Undefined for kinds that are not built in.
 */
export function mergeSchema(
  apiVersion: string,
  kind: string,
  mode: MergeMode,
): Record<string, string> | undefined {
  const r = builtinKind(apiVersion, kind)?.definition ?? subresourceKind(apiVersion, kind);
  if (!r) return undefined;
  const key = `${mode}:${r}`;
  let out = cache.get(key);
  if (!out) {
    out = {};
    const def = builtinDefinition(r);
    if (def) walk(def, "", out, mode, [r]);
    cache.set(key, out);
  }
  return { ...out };
}

// Kinds that are only subresources (autoscaling/v1 Scale) merge by their own definition.
function subresourceKind(apiVersion: string, kind: string): string | undefined {
  for (const r of load().resources) {
    for (const s of r.subresources) {
      const av = s.group ? `${s.group}/${s.version}` : s.version;
      if (av === apiVersion && s.kind === kind) {
        const g = s.group === "" ? "core" : s.group.split(".")[0];
        const name = `io.k8s.api.${g}.${s.version}.${kind}`;
        if (builtinDefinition(name)) return name;
      }
    }
  }
  return undefined;
}

function walk(
  site: CompactSchema,
  path: string,
  out: Record<string, string>,
  mode: MergeMode,
  stack: string[],
  required = false,
): void {
  if (site.$ref && stack.includes(site.$ref)) return; // recursive types (JSONSchemaProps)
  const s = resolve(site);
  const next = site.$ref ? [...stack, site.$ref] : stack;
  if (s.type === "array" && s.items) {
    const strategy = listStrategy(s, mode);
    if (strategy) out[path] = strategy;
    // a list Go always serializes (required): never a member of its own (measured:
    // `f:containers` has no "." on kube-apiserver 1.36, `f:ports` has)
    if (mode === "apply" && strategy && required) out[`${path}!`] = "required";
    walk(s.items, `${path}[]`, out, mode, next);
    return;
  }
  if (mode === "apply" && path !== "" && s["x-kubernetes-map-type"] === "atomic") {
    out[path] = "atomic";
    return;
  }
  // structs are not maps: their fields are tracked, never the struct itself (apply only);
  // an empty non-pointer struct (`default: {}`) is no field at all, as the unstructured
  // converter omits zero structs, while an empty pointer struct is a leaf
  if (mode === "apply" && path !== "" && s.properties) {
    const nonPointer = typeof site.default === "object" && site.default !== null;
    out[path] = nonPointer ? "struct" : "pstruct";
  }
  const req = new Set(s.required ?? []);
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    walk(prop, path === "" ? name : `${path}.${name}`, out, mode, next, req.has(name));
  }
}

function listStrategy(s: CompactSchema, mode: MergeMode): string | undefined {
  const items = s.items ? resolve(s.items) : {};
  const primitive = items.type !== undefined && items.type !== "object" &&
    items.type !== "array";
  if (mode === "strategic") {
    const strategies = (s["x-kubernetes-patch-strategy"] ?? "").split(",");
    if (!strategies.includes("merge")) return undefined;
    return s["x-kubernetes-patch-merge-key"] ?? (primitive ? "set" : undefined);
  }
  const type = s["x-kubernetes-list-type"];
  if (type === "set") return primitive ? "set" : undefined;
  if (type !== "map") return undefined;
  const keys = s["x-kubernetes-list-map-keys"] ?? [];
  return keys.map((k) => {
    const d = items.properties?.[k] ? resolve(items.properties[k]).default : undefined;
    return d === undefined ? k : `${k}=${JSON.stringify(d)}`;
  }).join(",");
}

function toOpenApi(s: CompactSchema, refs: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "$ref") continue;
    if (k === "items" || k === "additionalProperties") {
      out[k] = typeof v === "object" && v !== null ? toOpenApi(v as CompactSchema, refs) : v;
    } else if (k === "properties") {
      const props: Record<string, unknown> = {};
      for (const [p, ps] of Object.entries(v as Record<string, CompactSchema>)) {
        props[p] = toOpenApi(ps, refs);
      }
      out[k] = props;
    } else if (k === "oneOf") {
      out[k] = (v as CompactSchema[]).map((x) => toOpenApi(x, refs));
    } else out[k] = v;
  }
  if (s.$ref) {
    refs.add(s.$ref);
    const ref = { $ref: `#/components/schemas/${s.$ref}` };
    // kube's documents wrap a reference that carries siblings in allOf
    return Object.keys(out).length ? { allOf: [ref], ...out } : ref;
  }
  return out;
}

/**
 * The OpenAPI v3 `components.schemas` for the given definitions and everything they refer
 * to (without descriptions), shaped as kube-apiserver's documents.
 */
export function builtinOpenApiSchemas(names: string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const queue = [...names];
  while (queue.length) {
    const name = queue.pop()!;
    if (out[name]) continue;
    const def = builtinDefinition(name);
    if (!def) continue;
    const refs = new Set<string>();
    out[name] = toOpenApi(def, refs);
    for (const r of refs) if (!out[r]) queue.push(r);
  }
  return out;
}
