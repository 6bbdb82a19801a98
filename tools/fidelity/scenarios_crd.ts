/**
 * Scenarios on CustomResourceDefinitions and custom resources: registration and its errors,
 * generation, schema validation, pruning and defaults, the status subresource, server-side
 * apply conflicts, finalizers, and removal of the CRD.
 */
import type { Scenario, ScenarioContext } from "./runner.ts";
import { configMap, createNamespace, sortVerbs } from "./scenarios_core.ts";

const _group = "fid.example.com";
const _apiVersion = `${_group}/v1`;

function _crd(
  plural: string,
  kind: string,
  options: { status?: boolean; group?: string; name?: string; storage?: boolean[] } = {},
): Record<string, unknown> {
  const group = options.group ?? _group;
  const storage = options.storage ?? [true];
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: options.name ?? `${plural}.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: {
        plural,
        singular: kind.toLowerCase(),
        kind,
        listKind: `${kind}List`,
        shortNames: [`f${kind.toLowerCase().slice(0, 2)}`],
      },
      versions: storage.map((isStorage, i) => ({
        name: `v${i + 1}`,
        served: true,
        storage: isStorage,
        ...(options.status === false ? {} : { subresources: { status: {} } }),
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["replicas"],
                properties: {
                  replicas: { type: "integer", minimum: 0, maximum: 10 },
                  colour: { type: "string", default: "blue", enum: ["blue", "red"] },
                  note: { type: "string" },
                  tags: {
                    type: "array",
                    items: { type: "string" },
                    "x-kubernetes-list-type": "set",
                  },
                },
              },
              status: {
                type: "object",
                properties: { ready: { type: "boolean" }, observed: { type: "integer" } },
              },
            },
          },
        },
      })),
    },
  };
}

function _widget(
  name: string,
  spec: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { apiVersion: _apiVersion, kind: "Widget", metadata: { name }, spec, ...extra };
}

function _rv(body: unknown): string {
  return (body as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion ?? "";
}

async function _established(ctx: ScenarioContext, name: string): Promise<void> {
  await ctx.waitFor(
    { path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}` },
    (exchange) =>
      (exchange.body as { status?: { conditions?: { type: string; status: string }[] } })
        ?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ??
        false,
  );
}

const crdRegistration: Scenario = {
  name: "crd-registration",
  async run(ctx) {
    const crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    await ctx.request("custom resource path before the CRD exists", {
      path: `/apis/${_group}/v1/namespaces/default/widgets`,
    });
    await ctx.request("create CRD widgets", {
      method: "POST",
      path: crds,
      body: _crd("widgets", "Widget"),
    });
    await _established(ctx, `widgets.${_group}`);
    await ctx.request("create CRD gizmos without a status subresource", {
      method: "POST",
      path: crds,
      body: _crd("gizmos", "Gizmo", { status: false }),
    });
    await _established(ctx, `gizmos.${_group}`);
    // Serving can trail the Established condition by a moment.
    await ctx.waitFor(
      { path: `/apis/${_group}/v1/namespaces/default/gizmos` },
      (e) => e.status === 200,
    );
    await ctx.waitFor(
      { path: `/apis/${_group}/v1/namespaces/default/widgets` },
      (e) => e.status === 200,
    );
    await ctx.request("CRD status once established", { path: `${crds}/widgets.${_group}` }, {
      project: (body) => ({
        acceptedNames: (body as { status: { acceptedNames: unknown } }).status.acceptedNames,
        conditions: (body as { status: { conditions: Record<string, unknown>[] } }).status
          .conditions.map(({ type, status, reason, message }) => ({
            type,
            status,
            reason,
            message,
          })),
        storedVersions: (body as { status: { storedVersions: unknown } }).status.storedVersions,
      }),
    });
    await ctx.request("CRD group without a dot", {
      method: "POST",
      path: crds,
      body: _crd("things", "Thing", { group: "nodot" }),
    });
    await ctx.request("CRD name that is not plural.group", {
      method: "POST",
      path: crds,
      body: _crd("things", "Thing", { name: "wrong.fid.example.com" }),
    });
    await ctx.request("CRD with two storage versions", {
      method: "POST",
      path: crds,
      body: _crd("doubles", "Double", { storage: [true, true] }),
    });
    await ctx.request("CRD duplicate", {
      method: "POST",
      path: crds,
      body: _crd("widgets", "Widget"),
    });
    await ctx.request("discovery of the group version", { path: `/apis/${_group}/v1` }, {
      project: (body) => ({
        ...(body as object),
        resources: [...(body as { resources: { name: string }[] }).resources]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map(sortVerbs),
      }),
    });
    await ctx.request("unserved version path", {
      path: `/apis/${_group}/v9/namespaces/default/widgets`,
    });
  },
};

