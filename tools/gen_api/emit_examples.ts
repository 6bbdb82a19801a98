// Doc examples for the generated api/ modules: every ResourceType descriptor asserts its
// kind, plural and scope; every type the client re-exports (client/*.ts `export ... from
// "../api/..."`) is built as a small value and sent through the embedded API server (created,
// or written to the status subresource), and a field of what the server answered is asserted.
// Only those types get one, so the generated modules stay small and quick to check.
import { type ApiModel, refOf, type ResourceModel } from "./model.ts";
import type { OpenApiSchema } from "./spec.ts";

/** The generated types the client re-exports, per api/ module (`core/v1` -> names). */
export function clientReexports(root: URL): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const dir = new URL("client/", root);
  const names = [...Deno.readDirSync(dir)].map((e) => e.name)
    .filter((n) => n.endsWith(".ts") && !n.endsWith("_test.ts")).sort();
  const re =
    /export\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"\.\.\/api\/([a-z0-9]+\/v[0-9a-z]+)\/mod\.ts"/g;
  for (const name of names) {
    const text = Deno.readTextFileSync(new URL(name, dir));
    for (const m of text.matchAll(re)) {
      const set = out.get(m[2]) ?? new Set<string>();
      for (const n of m[1].split(",")) {
        const id = n.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0];
        if (id) set.add(id);
      }
      out.set(m[2], set);
    }
  }
  return out;
}

/** The example of a descriptor: its kind, plural and scope. */
export function descriptorExample(r: ResourceModel, name: string): string[] {
  return [
    "```ts",
    `import { ${name} } from "./mod.ts";`,
    `import assert from "node:assert/strict";`,
    `assert.equal(${name}.kind, ${JSON.stringify(r.kind)});`,
    `assert.equal(${name}.plural, ${JSON.stringify(r.plural)});`,
    `assert.equal(${name}.namespaced, ${r.namespaced});`,
    "```",
  ];
}

const SPECIAL: Record<string, unknown> = {
  "io.k8s.apimachinery.pkg.api.resource.Quantity": "1",
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "2026-01-01T00:00:00Z",
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "2026-01-01T00:00:00.000000Z",
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": 1,
};

// Fields the embedded server (like kube-apiserver) validates beyond the schema's `required`:
// the smallest values it accepts, merged over the required fields.
const CONTAINER = { name: "app", image: "nginx" };
const TEMPLATE = {
  selector: { matchLabels: { app: "example" } },
  template: { metadata: { labels: { app: "example" } }, spec: { containers: [CONTAINER] } },
};
const SEEDS: Record<string, Record<string, unknown>> = {
  "io.k8s.api.core.v1.Service": { spec: { ports: [{ port: 80 }] } },
  "io.k8s.api.apps.v1.Deployment": { spec: TEMPLATE },
  "io.k8s.api.apps.v1.DaemonSet": { spec: TEMPLATE },
  "io.k8s.api.apps.v1.ReplicaSet": { spec: TEMPLATE },
  "io.k8s.api.apps.v1.StatefulSet": { spec: TEMPLATE },
  "io.k8s.api.core.v1.Container": CONTAINER,
  "io.k8s.api.core.v1.PodSpec": { containers: [CONTAINER] },
  "io.k8s.api.core.v1.ServiceSpec": { ports: [{ port: 80 }] },
  "io.k8s.api.apps.v1.DeploymentSpec": TEMPLATE,
  "io.k8s.api.apps.v1.DaemonSetSpec": TEMPLATE,
  "io.k8s.api.apps.v1.ReplicaSetSpec": TEMPLATE,
  "io.k8s.api.apps.v1.StatefulSetSpec": TEMPLATE,
  "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector": { matchLabels: { app: "example" } },
  "io.k8s.api.rbac.v1.PolicyRule": { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition": {
    metadata: { name: "examples.example.com" },
  },
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec": {
    group: "example.com",
    names: { plural: "examples", kind: "Example" },
    scope: "Namespaced",
  },
  "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion": {
    name: "v1",
    served: true,
    storage: true,
    schema: { openAPIV3Schema: { type: "object" } },
  },
};

