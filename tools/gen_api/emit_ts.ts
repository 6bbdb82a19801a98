// Writes api/<group>/<version>/mod.ts: one TypeScript interface (or alias) per OpenAPI
// definition, and one ResourceType descriptor per resource, per Go package of k8s.io/api.
import { type ApiModel, refOf, type ResourceModel } from "./model.ts";
import type { OpenApiSchema } from "./spec.ts";
import { descriptorExample, type Descriptors, typeExample } from "./emit_examples.ts";

/** The api/ module path (`apps/v1`) and the exported name of a definition. */
export function moduleOf(definition: string): { module: string; name: string } {
  const dot = definition.lastIndexOf(".");
  const pkg = definition.slice(0, dot);
  const name = definition.slice(dot + 1);
  let m = pkg.match(/^io\.k8s\.api\.([a-z0-9]+)\.(v[0-9a-z]+)$/);
  if (m) return { module: `${m[1]}/${m[2]}`, name };
  if (pkg.startsWith("io.k8s.apimachinery.")) return { module: "meta/v1", name };
  m = pkg.match(
    /^io\.k8s\.(?:apiextensions-apiserver|kube-aggregator)\.pkg\.apis\.([a-z]+)\.(v[0-9a-z]+)$/,
  );
  if (m) return { module: `${m[1]}/${m[2]}`, name };
  throw new Error(`no api/ module for definition ${definition}`);
}

/** meta/v1 types the client already defines; api/meta/v1 re-exports them. */
export const CLIENT_TYPES: Record<string, string> = {
  "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": "ObjectMeta",
  "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta": "ListMeta",
  "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference": "OwnerReference",
  "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry": "ManagedFieldsEntry",
  "io.k8s.apimachinery.pkg.apis.meta.v1.Status": "Status",
  "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause": "StatusCause",
};

const REF_FORMAT: Record<string, string> = {
  "io.k8s.apimachinery.pkg.api.resource.Quantity": "quantity",
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "date-time",
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "date-time",
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "int-or-string",
};

// The documents give Quantity as `oneOf: [string, number]`; servers always answer strings,
// so (as k8s-openapi and client-go) the type is a string.
const STRING_TYPES: Record<string, string> = {
  "io.k8s.apimachinery.pkg.api.resource.Quantity": "string",
};

const ABBREVIATIONS = /(?:\be\.g|\bi\.e|\betc|\bvs|\bEx|\bapprox)$/;

/** The first sentence of an OpenAPI description, on one line, safe inside a JSDoc comment. */
export function firstSentence(description: string | undefined): string {
  if (!description) return "";
  const text = description.replace(/\s+/g, " ").trim();
  const re = /\.(?=\s|$)/g;
  let end = text.length;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (ABBREVIATIONS.test(text.slice(0, m.index))) continue;
    end = m.index + 1;
    break;
  }
  return text.slice(0, end).replaceAll("*/", "*\\/").replace(/^@/, "\\@");
}

/** A PascalCase name for a resource's descriptor: `networkpolicies` -> `NetworkPolicies`. */
export function descriptorName(r: ResourceModel): string {
  const lower = r.kind.toLowerCase();
  let i = 0;
  while (i < lower.length && i < r.plural.length && lower[i] === r.plural[i]) i++;
  return r.kind.slice(0, i) + r.plural.slice(i);
}

function formatTag(s: OpenApiSchema): string | undefined {
  if (s.format) return s.format;
  const ref = refOf(s);
  if (ref && REF_FORMAT[ref]) return REF_FORMAT[ref];
  if (s.items) return formatTag(s.items);
  if (typeof s.additionalProperties === "object") return formatTag(s.additionalProperties);
  return undefined;
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

class ModuleWriter {
  imports = new Map<string, Set<string>>();
  clientImports = new Set<string>();
  constructor(readonly module: string) {}

  ref(definition: string): string {
    const { module, name } = moduleOf(definition);
    if (module !== this.module) {
      const set = this.imports.get(module) ?? new Set<string>();
      set.add(name);
      this.imports.set(module, set);
    } else if (CLIENT_TYPES[definition]) {
      this.clientImports.add(name);
    }
    return name;
  }

  type(s: OpenApiSchema, indent: string): string {
    const ref = refOf(s);
    if (ref) return this.ref(ref);
    if (s.oneOf) return s.oneOf.map((x) => this.type(x, indent)).join(" | ");
    switch (s.type) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "array": {
        const item = s.items ? this.type(s.items, indent) : "unknown";
        return /^[A-Za-z0-9_.]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
      }
    }
    if (s.properties) return this.inline(s, indent);
    if (typeof s.additionalProperties === "object") {
      return `Record<string, ${this.type(s.additionalProperties, indent)}>`;
    }
    return s.type === "object" ? "Record<string, unknown>" : "unknown";
  }

  inline(s: OpenApiSchema, indent: string): string {
    const lines = this.members(s, `${indent}  `, false);
    return `{\n${lines.join("\n")}\n${indent}}`;
  }

  members(s: OpenApiSchema, indent: string, metadataRequired: boolean): string[] {
    const out: string[] = [];
    const required = new Set(s.required ?? []);
    if (metadataRequired) required.add("metadata");
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      // the documents leave some fields (JSONSchemaProps) undescribed; doc lint wants a comment
      const doc = firstSentence(prop.description) || `The \`${name}\` field.`;
      const tags: string[] = [];
      const format = formatTag(prop);
      if (format) tags.push(`@format ${format}`);
      if (/^deprecated\b/i.test(prop.description ?? "")) tags.push("@deprecated");
      const comment = [doc, ...tags].filter((x) => x !== "").join(" ");
      if (comment) out.push(`${indent}/** ${comment} */`);
      const opt = required.has(name) ? "" : "?";
      out.push(`${indent}${propertyKey(name)}${opt}: ${this.type(prop, indent)};`);
    }
    return out;
  }
}

