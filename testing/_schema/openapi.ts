// OpenAPI v3 documents shaped like kube-apiserver's /openapi/v3, enough for kubectl.
//
// What kubectl 1.32 does with them (checked with the kubectl binary against a stub serving
// these documents, and against kube-apiserver v1.36; see openapi_test.ts):
// - create/apply always send `fieldValidation=Strict`. Before that, the verifier
//   (k8s.io/cli-runtime resource.QueryParamVerifierV3) fetches /openapi/v3 and the group-version
//   document and looks for a PATCH operation whose `x-kubernetes-group-version-kind` (one
//   {group, version, kind} object) is the object's GVK. If that operation lists the
//   `fieldValidation` query parameter, validation is left to the server; otherwise kubectl also
//   validates client-side with /openapi/v2, which the embedded server does not serve (kubectl
//   then skips it). Without any /openapi/v3, `kubectl create -f` fails with "failed to download
//   openapi" unless the user passes `--validate=false`.
// - client-side apply: a PATCH operation whose requestBody lists
//   `application/strategic-merge-patch+json` makes kubectl compute a strategic merge patch from
//   `components.schemas` (matched by the array form of the GVK extension). These documents do
//   not list it: the permissive built-in schemas here carry no merge keys, so kubectl falls back
//   to its compiled-in types for built-ins (correct strategic merge patches) and to a JSON merge
//   patch for custom resources, as with a real server's CRDs.
import type { JSONSchemaProps } from "./structural.ts";

/** One resource the server serves, as the OpenAPI documents need it. */
export interface OpenApiResource {
  /** API group; empty for the core group. */
  group: string;
  /** API version, e.g. `v1`. */
  version: string;
  /** Kind, e.g. `ConfigMap`. */
  kind: string;
  /** Resource name in paths, e.g. `configmaps`. */
  plural: string;
  /** Whether objects live in namespaces. */
  namespaced: boolean;
  /** Present for custom resources; built-ins use the engine's own schemas. */
  schema?: JSONSchemaProps;
  /** Subresources with their own paths (`status`); none when absent. */
  subresources?: string[];
}

type _Json = Record<string, unknown>;

/** Splits `v1`, `apps/v1`, `api/v1`, `apis/apps/v1` (leading slash allowed) into group and version. */
function _parseGroupVersion(gv: string): { group: string; version: string; path: string } {
  const parts = gv.replace(/^\/+/, "").split("/").filter((p) => p !== "");
  let group: string;
  let version: string;
  if (parts.length === 1) [group, version] = ["", parts[0]];
  else if (parts.length === 2 && parts[0] === "api") [group, version] = ["", parts[1]];
  else if (parts.length === 2) [group, version] = [parts[0], parts[1]];
  else if (parts.length === 3 && parts[0] === "apis") [group, version] = [parts[1], parts[2]];
  else {
    throw new TypeError(
      `expected a group version like "v1", "apps/v1", "api/v1" or "apis/apps/v1", found ${
        JSON.stringify(gv)
      }`,
    );
  }
  return { group, version, path: group === "" ? `api/${version}` : `apis/${group}/${version}` };
}

/** FNV-1a 64-bit, hex, upper case: a stable content hash for the index's `?hash=`. */
function _hash(text: string): string {
  let h = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).toUpperCase().padStart(16, "0");
}

/**
 * `GET /openapi/v3`: `{"paths": {"api/v1": {"serverRelativeURL": ...}, "apis/g/v": ...}}`.
 * Pass `documents` (group version -> the document served for it) so that each URL's `hash`
 * changes with its document, which keeps kubectl's HTTP cache honest; without it the hash
 * depends on the group version only, and the server should send `Cache-Control: no-cache`.
 */