/** The descriptor serving each kind: definition -> its api/ module, name and resource. */
export type Descriptors = Map<string, { module: string; name: string; resource: ResourceModel }>;

/** A kind's value with `metadata` first: named `example`, in `default` when namespaced. */
function kindValue(resource: ResourceModel, inner: unknown): Record<string, unknown> {
  const { metadata, ...rest } = inner as { metadata?: object };
  const scope = resource.namespaced ? { namespace: "default" } : {};
  return { metadata: { name: "example", ...scope, ...metadata }, ...rest };
}

type Step = { prop: string; array: boolean };

/** A TypeScript literal of a JSON value (identifier keys unquoted), `value` for the hole. */
function literal(v: unknown): string {
  if (v === HOLE) return "value";
  if (Array.isArray(v)) return `[${v.map(literal).join(", ")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v).map(([k, x]) =>
      `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k)}: ${literal(x)}`
    );
    return entries.length ? `{ ${entries.join(", ")} }` : "{}";
  }
  return JSON.stringify(v);
}
const HOLE = Symbol("value");

function access(path: Step[]): string {
  return path.map((s) =>
    (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s.prop) ? `?.${s.prop}` : `?.[${JSON.stringify(s.prop)}]`) +
    (s.array ? "?.[0]" : "")
  ).join("");
}

class Values {
  constructor(readonly model: ApiModel) {}

  resolve(s: OpenApiSchema): { schema: OpenApiSchema; ref?: string } {
    const ref = refOf(s);
    if (ref) return { schema: this.model.definitions.get(ref) ?? {}, ref };
    return { schema: s };
  }

  /** The smallest value of `s` with every required field. */
  minimal(s: OpenApiSchema, depth = 0): unknown {
    const { schema, ref } = this.resolve(s);
    if (ref && ref in SPECIAL) return SPECIAL[ref];
    if (schema.oneOf) return this.minimal(schema.oneOf[0], depth);
    switch (schema.type) {
      case "string":
        if (schema.format === "date-time") {
          return SPECIAL["io.k8s.apimachinery.pkg.apis.meta.v1.Time"];
        }
        if (schema.format === "byte") return "ZXhhbXBsZQ==";
        return "example";
      case "integer":
      case "number":
        return 1;
      case "boolean":
        return true;
      case "array":
        return [];
    }
    const out: Record<string, unknown> = {};
    if (depth > 8) return out;
    for (const p of schema.required ?? []) {
      const prop = schema.properties?.[p];
      if (prop) out[p] = this.minimal(prop, depth + 1);
    }
    const seed = ref ? SEEDS[ref] : undefined;
    if (seed) Object.assign(out, structuredClone(seed));
    // a required list the server wants non-empty: one minimal element
    for (const p of schema.required ?? []) {
      const prop = schema.properties?.[p];
      if (prop?.type === "array" && prop.items && refOf(prop.items) && !seed?.[p]) {
        out[p] = [this.minimal(prop.items, depth + 1)];
      }
    }
    return out;
  }

  /** Properties of an object schema with the schema of one element (arrays unwrapped). */
  edges(s: OpenApiSchema): Array<Step & { schema: OpenApiSchema; required: boolean }> {
    const { schema } = this.resolve(s);
    const required = new Set(schema.required ?? []);
    return Object.entries(schema.properties ?? {}).map(([prop, p]) => {
      const array = p.type === "array" && p.items !== undefined;
      return { prop, array, schema: array ? p.items! : p, required: required.has(prop) };
    });
  }

  /** The shortest property path from `from` to a definition named `to`. */
  pathTo(from: string, to: string, avoidStatus: boolean): Step[] | undefined {
    const seen = new Set([from]);
    let frontier: Array<{ def: string; path: Step[] }> = [{ def: from, path: [] }];
    while (frontier.length) {
      const next: typeof frontier = [];
      for (const { def, path } of frontier) {
        for (const e of this.edges({ $ref: `#/components/schemas/${def}` })) {
          if (
            path.length === 0 && (e.prop === "metadata" || (avoidStatus && e.prop === "status"))
          ) {
            continue;
          }
          const ref = refOf(e.schema);
          if (!ref || seen.has(ref)) continue;
          const p = [...path, { prop: e.prop, array: e.array }];
          if (ref === to) return p;
          seen.add(ref);
          next.push({ def: ref, path: p });
        }
      }
      frontier = next;
    }
    return undefined;
  }

  /** A scalar field of `s` to set and assert: required first, then optional, then nested. */
  field(s: OpenApiSchema, depth = 0): { path: Step[]; value: unknown } | undefined {
    const scalar = (x: OpenApiSchema) => {
      const { schema, ref } = this.resolve(x);
      if (ref && ref in SPECIAL) return false;
      if (schema.format === "date-time" || schema.format === "byte") return false;
      return ["string", "integer", "number", "boolean"].includes(schema.type ?? "");
    };
    const edges = this.edges(s).filter((e) => !e.array);
    const order = [...edges.filter((e) => e.required), ...edges.filter((e) => !e.required)];
    for (const e of order) {
      if (!scalar(e.schema)) continue;
      const t = this.resolve(e.schema).schema.type;
      const value = t === "string" ? "example" : t === "boolean" ? true : 7;
      return { path: [{ prop: e.prop, array: false }], value };
    }
    if (depth >= 2) return undefined;
    for (const e of order) {
      if (!refOf(e.schema)) continue;
      const inner = this.field(e.schema, depth + 1);
      if (inner) {
        return { path: [{ prop: e.prop, array: false }, ...inner.path], value: inner.value };
      }
    }
    return undefined;
  }

  /** `minimal(s)` with `value` at `path` (intermediate objects and arrays created). */
  place(s: OpenApiSchema, path: Step[], value: unknown): unknown {
    if (path.length === 0) return value;
    const [step, ...rest] = path;
    const base = this.minimal(s) as Record<string, unknown>;
    const e = this.edges(s).find((x) => x.prop === step.prop)!;
    const inner = this.place(e.schema, rest, value);
    return { ...base, [step.prop]: step.array ? [inner] : inner };
  }
}

