// Writes the compact schema table the embedded server loads: every resource with its scope,
// verbs, subresources, short names and categories, and every definition stripped of
// descriptions (types, formats, required, defaults, list/map types, patch strategies).
import { type ApiModel, refOf } from "./model.ts";
import type { OpenApiSchema } from "./spec.ts";

/** Where the table goes, relative to the repository root. */
export const TABLE_PATH = "testing/_schema/builtin_table.json";

const KEEP_EXTENSIONS = [
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-patch-strategy",
  "x-kubernetes-patch-merge-key",
  "x-kubernetes-int-or-string",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
];

/** A schema without descriptions; `$ref` holds a bare definition name. */
export function compact(s: OpenApiSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const ref = refOf(s);
  if (ref) out.$ref = ref;
  for (const k of ["type", "format", "enum", "nullable"]) if (s[k] !== undefined) out[k] = s[k];
  if (s.default !== undefined && !isEmptyDefault(s.default)) out.default = s.default;
  if (s.required?.length) out.required = s.required;
  if (s.items) out.items = compact(s.items);
  if (s.properties) {
    const props: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.properties)) props[k] = compact(v);
    out.properties = props;
  }
  if (typeof s.additionalProperties === "object") {
    out.additionalProperties = compact(s.additionalProperties);
  } else if (s.additionalProperties !== undefined) {
    out.additionalProperties = s.additionalProperties;
  }
  if (s.oneOf) out.oneOf = s.oneOf.map(compact);
  for (const k of KEEP_EXTENSIONS) if (s[k] !== undefined) out[k] = s[k];
  return out;
}

// The documents give `default: {}` / `default: ""` for every non-pointer struct or string:
// Go zero values, not server defaults; they carry no information for validation.
function isEmptyDefault(v: unknown): boolean {
  return v === "" || (typeof v === "object" && v !== null && Object.keys(v).length === 0);
}

/** The table as JSON text: one resource or definition per line, so diffs stay readable. */
export function emitTable(model: ApiModel): string {
  const resources = model.resources.map((r) => JSON.stringify(r));
  const defs = [...model.definitions].map(([name, s]) =>
    `${JSON.stringify(name)}:${JSON.stringify(compact(s))}`
  );
  return `{"generatedBy":"tools/gen_api (deno task gen:api); do not edit",` +
    `"kubernetesVersion":${JSON.stringify(model.version)},\n` +
    `"groupVersions":${JSON.stringify(model.groupVersions)},\n` +
    `"resources":[\n${resources.join(",\n")}\n],\n` +
    `"definitions":{\n${defs.join(",\n")}\n}}\n`;
}