export function openApiV3Index(
  groupVersions: string[],
  options: { documents?: Record<string, Record<string, unknown>> } = {},
): Record<string, unknown> {
  const paths: _Json = {};
  for (const gv of groupVersions) {
    const { path } = _parseGroupVersion(gv);
    const doc = options.documents?.[gv];
    const hash = _hash(doc === undefined ? path : JSON.stringify(doc));
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}

const _objectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const _listMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
const _status = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
const _deleteOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
const _patch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

function _ref(name: string): _Json {
  return { $ref: `#/components/schemas/${name}` };
}

/** The component name kube uses: io.k8s.api.<group>.<version>.<Kind>, reversed domain for CRs. */
function _schemaName(r: OpenApiResource): string {
  if (r.schema !== undefined) {
    const reversed = r.group.split(".").reverse().join(".");
    return `${reversed}.${r.version}.${r.kind}`;
  }
  if (r.group === "apiextensions.k8s.io") {
    return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${r.version}.${r.kind}`;
  }
  if (r.group === "apiregistration.k8s.io") {
    return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${r.version}.${r.kind}`;
  }
  const pkg = r.group === "" ? "core" : r.group.replace(/\.k8s\.io$/, "").split(".")[0];
  return `io.k8s.api.${pkg}.${r.version}.${r.kind}`;
}

function _opPrefix(group: string, version: string): string {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const g = group === "" ? "Core" : group.replace(/\.k8s\.io$/, "").split(/[.-]/).map(cap).join("");
  return `${g}${cap(version)}`;
}

function _query(name: string, type: string, description: string): _Json {
  return { name, in: "query", description, schema: { type, uniqueItems: true } };
}

const _p = {
  pretty: _query("pretty", "string", "If 'true', then the output is pretty printed."),
  dryRun: _query(
    "dryRun",
    "string",
    "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed",
  ),
  fieldManager: _query(
    "fieldManager",
    "string",
    "fieldManager is a name associated with the actor or entity that is making these changes.",
  ),
  fieldValidation: _query(
    "fieldValidation",
    "string",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
  ),
  force: _query(
    "force",
    "boolean",
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.',
  ),
  gracePeriodSeconds: _query(
    "gracePeriodSeconds",
    "integer",
    "The duration in seconds before the object should be deleted.",
  ),
  orphanDependents: _query(
    "orphanDependents",
    "boolean",
    "Deprecated: please use the PropagationPolicy.",
  ),
  propagationPolicy: _query(
    "propagationPolicy",
    "string",
    "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'.",
  ),
  list: [
    _query(
      "allowWatchBookmarks",
      "boolean",
      'allowWatchBookmarks requests watch events with type "BOOKMARK".',
    ),
    _query(
      "continue",
      "string",
      "The continue option should be set when retrieving more results from the server.",
    ),
    _query(
      "fieldSelector",
      "string",
      "A selector to restrict the list of returned objects by their fields.",
    ),
    _query(
      "labelSelector",
      "string",
      "A selector to restrict the list of returned objects by their labels.",
    ),
    _query("limit", "integer", "limit is a maximum number of responses to return for a list call."),
    _query(
      "resourceVersion",
      "string",
      "resourceVersion sets a constraint on what resource versions a request may be served from.",
    ),
    _query(
      "resourceVersionMatch",
      "string",
      "resourceVersionMatch determines how resourceVersion is applied to list calls.",
    ),
    _query(
      "sendInitialEvents",
      "boolean",
      "`sendInitialEvents=true` may be set together with `watch=true`.",
    ),
    _query("timeoutSeconds", "integer", "Timeout for the list/watch call."),
    _query(
      "watch",
      "boolean",
      "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.",
    ),
  ],
};

const _pathParam = (name: string, description: string): _Json => ({
  name,
  in: "path",
  description,
  required: true,
  schema: { type: "string", uniqueItems: true },
});

function _content(schema: _Json, types = ["application/json", "application/yaml"]): _Json {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

function _responses(schema: _Json, codes: string[]): _Json {
  const text: Record<string, string> = { "200": "OK", "201": "Created", "202": "Accepted" };
  const out: _Json = {};
  for (const c of codes) out[c] = { description: text[c], content: _content(schema) };
  out["401"] = { description: "Unauthorized" };
  return out;
}

function _paths(r: OpenApiResource, gvk: _Json, prefix: string): _Json {
  const base = r.group === "" ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns = r.namespaced ? "/namespaces/{namespace}" : "";
  const scope = r.namespaced ? "Namespaced" : "";
  const kindRef = _ref(_schemaName(r));
  const listRef = _ref(`${_schemaName(r)}List`);
  const tags = [`${prefix.replace(/V\d.*$/, "").toLowerCase()}_${r.version}`];
  const op = (verb: string, action: string, desc: string, extra: _Json): _Json => ({
    tags,
    description: desc,
    operationId: `${verb}${prefix}${scope}${r.kind}${extra.suffix ?? ""}`,
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "suffix")),
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
  });
  const common = [
    ...(r.namespaced
      ? [_pathParam("namespace", "object name and auth scope, such as for teams and projects")]
      : []),
    _p.pretty,
  ];
  const write = [_p.dryRun, _p.fieldManager, _p.fieldValidation];
  const patchBody = {
    content: Object.fromEntries(
      [
        "application/apply-patch+yaml",
        "application/json-patch+json",
        "application/merge-patch+json",
      ]
        .map((t) => [t, { schema: _ref(_patch) }]),
    ),
    required: true,
  };
  const item = (suffix: string, what: string): _Json => ({
    get: op("read", "get", `read the specified ${r.kind}${what}`, {
      suffix,
      responses: _responses(kindRef, ["200"]),
    }),
    put: op("replace", "put", `replace the specified ${r.kind}${what}`, {
      suffix,
      parameters: write,
      requestBody: { content: _content(kindRef, ["*/*"]), required: true },
      responses: _responses(kindRef, ["200", "201"]),
    }),
    patch: op("patch", "patch", `partially update the specified ${r.kind}${what}`, {
      suffix,
      parameters: [...write, _p.force],
      requestBody: patchBody,
      responses: _responses(kindRef, ["200", "201"]),
    }),
    ...(suffix === ""
      ? {
        delete: op("delete", "delete", `delete a ${r.kind}`, {
          parameters: [_p.dryRun, _p.gracePeriodSeconds, _p.orphanDependents, _p.propagationPolicy],
          requestBody: { content: _content(_ref(_deleteOptions), ["*/*"]) },
          responses: _responses(_ref(_status), ["200", "202"]),
        }),
      }
      : {}),
    parameters: [_pathParam("name", `name of the ${r.kind}`), ...common],
  });
  const paths: _Json = {
    [`${base}${ns}/${r.plural}`]: {
      get: op("list", "list", `list or watch objects of kind ${r.kind}`, {
        parameters: _p.list,
        responses: _responses(listRef, ["200"]),
      }),
      post: op("create", "post", `create a ${r.kind}`, {
        parameters: write,
        requestBody: { content: _content(kindRef, ["*/*"]), required: true },
        responses: _responses(kindRef, ["200", "201", "202"]),
      }),
      delete: op("deletecollection", "deletecollection", `delete collection of ${r.kind}`, {
        suffix: "",
        operationId: `deletecollection${prefix}${scope}${r.kind}`,
        parameters: [_p.dryRun, _p.gracePeriodSeconds, _p.propagationPolicy, ..._p.list],
        responses: _responses(_ref(_status), ["200"]),
      }),
      parameters: common,
    },
    [`${base}${ns}/${r.plural}/{name}`]: item("", ""),
  };
  for (const sub of r.subresources ?? []) {
    if (sub !== "status") continue;
    paths[`${base}${ns}/${r.plural}/{name}/status`] = item("Status", " status");
  }
  if (r.namespaced) {
    paths[`${base}/${r.plural}`] = {
      get: op("list", "list", `list or watch objects of kind ${r.kind}`, {
        operationId: `list${prefix}${r.kind}ForAllNamespaces`,
        responses: _responses(listRef, ["200"]),
      }),
      parameters: [..._p.list, _p.pretty],
    };
  }
  return paths;
}