/**
 * The example of a type the client re-exports, or undefined when no resource carries it.
 * `descriptors` maps a definition to the module and name of the descriptor serving it.
 */
export function typeExample(
  model: ApiModel,
  module: string,
  def: string,
  name: string,
  descriptors: Descriptors,
): string[] | undefined {
  const v = new Values(model);
  let owner: { def: string; path: Step[] } | undefined;
  if (descriptors.has(def)) owner = { def, path: [] };
  for (const avoidStatus of [true, false]) {
    if (owner) break;
    for (const d of descriptors.keys()) {
      const path = v.pathTo(d, def, avoidStatus);
      if (path && (!owner || path.length < owner.path.length)) owner = { def: d, path };
    }
  }
  if (!owner) return scaleExample(model, module, def, name, descriptors);
  const serving = descriptors.get(owner.def)!;
  const ownerRef = { $ref: `#/components/schemas/${owner.def}` };
  const typeRef = { $ref: `#/components/schemas/${def}` };
  const field = owner.path.length ? v.field(typeRef) : undefined;
  if (field) {
    // a field the smallest valid value already sets keeps its value (the server checks it)
    let x: unknown = v.minimal(typeRef);
    for (const step of field.path) x = (x as Record<string, unknown> | undefined)?.[step.prop];
    if (x !== undefined && typeof x !== "object") field.value = x;
  }
  const valueOf = field ? v.place(typeRef, field.path, field.value) : v.minimal(typeRef);
  const status = owner.path[0]?.prop === "status";
  const lines = [
    "```ts",
    serving.module === module
      ? `import { ${serving.name}, type ${name} } from "./mod.ts";`
      : `import type { ${name} } from "./mod.ts";`,
  ];
  if (serving.module !== module) {
    lines.push(`import { ${serving.name} } from "../../${serving.module}/mod.ts";`);
  }
  lines.push(
    `import { KubeClient } from "../../../client/mod.ts";`,
    `import { startApiServer } from "../../../testing/mod.ts";`,
    `import assert from "node:assert/strict";`,
    "await using server = await startApiServer();",
    "using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });",
    `const value: ${name} = ${
      literal(owner.path.length ? valueOf : kindValue(serving.resource, valueOf))
    };`,
  );
  const api = `client.resource(${serving.name})`;
  if (owner.path.length === 0) {
    lines.push(
      `const created = await ${api}.create(value);`,
      `assert.equal(created.kind, ${JSON.stringify(serving.resource.kind)});`,
      "assert.ok(created.metadata.uid);",
    );
    return [...lines, "```"];
  }
  const outer = kindValue(serving.resource, v.minimal(ownerRef));
  let result = "created";
  if (status) {
    const statusValue = v.place(
      owner.path[0].array ? {} : v.edges(ownerRef).find((e) => e.prop === "status")!.schema,
      owner.path.slice(1),
      HOLE,
    );
    lines.push(
      `const created = await ${api}.create(${literal(outer)});`,
      `const updated = await ${api}.status.replace({ ...created, status: ${
        literal(statusValue)
      } });`,
    );
    result = "updated";
  } else {
    lines.push(
      `const created = await ${api}.create(${
        literal(kindValue(serving.resource, v.place(ownerRef, owner.path, HOLE)))
      });`,
    );
  }
  const asserted = field ? [...owner.path, ...field.path] : owner.path;
  const expected = field ? JSON.stringify(field.value) : "value";
  lines.push(
    `assert.${field ? "equal" : "deepEqual"}(${result}${
      access(asserted).replace(/^\?/, "")
    }, ${expected});`,
    "```",
  );
  return lines;
}