const customResources: Scenario = {
  name: "custom-resource",
  async run(ctx) {
    const ns = "fid-cr";
    const base = `/apis/${_group}/v1/namespaces/${ns}/widgets`;
    await createNamespace(ctx, ns);
    const created = await ctx.request("create (status dropped, default applied)", {
      method: "POST",
      path: base,
      body: _widget("w1", { replicas: 1 }, { status: { ready: true } }),
    });
    const spec2 = await ctx.request("update spec bumps generation", {
      method: "PUT",
      path: `${base}/w1`,
      body: _widget("w1", { replicas: 2, colour: "blue" }, {
        metadata: { name: "w1", resourceVersion: _rv(created.body) },
      }),
    });
    await ctx.request("update labels only keeps generation", {
      method: "PUT",
      path: `${base}/w1`,
      body: _widget("w1", { replicas: 2, colour: "blue" }, {
        metadata: { name: "w1", labels: { a: "b" }, resourceVersion: _rv(spec2.body) },
      }),
    });
    await ctx.request("update without resourceVersion", {
      method: "PUT",
      path: `${base}/w1`,
      body: _widget("w1", { replicas: 3 }),
    });
    await ctx.request("schema violation: maximum", {
      method: "POST",
      path: base,
      body: _widget("w2", { replicas: 11 }),
    });
    await ctx.request("schema violation: enum, type and required", {
      method: "POST",
      path: base,
      body: _widget("w2", { colour: "green", note: 5 }),
    });
    await ctx.request("unknown field is pruned", {
      method: "POST",
      path: base,
      body: _widget("w3", { replicas: 1, extra: "x" }, { unknownTop: 1 }),
    });
    await ctx.request("unknown field with fieldValidation=Strict", {
      method: "POST",
      path: `${base}?fieldValidation=Strict`,
      body: _widget("w4", { replicas: 1, extra: "x" }),
    });
    await ctx.request("merge patch spec", {
      method: "PATCH",
      path: `${base}/w1`,
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 4, note: "n" } },
    });
    await ctx.request("json patch tags", {
      method: "PATCH",
      path: `${base}/w1`,
      contentType: "application/json-patch+json",
      body: [{ op: "add", path: "/spec/tags", value: ["x", "y"] }],
    });
    await ctx.request("strategic merge patch on a custom resource", {
      method: "PATCH",
      path: `${base}/w1`,
      contentType: "application/strategic-merge-patch+json",
      body: { spec: { replicas: 5 } },
    });
    await ctx.request("merge patch that violates the schema", {
      method: "PATCH",
      path: `${base}/w1`,
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: -1 } },
    });
    await ctx.request("list", { path: base });
    await ctx.request("list across namespaces", {
      path: `/apis/${_group}/v1/widgets?labelSelector=a%3Db`,
    });
    await ctx.request("delete", { method: "DELETE", path: `${base}/w3` });
    await ctx.request("get deleted", { path: `${base}/w3` });
  },
};

const statusSubresource: Scenario = {
  name: "status-subresource",
  async run(ctx) {
    const ns = "fid-status";
    const base = `/apis/${_group}/v1/namespaces/${ns}/widgets`;
    await createNamespace(ctx, ns);
    const created = await ctx.request("create", {
      method: "POST",
      path: base,
      body: _widget("s1", { replicas: 1 }),
    });
    const body = structuredClone(created.body) as Record<string, unknown> & {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
    };
    body.status = { ready: true, observed: 1 };
    body.spec.replicas = 9;
    body.metadata.labels = { ignored: "yes" };
    const put = await ctx.request("PUT status keeps only .status", {
      method: "PUT",
      path: `${base}/s1/status`,
      body,
    });
    await ctx.request("PUT status with the stale resourceVersion", {
      method: "PUT",
      path: `${base}/s1/status`,
      body,
    });
    void put;
    await ctx.request("merge patch status", {
      method: "PATCH",
      path: `${base}/s1/status`,
      contentType: "application/merge-patch+json",
      body: { status: { ready: false } },
    });
    await ctx.request("GET status", { path: `${base}/s1/status` });
    await ctx.request("main endpoint update keeps stored status", {
      method: "PATCH",
      path: `${base}/s1`,
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 2 }, status: { ready: true, observed: 99 } },
    });
    await ctx.request("status schema violation", {
      method: "PATCH",
      path: `${base}/s1/status`,
      contentType: "application/merge-patch+json",
      body: { status: { observed: "many" } },
    });
    await ctx.request("status of a missing object", {
      method: "PATCH",
      path: `${base}/missing/status`,
      contentType: "application/merge-patch+json",
      body: { status: { ready: false } },
    });
    await ctx.request("status on a CRD without the subresource", {
      path: `/apis/${_group}/v1/namespaces/${ns}/gizmos/x/status`,
    });
    await ctx.request("create gizmo with status (kept without subresource)", {
      method: "POST",
      path: `/apis/${_group}/v1/namespaces/${ns}/gizmos`,
      body: {
        apiVersion: _apiVersion,
        kind: "Gizmo",
        metadata: { name: "g1" },
        spec: { replicas: 1 },
        status: { ready: true },
      },
    });
    await ctx.request("gizmo status change bumps generation", {
      method: "PATCH",
      path: `/apis/${_group}/v1/namespaces/${ns}/gizmos/g1`,
      contentType: "application/merge-patch+json",
      body: { status: { ready: false } },
    });
  },
};