function _metaSchemas(): _Json {
  const open = (description: string): _Json => ({
    description,
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
  });
  return {
    [_objectMeta]: {
      description: "ObjectMeta is metadata that all persisted resources must have.",
      type: "object",
      properties: {
        name: { type: "string" },
        generateName: { type: "string" },
        namespace: { type: "string" },
        uid: { type: "string" },
        resourceVersion: { type: "string" },
        generation: { type: "integer", format: "int64" },
        creationTimestamp: { type: "string", format: "date-time" },
        deletionTimestamp: { type: "string", format: "date-time" },
        deletionGracePeriodSeconds: { type: "integer", format: "int64" },
        labels: { type: "object", additionalProperties: { type: "string", default: "" } },
        annotations: { type: "object", additionalProperties: { type: "string", default: "" } },
        finalizers: { type: "array", items: { type: "string", default: "" } },
        ownerReferences: { type: "array", items: open("OwnerReference") },
        managedFields: { type: "array", items: open("ManagedFieldsEntry") },
      },
    },
    [_listMeta]: {
      description: "ListMeta describes metadata that synthetic resources must have.",
      type: "object",
      properties: {
        continue: { type: "string" },
        remainingItemCount: { type: "integer", format: "int64" },
        resourceVersion: { type: "string" },
        selfLink: { type: "string" },
      },
    },
    [_status]: {
      ...open("Status is a return value for calls that don't return other objects."),
      "x-kubernetes-group-version-kind": [{ group: "", kind: "Status", version: "v1" }],
    },
    [_deleteOptions]: open("DeleteOptions may be provided when deleting an API object."),
    [_patch]: {
      description:
        "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
      type: "object",
    },
  };
}