/**
 * autoscaling/v1 Scale is no field of any kind: it is the `scale` subresource. Its example reads
 * a workload's scale, writes `spec.replicas` through it, and asserts the workload's replicas.
 */
function scaleExample(
  model: ApiModel,
  module: string,
  def: string,
  name: string,
  descriptors: Descriptors,
): string[] | undefined {
  const { group, version } = moduleParts(module);
  const serving = [...descriptors.values()].find(({ resource: r }) =>
    SEEDS[r.definition] !== undefined &&
    r.subresources.some((s) =>
      s.name === "scale" && s.kind === name && s.group === group && s.version === version
    )
  );
  if (!serving || !model.definitions.get(def)?.properties?.spec) return undefined;
  const v = new Values(model);
  const ownerRef = { $ref: `#/components/schemas/${serving.resource.definition}` };
  const outer = kindValue(serving.resource, v.minimal(ownerRef));
  return [
    "```ts",
    `import type { ${name} } from "./mod.ts";`,
    `import { ${serving.name} } from "../../${serving.module}/mod.ts";`,
    `import { KubeClient } from "../../../client/mod.ts";`,
    `import { startApiServer } from "../../../testing/mod.ts";`,
    `import assert from "node:assert/strict";`,
    "await using server = await startApiServer();",
    "using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });",
    `const api = client.resource(${serving.name});`,
    `await api.create(${literal(outer)});`,
    `const value: ${name} = { ...(await api.scale.get("example")), spec: { replicas: 3 } };`,
    "await api.scale.replace(value);",
    `assert.equal((await api.get("example")).spec?.replicas, 3);`,
    "```",
  ];
}

/** `autoscaling/v1` -> group `autoscaling`, version `v1` (`core` is the empty group). */
function moduleParts(module: string): { group: string; version: string } {
  const [g, version] = module.split("/");
  return { group: g === "core" ? "" : g, version };
}