function header(version: string): string {
  return `// Code generated by tools/gen_api from the OpenAPI v3 documents of Kubernetes ${version}. DO NOT EDIT.\n` +
    "// Regenerate with `deno task gen:api`.\n";
}

function relative(to: string): string {
  return to === "client" ? "../../../client/types.ts" : `../../${to}/mod.ts`;
}

function moduleDoc(module: string, version: string, resources: ResourceModel[]): string {
  const gv = resources.length ? apiVersionOf(resources[0]) : "meta.k8s.io/v1";
  const lines = [
    "/**",
    ` * Kubernetes \`${gv}\` (Go package \`k8s.io/${
      module === "meta/v1" ? "apimachinery" : "api/" + module
    }\`): the types of its objects${
      resources.length ? " and a `ResourceType` for each of its resources" : ""
    },`,
    ` * generated from the OpenAPI v3 documents of Kubernetes ${version}.`,
    " *",
    " * @example",
    " * ```ts",
  ];
  if (resources.length) {
    const r = resources[0];
    const d = descriptorName(r);
    lines.push(
      ` * import { ${d} } from "./mod.ts";`,
      ` * import assert from "node:assert/strict";`,
      ` * assert.equal(${d}.apiVersion, ${JSON.stringify(apiVersionOf(r))});`,
      ` * assert.equal(${d}.kind, ${JSON.stringify(r.kind)});`,
      ` * assert.equal(${d}.namespaced, ${r.namespaced});`,
    );
  } else {
    lines.push(
      ` * import type { LabelSelector, Quantity } from "./mod.ts";`,
      ` * import assert from "node:assert/strict";`,
      ` * const cpu: Quantity = "500m";`,
      ` * const selector: LabelSelector = { matchLabels: { app: "web" } };`,
      ` * assert.equal(cpu, "500m");`,
      ` * assert.equal(selector.matchLabels?.app, "web");`,
    );
  }
  lines.push(" * ```", " *", " * @module", " */");
  return lines.join("\n") + "\n";
}

