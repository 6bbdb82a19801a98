// The generator's model: every definition of the served group versions (deduplicated by
// name), and every resource with its verbs and subresources, read from the documents' paths
// (`x-kubernetes-action`, `x-kubernetes-group-version-kind`).
import type { OpenApiSchema, SpecInput } from "./spec.ts";
import type { BuiltinResource, BuiltinSubresource } from "../../testing/_schema/builtin.ts";

/** A subresource (`deployments/scale`) as discovery lists it: the table's own shape. */
export type SubresourceModel = BuiltinSubresource;

/** One resource of one group version: the shape the embedded server's table holds. */
export type ResourceModel = BuiltinResource;

/** The whole model. */
export interface ApiModel {
  version: string;
  /** Sorted by name. */
  definitions: Map<string, OpenApiSchema>;
  /** Sorted by apiVersion, then plural. */
  resources: ResourceModel[];
  /** Served group versions, core first. */
  groupVersions: string[];
}

const ACTION_VERB: Record<string, string> = {
  get: "get",
  list: "list",
  put: "update",
  patch: "patch",
  post: "create",
  delete: "delete",
  deletecollection: "deletecollection",
  watch: "watch",
  watchlist: "watch",
};

const CONNECT_VERB: Record<string, string> = {
  get: "get",
  post: "create",
  put: "update",
  patch: "patch",
  delete: "delete",
};

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** Builds the model from the inputs. */
export function buildModel(input: SpecInput): ApiModel {
  const definitions = new Map<string, OpenApiSchema>();
  const resources: ResourceModel[] = [];
  const gvs = [...input.documents.keys()].sort((a, b) =>
    (a.includes("/") ? 1 : 0) - (b.includes("/") ? 1 : 0) || a.localeCompare(b)
  );
  for (const gv of gvs) {
    const doc = input.documents.get(gv)!;
    const schemas = doc.components?.schemas ?? {};
    for (const [name, schema] of Object.entries(schemas)) {
      if (!definitions.has(name)) definitions.set(name, schema);
    }
    const byKind = new Map<string, string>();
    for (const [name, schema] of Object.entries(schemas)) {
      for (const g of (schema["x-kubernetes-group-version-kind"] as Gvk[] | undefined) ?? []) {
        byKind.set(`${g.group}/${g.version}/${g.kind}`, name);
      }
    }
    const found = new Map<string, ResourceModel>();
    const subs = new Map<string, Map<string, SubresourceModel>>();
    const prefix = gv.includes("/") ? `/apis/${gv}/` : `/api/${gv}/`;
    for (const [path, item] of Object.entries(doc.paths).sort(([a], [b]) => a.localeCompare(b))) {
      if (!path.startsWith(prefix)) continue;
      let segs = path.slice(prefix.length).split("/").filter((s) => s !== "");
      if (segs[0] === "watch") segs = segs.slice(1);
      let namespaced = false;
      if (segs[0] === "namespaces" && segs[1] === "{namespace}" && segs.length > 2) {
        namespaced = true;
        segs = segs.slice(2);
      }
      if (segs.length === 0) continue;
      const plural = segs[0];
      const sub = segs.length >= 3 ? segs[2] : undefined;
      for (const [method, op] of Object.entries(item)) {
        if (typeof op !== "object" || op === null) continue;
        const o = op as Record<string, unknown>;
        const action = o["x-kubernetes-action"] as string | undefined;
        const gvk = o["x-kubernetes-group-version-kind"] as Gvk | undefined;
        if (!action) continue;
        const verb = action === "connect" ? CONNECT_VERB[method] : ACTION_VERB[action];
        if (!verb) continue;
        if (sub) {
          const m = subs.get(plural) ?? new Map<string, SubresourceModel>();
          subs.set(plural, m);
          const s = m.get(sub) ?? {
            name: sub,
            group: gvk?.group ?? "",
            version: gvk?.version ?? "",
            kind: gvk?.kind ?? "",
            verbs: [],
          };
          if (!s.verbs.includes(verb)) s.verbs.push(verb);
          m.set(sub, s);
          continue;
        }
        let r = found.get(plural);
        if (!r) {
          if (!gvk) continue;
          const definition = byKind.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
          if (!definition) throw new Error(`${gv} ${plural}: no definition for kind ${gvk.kind}`);
          const reg = input.registry.get(plural);
          r = {
            group: gvk.group,
            version: gvk.version,
            kind: gvk.kind,
            plural,
            namespaced,
            verbs: [],
            shortNames: reg?.shortNames ?? [],
            categories: reg?.categories ?? [],
            generation: reg?.generation ?? false,
            returnDeleted: reg?.returnDeleted ?? false,
            subresources: [],
            definition,
          };
          found.set(plural, r);
        }
        if (namespaced) r.namespaced = true;
        if (!r.verbs.includes(verb)) r.verbs.push(verb);
      }
    }
    for (const [plural, r] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
      r.verbs.sort();
      r.subresources = [...(subs.get(plural)?.values() ?? [])].sort((a, b) =>
        a.name.localeCompare(b.name)
      );
      for (const s of r.subresources) {
        s.verbs.sort();
        if (!s.kind) {
          s.group = r.group;
          s.version = r.version;
          s.kind = r.kind;
        }
      }
      resources.push(r);
    }
  }
  const sorted = new Map([...definitions].sort(([a], [b]) => a.localeCompare(b)));
  return { version: input.version, definitions: sorted, resources, groupVersions: gvs };
}

/** The definition a schema refers to (`$ref`, or `allOf: [{$ref}]`), or undefined. */
export function refOf(schema: OpenApiSchema): string | undefined {
  const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0].$ref : undefined);
  return ref?.replace("#/components/schemas/", "");
}