function _typeMeta(): Record<string, _Json> {
  return {
    apiVersion: {
      description: "APIVersion defines the versioned schema of this representation of an object.",
      type: "string",
    },
    kind: {
      description: "Kind is a string value representing the REST resource this object represents.",
      type: "string",
    },
  };
}

function _kindSchema(r: OpenApiResource, gvkList: _Json[]): _Json {
  const metadata = { allOf: [_ref(_objectMeta)], default: {} };
  if (r.schema !== undefined) {
    const s = structuredClone(r.schema) as _Json;
    const props = { ...(s.properties as _Json | undefined ?? {}) };
    return {
      ...s,
      type: s.type ?? "object",
      properties: { ..._typeMeta(), ...props, metadata },
      "x-kubernetes-group-version-kind": gvkList,
    };
  }
  return {
    description: `${r.kind} (${
      r.group === "" ? "" : `${r.group}/`
    }${r.version}), served by the embedded server.`,
    type: "object",
    properties: { ..._typeMeta(), metadata },
    "x-kubernetes-preserve-unknown-fields": true,
    "x-kubernetes-group-version-kind": gvkList,
  };
}

/**
 * `GET /openapi/v3/apis/<g>/<v>` (or `api/v1`): the document kubectl validates against.
 * `groupVersion` may be `v1`, `apps/v1`, `api/v1` or `apis/apps/v1`; resources of other group
 * versions are ignored.
 */
export function openApiV3Document(
  groupVersion: string,
  resources: OpenApiResource[],
): Record<string, unknown> {
  const { group, version } = _parseGroupVersion(groupVersion);
  const prefix = _opPrefix(group, version);
  const paths: _Json = {};
  const schemas: _Json = _metaSchemas();
  const mine = resources.filter((r) => r.group === group && r.version === version)
    .sort((a, b) => a.plural.localeCompare(b.plural));
  for (const r of mine) {
    const gvk = { group, kind: r.kind, version };
    Object.assign(paths, _paths(r, gvk, prefix));
    const name = _schemaName(r);
    schemas[name] = _kindSchema(r, [gvk]);
    schemas[`${name}List`] = {
      description: `${r.kind}List is a list of ${r.kind}`,
      type: "object",
      required: ["items"],
      properties: {
        ..._typeMeta(),
        items: { type: "array", items: { allOf: [_ref(name)], default: {} } },
        metadata: { allOf: [_ref(_listMeta)], default: {} },
      },
      "x-kubernetes-group-version-kind": [{ group, kind: `${r.kind}List`, version }],
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.0" },
    paths,
    components: { schemas },
  };
}