function resourcesDoc(resources: ResourceModel[]): string {
  return [
    "/**",
    ` * The \`ResourceType\` descriptors of \`${apiVersionOf(resources[0])}\`, re-exported by its`,
    " * `mod.ts` (import them from there); in a file of their own so that a process using a",
    " * descriptor does not load the module's type declarations.",
    " *",
    " * @module",
    " */",
  ].join("\n") + "\n";
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** A JSDoc comment: `text`, then an example when there is one. */
function jsDoc(text: string, example: string[] | undefined, indent = ""): string {
  if (!example) return `${indent}/** ${text} */\n`;
  const lines = [text, "", "@example", ...example];
  return `${indent}/**\n${
    lines.map((l) => `${indent} *${l ? " " + l : ""}`).join("\n")
  }\n${indent} */\n`;
}

function descriptor(w: ModuleWriter, r: ResourceModel, model: ApiModel, name: string): string {
  const type = w.ref(r.definition);
  w.clientImports.add("ResourceType");
  const kindDoc = firstSentence(model.definitions.get(r.definition)?.description);
  const scope = r.namespaced ? "namespaced" : "cluster-scoped";
  const list = (xs: string[]) => `Object.freeze([${xs.map((x) => JSON.stringify(x)).join(", ")}])`;
  return [
    jsDoc(`\`${apiVersionOf(r)}\` ${r.plural} (${scope}): ${kindDoc}`, descriptorExample(r, name)) +
    `export const ${name}: ResourceType<${type}> = Object.freeze({`,
    `  group: ${JSON.stringify(r.group)},`,
    `  version: ${JSON.stringify(r.version)},`,
    `  apiVersion: ${JSON.stringify(apiVersionOf(r))},`,
    `  kind: ${JSON.stringify(r.kind)},`,
    `  plural: ${JSON.stringify(r.plural)},`,
    `  namespaced: ${r.namespaced},`,
    `  verbs: ${list(r.verbs)},`,
    `  subresources: ${list(r.subresources.map((s) => s.name))},`,
    `});`,
  ].join("\n");
}

/** Every api/ module: path relative to the repository root -> contents. */
export function emitTypes(
  model: ApiModel,
  reexported: Map<string, Set<string>> = new Map(),
): Map<string, string> {
  const byModule = new Map<string, string[]>();
  for (const name of model.definitions.keys()) {
    const { module } = moduleOf(name);
    byModule.set(module, [...(byModule.get(module) ?? []), name]);
  }
  // every kind whose metadata is an ObjectMeta gets it required, so it fits KubeObject (and
  // ResourceType); k8s-openapi does the same
  const objectKinds = new Set(
    [...model.definitions].filter(([, s]) =>
      s["x-kubernetes-group-version-kind"] && s.properties?.metadata &&
      refOf(s.properties.metadata) === "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    ).map(([name]) => name),
  );
  // the descriptor serving each kind (the first resource of that definition)
  const descriptors: Descriptors = new Map();
  const descriptorNames = new Map<ResourceModel, string>();
  for (const module of [...byModule.keys()].sort()) {
    const used = new Set(byModule.get(module)!.map((d) => moduleOf(d).name));
    for (const r of model.resources.filter((r) => moduleOf(r.definition).module === module)) {
      let d = descriptorName(r);
      if (used.has(d)) d = `${d}Resource`;
      used.add(d);
      descriptorNames.set(r, d);
      if (!descriptors.has(r.definition)) {
        descriptors.set(r.definition, { module, name: d, resource: r });
      }
    }
  }
  const out = new Map<string, string>();
  for (const module of [...byModule.keys()].sort()) {
    const w = new ModuleWriter(module);
    const body: string[] = [];
    const names = new Set<string>();
    const reexports: string[] = [];
    for (const def of byModule.get(module)!) {
      const { name } = moduleOf(def);
      if (names.has(name)) throw new Error(`two definitions named ${name} in api/${module}`);
      names.add(name);
      if (CLIENT_TYPES[def]) {
        reexports.push(name);
        continue;
      }
      const s = model.definitions.get(def)!;
      const doc = firstSentence(s.description);
      const tags: string[] = [];
      const format = REF_FORMAT[def] ?? s.format;
      if (format) tags.push(`@format ${format}`);
      if (/^deprecated\b/i.test(s.description ?? "")) tags.push("@deprecated");
      const example = reexported.get(module)?.has(name)
        ? typeExample(model, module, def, name, descriptors)
        : undefined;
      const comment = jsDoc([doc || name, ...tags].join(" "), example);
      if (s.properties) {
        const members = w.members(s, "  ", objectKinds.has(def));
        body.push(`${comment}export interface ${name} {\n${members.join("\n")}\n}`);
      } else {
        body.push(`${comment}export type ${name} = ${STRING_TYPES[def] ?? w.type(s, "")};`);
      }
    }
    const resources = model.resources.filter((r) => moduleOf(r.definition).module === module);
    // The descriptors (the module's only runtime values) go into their own file, re-exported
    // here: importing a descriptor (the package root imports `ConfigMaps`) then does not make
    // the process load and keep this module's source, which is almost all type declarations
    // and their docs (api/core/v1 is 150 KB; about 0.5 MB of RSS).
    if (resources.length) {
      const rw = new ModuleWriter(module);
      const descriptors = resources.map((r) => descriptor(rw, r, model, descriptorNames.get(r)!));
      const localTypes = [...new Set(resources.map((r) => moduleOf(r.definition).name))].sort();
      const resourceImports = [
        `import type { ResourceType } from "${relative("client")}";`,
        `import type { ${localTypes.join(", ")} } from "./mod.ts";`,
        ...[...rw.imports].sort(([a], [b]) => a.localeCompare(b)).map(([m, set]) =>
          `import type { ${[...set].sort().join(", ")} } from "${relative(m)}";`
        ),
      ];
      out.set(
        `api/${module}/_resources.ts`,
        header(model.version) + resourcesDoc(resources) + resourceImports.join("\n") +
          "\n\n" + descriptors.join("\n\n") + "\n",
      );
      body.push(
        `export { ${
          resources.map((r) => descriptorNames.get(r)!).sort().join(", ")
        } } from "./_resources.ts";`,
      );
    }
    const imports: string[] = [];
    if (reexports.length) {
      imports.push(
        `export type { ${reexports.sort().join(", ")} } from "${relative("client")}";`,
      );
      for (const n of reexports) w.clientImports.add(n);
    }
    const clientNames = [...w.clientImports].filter((n) =>
      body.some((b) => new RegExp(`\\b${n}\\b`).test(b))
    ).sort();
    if (clientNames.length) {
      imports.push(`import type { ${clientNames.join(", ")} } from "${relative("client")}";`);
    }
    for (const [m, set] of [...w.imports].sort(([a], [b]) => a.localeCompare(b))) {
      imports.push(`import type { ${[...set].sort().join(", ")} } from "${relative(m)}";`);
    }
    const text = header(model.version) + moduleDoc(module, model.version, resources) +
      imports.join("\n") + "\n\n" + body.join("\n\n") + "\n";
    out.set(`api/${module}/mod.ts`, text);
  }
  return out;
}