const serverSideApply: Scenario = {
  name: "server-side-apply",
  async run(ctx) {
    const ns = "fid-ssa";
    const base = `/apis/${_group}/v1/namespaces/${ns}/widgets`;
    await createNamespace(ctx, ns);
    const apply = (label: string, query: string, body: unknown, name = "a1", path = base) =>
      ctx.request(label, {
        method: "PATCH",
        path: `${path}/${name}?${query}`,
        contentType: "application/apply-patch+yaml",
        body,
      });
    await apply("apply creates", "fieldManager=alice", _widget("a1", { replicas: 1, note: "n" }));
    await apply(
      "same apply again changes nothing",
      "fieldManager=alice",
      _widget("a1", { replicas: 1, note: "n" }),
    );
    await apply(
      "conflicting apply by another manager",
      "fieldManager=bob",
      _widget("a1", { replicas: 2 }),
    );
    await apply(
      "forced apply takes the field",
      "fieldManager=bob&force=true",
      _widget("a1", { replicas: 2 }),
    );
    await apply(
      "alice drops note (removed) and replicas (now bob's)",
      "fieldManager=alice",
      _widget("a1", { colour: "red" }),
    );
    await apply("apply without fieldManager", "", _widget("a1", { replicas: 3 }));
    await ctx.request("force on a merge patch", {
      method: "PATCH",
      path: `${base}/a1?fieldManager=carol&force=true`,
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 4 } },
    });
    await ctx.request("an update by another manager never conflicts", {
      method: "PATCH",
      path: `${base}/a1?fieldManager=carol`,
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 5 } },
    });
    await apply(
      "apply YAML",
      "fieldManager=dave",
      [
        `apiVersion: ${_apiVersion}`,
        "kind: Widget",
        "metadata:",
        "  name: y1",
        "spec:",
        "  replicas: 2",
        "  tags: [a, b]",
        "",
      ].join("\n"),
      "y1",
    );
    await apply(
      "forced apply of an invalid object",
      "fieldManager=dave&force=true",
      _widget("a1", { replicas: 99 }),
    );
    await apply(
      "forced apply with a name that differs from the URL",
      "fieldManager=dave&force=true",
      _widget("zzz", { replicas: 1 }),
    );
    const cms = `/api/v1/namespaces/${ns}/configmaps`;
    await apply("apply a ConfigMap", "fieldManager=alice", configMap("c1", { a: "1" }), "c1", cms);
    await apply("ConfigMap conflict", "fieldManager=bob", configMap("c1", { a: "2" }), "c1", cms);
    await ctx.request("ConfigMap update by PUT never conflicts", {
      method: "PUT",
      path: `${cms}/c1?fieldManager=erin`,
      body: configMap("c1", { a: "3", b: "2" }),
    });
  },
};

const crFinalizers: Scenario = {
  name: "custom-resource-finalizers",
  async run(ctx) {
    const ns = "fid-crfin";
    const base = `/apis/${_group}/v1/namespaces/${ns}/widgets`;
    await createNamespace(ctx, ns);
    await ctx.request("create with a finalizer", {
      method: "POST",
      path: base,
      body: _widget("f1", { replicas: 1 }, {
        metadata: { name: "f1", finalizers: ["example.com/hold"] },
      }),
    });
    await ctx.request("delete bumps generation and sets deletionTimestamp", {
      method: "DELETE",
      path: `${base}/f1`,
    });
    await ctx.request("json patch removes the finalizer", {
      method: "PATCH",
      path: `${base}/f1`,
      contentType: "application/json-patch+json",
      body: [
        { op: "test", path: "/metadata/finalizers", value: ["example.com/hold"] },
        { op: "remove", path: "/metadata/finalizers" },
      ],
    });
    await ctx.request("gone", { path: `${base}/f1` });
  },
};

const crdRemoval: Scenario = {
  name: "crd-removal",
  async run(ctx) {
    const crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    await ctx.request("delete the gizmos CRD", {
      method: "DELETE",
      path: `${crds}/gizmos.${_group}`,
    }, {
      project: (body) => ({
        kind: (body as { kind: string }).kind,
        status: (body as { status?: unknown }).status,
        deletionTimestamp: (body as { metadata?: { deletionTimestamp?: unknown } }).metadata
          ?.deletionTimestamp,
        finalizers: (body as { metadata?: { finalizers?: unknown } }).metadata?.finalizers,
      }),
    });
    await ctx.waitFor({ path: `${crds}/gizmos.${_group}` }, (e) => e.status === 404);
    await ctx.waitFor(
      { path: `/apis/${_group}/v1/namespaces/fid-status/gizmos` },
      (e) => e.status === 404,
    );
    await ctx.request("custom resources of a removed CRD", {
      path: `/apis/${_group}/v1/namespaces/fid-status/gizmos/g1`,
    });
  },
};

/** The CRD and custom-resource scenarios, in order (they share the CRDs of the first). */
export const crdScenarios: Scenario[] = [
  crdRegistration,
  customResources,
  statusSubresource,
  serverSideApply,
  crFinalizers,
  crdRemoval,
];
