// Discovery (rules 8.1-8.3) and OpenAPI v3 for kubectl validation (rule 8.7).
import { openApiV3Document, openApiV3Index } from "../_schema/mod_internal.ts";
import { builtinKind, builtinOpenApiSchemas } from "../_schema/builtin.ts";
import type { Registry, ResourceInfo } from "./registry.ts";
import { jsonResponse, pageNotFound } from "./status.ts";

/** kube's storageVersionHash: base64 of the first 8 bytes of sha256("group/version/kind"). */
async function storageVersionHash(r: ResourceInfo): Promise<string> {
  const version = r.crd?.storageVersion ?? r.version;
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${r.group}/${version}/${r.kind}`),
  );
  return btoa(String.fromCharCode(...new Uint8Array(digest).subarray(0, 8)));
}

async function resourceList(apiVersion: string, resources: ResourceInfo[]): Promise<unknown> {
  const out: unknown[] = [];
  for (const r of resources) {
    const entry: Record<string, unknown> = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    entry.storageVersionHash = await storageVersionHash(r);
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    out.push(entry);
    if (r.status) {
      out.push({
        name: `${r.plural}/status`,
        singularName: "",
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ["get", "patch", "update"],
      });
    }
    if (r.scale) {
      out.push({
        name: `${r.plural}/scale`,
        singularName: "",
        namespaced: r.namespaced,
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: ["get", "patch", "update"],
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersion, resources: out };
}

function groupEntry(g: { name: string; versions: string[] }): unknown {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

const VERSION = {
  major: "1",
  minor: "36",
  emulationMajor: "1",
  emulationMinor: "36",
  minCompatibilityMajor: "1",
  minCompatibilityMinor: "35",
  gitVersion: "v1.36.0+operatorkit",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-01-01T00:00:00Z",
  goVersion: "go1.26",
  compiler: "deno",
  platform: "linux/amd64",
};

/**
 * Replaces the permissive schemas of the built-in kinds of `gv` (and the metadata types) by
 * their real definitions from the generated table, keeping each schema's GVK extension.
 */
function withBuiltinSchemas(
  doc: Record<string, unknown>,
  registry: Registry,
  gv: string,
): Record<string, unknown> {
  const names = registry.resources(gv).filter((r) => !r.crd).map((r) =>
    builtinKind(r.apiVersion, r.kind)?.definition
  ).filter((n): n is string => n !== undefined);
  if (!names.length) return doc;
  const components = doc.components as { schemas: Record<string, Record<string, unknown>> };
  for (const [name, schema] of Object.entries(builtinOpenApiSchemas(names))) {
    const gvk = components.schemas[name]?.["x-kubernetes-group-version-kind"];
    components.schemas[name] = gvk ? { ...schema, "x-kubernetes-group-version-kind": gvk } : schema;
  }
  return doc;
}

const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** True when `accept` asks for aggregated discovery v2 (as kubectl and client-go do first). */
function wantsAggregated(accept: string | null): boolean {
  if (!accept) return false;
  return accept.split(",").some((part) => {
    const params = part.split(";").map((x) => x.trim());
    return params.includes("g=apidiscovery.k8s.io") && params.includes("v=v2") &&
      params.includes("as=APIGroupDiscoveryList");
  });
}

function scopeOf(r: ResourceInfo): string {
  return r.namespaced ? "Namespaced" : "Cluster";
}

// apiserver/pkg/endpoints/discovery/aggregated: one APIGroupDiscovery per group, versions in
// preference order, each resource with its subresources (status, scale).
function aggregatedGroup(registry: Registry, group: string, versions: string[]): unknown {
  return {
    metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
    versions: versions.map((version) => {
      const gv = group ? `${group}/${version}` : version;
      return {
        version,
        resources: registry.resources(gv).sort((a, b) => a.plural.localeCompare(b.plural)).map(
          (r) => {
            const entry: Record<string, unknown> = {
              resource: r.plural,
              responseKind: { group: r.group, version: r.version, kind: r.kind },
              scope: scopeOf(r),
              singularResource: r.singular,
              verbs: r.verbs,
            };
            if (r.shortNames.length) entry.shortNames = r.shortNames;
            if (r.categories.length) entry.categories = r.categories;
            const subs: unknown[] = [];
            if (r.scale) {
              subs.push({
                subresource: "scale",
                responseKind: { group: "autoscaling", version: "v1", kind: "Scale" },
                verbs: ["get", "patch", "update"],
              });
            }
            if (r.status) {
              subs.push({
                subresource: "status",
                responseKind: { group: r.group, version: r.version, kind: r.kind },
                verbs: ["get", "patch", "update"],
              });
            }
            if (subs.length) entry.subresources = subs;
            return entry;
          },
        ),
        freshness: "Current",
      };
    }),
  };
}

function aggregatedResponse(items: unknown[]): Response {
  return new Response(
    JSON.stringify({
      kind: "APIGroupDiscoveryList",
      apiVersion: "apidiscovery.k8s.io/v2",
      metadata: {},
      items,
    }),
    { headers: { "content-type": AGGREGATED } },
  );
}

/** Answers a discovery, version or OpenAPI path; undefined when `path` is none of those. */
export async function handleDiscovery(
  registry: Registry,
  path: string,
  accept: string | null = null,
): Promise<Response | undefined> {
  const segs = path.split("/").filter((s) => s !== "");
  if (segs.length === 1 && (segs[0] === "api" || segs[0] === "apis") && wantsAggregated(accept)) {
    if (segs[0] === "api") return aggregatedResponse([aggregatedGroup(registry, "", ["v1"])]);
    return aggregatedResponse(
      registry.groups().map((g) => aggregatedGroup(registry, g.name, g.versions)),
    );
  }
  if (path === "/version" || path === "/version/") return jsonResponse(VERSION);
  if (["/healthz", "/livez", "/readyz"].includes(path)) {
    return new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  if (segs[0] === "api") {
    if (segs.length === 1) {
      return jsonResponse({
        kind: "APIVersions",
        versions: ["v1"],
        serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }],
      });
    }
    if (segs.length === 2 && registry.hasGroupVersion(segs[1])) {
      return jsonResponse(await resourceList(segs[1], registry.resources(segs[1])));
    }
    return undefined;
  }
  if (segs[0] === "apis") {
    if (segs.length === 1) {
      return jsonResponse({
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: registry.groups().map(groupEntry),
      });
    }
    const g = registry.groups().find((x) => x.name === segs[1]);
    if (!g) return segs.length <= 3 ? pageNotFound() : undefined;
    if (segs.length === 2) {
      return jsonResponse({ kind: "APIGroup", apiVersion: "v1", ...groupEntry(g) as object });
    }
    if (segs.length === 3) {
      const gv = `${segs[1]}/${segs[2]}`;
      if (!registry.hasGroupVersion(gv)) return pageNotFound();
      return jsonResponse(await resourceList(gv, registry.resources(gv)));
    }
    return undefined;
  }
  if (segs[0] === "openapi" && segs[1] === "v3") {
    if (segs.length === 2) {
      return jsonResponse(openApiV3Index(registry.groupVersions()));
    }
    const rest = segs.slice(2);
    const gv = rest[0] === "api"
      ? rest[1]
      : rest[0] === "apis"
      ? `${rest[1]}/${rest[2]}`
      : undefined;
    if (!gv || !registry.hasGroupVersion(gv)) return pageNotFound();
    const resources = registry.resources(gv).map((r) => ({
      group: r.group,
      version: r.version,
      kind: r.kind,
      plural: r.plural,
      namespaced: r.namespaced,
      ...(r.crd?.schema ? { schema: r.crd.schema } : {}),
    }));
    return jsonResponse(withBuiltinSchemas(openApiV3Document(gv, resources), registry, gv));
  }
  return undefined;
}
