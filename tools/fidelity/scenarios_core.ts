/** Scenarios on built-in types: ConfigMap CRUD and patch, validation, finalizers, lists, watch. */
import type { Scenario, ScenarioContext } from "./runner.ts";

const _json = "application/json";

/** A ConfigMap body. */
export function configMap(
  name: string,
  data: Record<string, string> = {},
  metadata: Record<string, unknown> = {},
): Record<string, unknown> {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...metadata }, data };
}

/** Creates a namespace as a recorded step. */
export async function createNamespace(ctx: ScenarioContext, name: string): Promise<void> {
  await ctx.request(`create namespace ${name}`, {
    method: "POST",
    path: "/api/v1/namespaces",
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
  });
}

function _rv(body: unknown): string {
  return (body as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion ?? "";
}

function _uid(body: unknown): string {
  return (body as { metadata?: { uid?: string } })?.metadata?.uid ?? "";
}

/** A discovery resource entry with its verbs sorted (their order carries no meaning). */
export function sortVerbs(resource: unknown): unknown {
  const verbs = (resource as { verbs?: string[] } | undefined)?.verbs;
  return verbs ? { ...(resource as object), verbs: [...verbs].sort() } : resource;
}

const configMapCrud: Scenario = {
  name: "configmap-crud",
  async run(ctx) {
    const ns = "fid-crud";
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    await createNamespace(ctx, ns);
    const created = await ctx.request("create", {
      method: "POST",
      path: base,
      body: configMap("a", { k: "v1" }, { labels: { app: "x" } }),
    });
    const rv1 = _rv(created.body);
    await ctx.request("get", { path: `${base}/a` });
    await ctx.request("create duplicate", {
      method: "POST",
      path: base,
      body: configMap("a", { k: "v1" }),
    });
    const updated = await ctx.request("update with current resourceVersion", {
      method: "PUT",
      path: `${base}/a`,
      body: configMap("a", { k: "v2" }, { resourceVersion: rv1 }),
    });
    await ctx.request("update with stale resourceVersion", {
      method: "PUT",
      path: `${base}/a`,
      body: configMap("a", { k: "v3" }, { resourceVersion: rv1 }),
    });
    const unconditional = await ctx.request("update without resourceVersion", {
      method: "PUT",
      path: `${base}/a`,
      body: configMap("a", { k: "v3" }),
    });
    void updated;
    await ctx.request("update that changes nothing keeps the resourceVersion", {
      method: "PUT",
      path: `${base}/a`,
      body: configMap("a", { k: "v3" }, { resourceVersion: _rv(unconditional.body) }),
    });
    await ctx.request("update of a missing object", {
      method: "PUT",
      path: `${base}/missing`,
      body: configMap("missing", { k: "v" }),
    });
    await ctx.request("update with a different name in the body", {
      method: "PUT",
      path: `${base}/a`,
      body: configMap("b", { k: "v" }),
    });
    await ctx.request("list", { path: base });
    await ctx.request("delete", { method: "DELETE", path: `${base}/a` });
    await ctx.request("get after delete", { path: `${base}/a` });
    await ctx.request("delete again", { method: "DELETE", path: `${base}/a` });
    await ctx.request("list in a namespace that does not exist", {
      path: "/api/v1/namespaces/fid-nowhere/configmaps",
    });
  },
};

const configMapPatch: Scenario = {
  name: "configmap-patch",
  async run(ctx) {
    const ns = "fid-patch";
    const path = `/api/v1/namespaces/${ns}/configmaps/p`;
    await createNamespace(ctx, ns);
    const created = await ctx.request("create", {
      method: "POST",
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: configMap("p", { a: "1", b: "2" }, { labels: { app: "p" } }),
    });
    await ctx.request("merge patch (set and remove keys)", {
      method: "PATCH",
      path,
      contentType: "application/merge-patch+json",
      body: { data: { a: "x", b: null } },
    });
    await ctx.request("json patch", {
      method: "PATCH",
      path,
      contentType: "application/json-patch+json",
      body: [
        { op: "replace", path: "/data/a", value: "y" },
        { op: "add", path: "/data/c", value: "z" },
      ],
    });
    await ctx.request("json patch with a failing test", {
      method: "PATCH",
      path,
      contentType: "application/json-patch+json",
      body: [{ op: "test", path: "/data/a", value: "nope" }],
    });
    await ctx.request("json patch removing a missing path", {
      method: "PATCH",
      path,
      contentType: "application/json-patch+json",
      body: [{ op: "remove", path: "/data/missing" }],
    });
    await ctx.request("strategic merge patch", {
      method: "PATCH",
      path,
      contentType: "application/strategic-merge-patch+json",
      body: { metadata: { labels: { tier: "web" } }, data: { d: "4" } },
    });
    await ctx.request("merge patch with a stale resourceVersion", {
      method: "PATCH",
      path,
      contentType: "application/merge-patch+json",
      body: { metadata: { resourceVersion: _rv(created.body) }, data: { a: "stale" } },
    });
    await ctx.request("merge patch that is not JSON", {
      method: "PATCH",
      path,
      contentType: "application/merge-patch+json",
      body: "{not json",
    });
    await ctx.request("patch with an unsupported content type", {
      method: "PATCH",
      path,
      contentType: "text/plain",
      body: "data: {}",
    });
    await ctx.request("merge patch of a missing object", {
      method: "PATCH",
      path: `/api/v1/namespaces/${ns}/configmaps/missing`,
      contentType: "application/merge-patch+json",
      body: { data: { a: "1" } },
    });
    await ctx.request("get", { path });
  },
};

const metadataValidation: Scenario = {
  name: "metadata-validation",
  async run(ctx) {
    const ns = "fid-meta";
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    await createNamespace(ctx, ns);
    const post = (label: string, body: unknown, path = base) =>
      ctx.request(label, { method: "POST", path, body });
    await post("invalid name", configMap("Bad_Name"));
    await post("name too long", configMap("x".repeat(254)));
    await post("neither name nor generateName", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {},
    });
    await post(
      "namespace in body differs from the URL",
      configMap("m1", {}, { namespace: "other" }),
    );
    await post("resourceVersion set on create", configMap("m2", {}, { resourceVersion: "5" }));
    await post(
      "create in a namespace that does not exist",
      configMap("m3"),
      "/api/v1/namespaces/fid-missing/configmaps",
    );
    await post("invalid label value", configMap("m4", {}, { labels: { app: "not valid!" } }));
    await post("invalid data key", configMap("m5", { "bad key!": "v" }));
    await post(
      "ownerReference without uid",
      configMap("m6", {}, {
        ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "o" }],
      }),
    );
    await post(
      "client-set uid and creationTimestamp are discarded",
      configMap("m7", {}, {
        uid: "11111111-2222-3333-4444-555555555555",
        creationTimestamp: "2001-01-01T00:00:00Z",
      }),
    );
    await post("generateName", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { generateName: "gen-" },
    });
    await post("body that is not JSON", "{oops");
    await post("wrong kind in the body", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
    });
    await ctx.request("unregistered resource type", {
      path: `/api/v1/namespaces/${ns}/widgets`,
    });
    await ctx.request("unsupported Accept", { path: base, accept: "application/xml" });
  },
};

const finalizers: Scenario = {
  name: "finalizers",
  async run(ctx) {
    const ns = "fid-fin";
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    await createNamespace(ctx, ns);
    await ctx.request("create with a finalizer", {
      method: "POST",
      path: base,
      body: configMap("f", { k: "v" }, { finalizers: ["example.com/hold"] }),
    });
    await ctx.request("delete keeps it, sets deletionTimestamp", {
      method: "DELETE",
      path: `${base}/f`,
    });
    const terminating = await ctx.request("get terminating", { path: `${base}/f` });
    await ctx.request("delete again changes nothing", { method: "DELETE", path: `${base}/f` });
    const body = structuredClone(terminating.body) as {
      metadata: { finalizers: string[] };
    };
    body.metadata.finalizers = ["example.com/hold", "example.com/another"];
    await ctx.request("adding a finalizer while terminating", {
      method: "PUT",
      path: `${base}/f`,
      body,
    });
    await ctx.request("update data while terminating", {
      method: "PATCH",
      path: `${base}/f`,
      contentType: "application/merge-patch+json",
      body: { data: { k: "changed" } },
    });
    await ctx.request("removing the last finalizer deletes it", {
      method: "PATCH",
      path: `${base}/f`,
      contentType: "application/merge-patch+json",
      body: { metadata: { finalizers: null } },
    });
    await ctx.request("get after the finalizer is gone", { path: `${base}/f` });

    const g = await ctx.request("create another", {
      method: "POST",
      path: base,
      body: configMap("g", { k: "v" }),
    });
    await ctx.request("delete with a uid precondition that does not match", {
      method: "DELETE",
      path: `${base}/g`,
      body: {
        apiVersion: "v1",
        kind: "DeleteOptions",
        preconditions: { uid: "00000000-0000-0000-0000-000000000000" },
      },
    });
    await ctx.request("delete with a stale resourceVersion precondition", {
      method: "DELETE",
      path: `${base}/g`,
      body: {
        apiVersion: "v1",
        kind: "DeleteOptions",
        preconditions: { resourceVersion: "1" },
      },
    });
    await ctx.request("delete with dryRun=All", {
      method: "DELETE",
      path: `${base}/g?dryRun=All`,
    });
    await ctx.request("delete with an invalid dryRun", {
      method: "DELETE",
      path: `${base}/g?dryRun=Some`,
    });
    await ctx.request("delete with an invalid propagationPolicy", {
      method: "DELETE",
      path: `${base}/g?propagationPolicy=Sideways`,
    });
    await ctx.request("still there after dry run", { path: `${base}/g` });
    await ctx.request("delete with matching preconditions", {
      method: "DELETE",
      path: `${base}/g`,
      body: {
        apiVersion: "v1",
        kind: "DeleteOptions",
        preconditions: { uid: _uid(g.body), resourceVersion: _rv(g.body) },
      },
    });
    await ctx.request("create h", {
      method: "POST",
      path: base,
      body: configMap("h"),
    });
    await ctx.request("delete with propagationPolicy=Orphan", {
      method: "DELETE",
      path: `${base}/h?propagationPolicy=Orphan`,
    });
    await ctx.request("delete with propagationPolicy=Foreground", {
      method: "DELETE",
      path: `${base}/h?propagationPolicy=Foreground`,
    });
  },
};

const lists: Scenario = {
  name: "list-selectors-pagination",
  async run(ctx) {
    const ns = "fid-list";
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    await createNamespace(ctx, ns);
    const labels: Record<string, Record<string, string>> = {
      c1: { app: "a", tier: "web" },
      c2: { app: "a" },
      c3: { app: "b", tier: "db" },
      c4: { app: "b" },
      c5: {},
    };
    for (const [name, l] of Object.entries(labels)) {
      await ctx.quiet({ method: "POST", path: base, body: configMap(name, {}, { labels: l }) });
    }
    const names = (body: unknown) => ({
      kind: (body as { kind?: string }).kind,
      names: ((body as { items?: { metadata: { name: string } }[] }).items ?? []).map((item) =>
        item.metadata.name
      ),
      metadata: (body as { metadata?: unknown }).metadata,
      message: (body as { message?: unknown }).message,
      reason: (body as { reason?: unknown }).reason,
    });
    for (
      const selector of [
        "app=a",
        "app==a",
        "app!=a",
        "app in (a,b)",
        "app notin (a)",
        "tier",
        "!tier",
        "app=a,tier=web",
        "app=(",
      ]
    ) {
      await ctx.request(
        `labelSelector ${selector}`,
        { path: `${base}?labelSelector=${encodeURIComponent(selector)}` },
        { project: names },
      );
    }
    for (
      const selector of [
        "metadata.name=c2",
        "metadata.name!=c2",
        `metadata.namespace=${ns}`,
        "data.k=v",
        "metadata.name>c2",
      ]
    ) {
      await ctx.request(
        `fieldSelector ${selector}`,
        { path: `${base}?fieldSelector=${encodeURIComponent(selector)}` },
        { project: names },
      );
    }
    let page = await ctx.request("first page (limit=2)", { path: `${base}?limit=2` }, {
      project: names,
    });
    for (let i = 2; i < 5; i++) {
      const token = (page.body as { metadata?: { continue?: string } }).metadata?.continue;
      if (!token) break;
      page = await ctx.request(
        `page ${i}`,
        { path: `${base}?limit=2&continue=${encodeURIComponent(token)}` },
        { project: names },
      );
    }
    await ctx.request("malformed continue token", { path: `${base}?limit=2&continue=garbage` });
    await ctx.request("resourceVersionMatch without resourceVersion", {
      path: `${base}?resourceVersionMatch=NotOlderThan`,
    });
    await ctx.request("resourceVersionMatch=Exact with resourceVersion=0", {
      path: `${base}?resourceVersion=0&resourceVersionMatch=Exact`,
    });
    await ctx.request("unparseable resourceVersion", { path: `${base}?resourceVersion=abc` });
    await ctx.request("resourceVersion=0", { path: `${base}?resourceVersion=0` }, {
      project: names,
    });
    await ctx.request("resourceVersion far in the future", {
      path: `${base}?resourceVersion=999999999&resourceVersionMatch=NotOlderThan`,
    });
    await ctx.request("delete collection app=b", {
      method: "DELETE",
      path: `${base}?labelSelector=app%3Db`,
    }, { project: names });
    await ctx.request("list after delete collection", { path: base }, { project: names });
  },
};

const watch: Scenario = {
  name: "watch",
  async run(ctx) {
    const ns = "fid-watch";
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    await createNamespace(ctx, ns);
    const first = await ctx.request("create w1", {
      method: "POST",
      path: base,
      body: configMap("w1", { k: "1" }),
    });
    const from = _rv(first.body);
    await ctx.request("update w1", {
      method: "PUT",
      path: `${base}/w1`,
      body: configMap("w1", { k: "2" }),
    });
    await ctx.request("create w2", {
      method: "POST",
      path: base,
      body: configMap("w2", { k: "1" }, { labels: { watch: "yes" } }),
    });
    await ctx.request("delete w1", { method: "DELETE", path: `${base}/w1` });
    await ctx.watch("watch from the first resourceVersion", {
      path: `${base}?watch=1&resourceVersion=${from}`,
      events: 3,
    });
    await ctx.watch("watch with resourceVersion=0 (synthetic ADDED)", {
      path: `${base}?watch=1&resourceVersion=0`,
      events: 1,
    });
    await ctx.watch("watch a single object by name", {
      path: `${base}?watch=1&resourceVersion=${from}&fieldSelector=metadata.name%3Dw2`,
      events: 1,
    });
    // Selector transitions, replayed from the list's resourceVersion.
    const list = await ctx.quiet({ path: base });
    const listRv = _rv(list.body);
    await ctx.request("label w3 into the selector", {
      method: "POST",
      path: base,
      body: configMap("w3", {}, { labels: { watch: "no" } }),
    });
    const patch = (label: string, value: string | null, data: string) =>
      ctx.request(label, {
        method: "PATCH",
        path: `${base}/w3`,
        contentType: "application/merge-patch+json",
        body: { metadata: { labels: { watch: value } }, data: { d: data } },
      });
    await patch("w3 starts matching", "yes", "1");
    await patch("w3 keeps matching", "yes", "2");
    await patch("w3 stops matching", "no", "3");
    await ctx.watch("watch watch=yes from the list resourceVersion", {
      path: `${base}?watch=1&resourceVersion=${listRv}&labelSelector=watch%3Dyes`,
      events: 3,
    });
    await ctx.watch("watch ends after timeoutSeconds=1", {
      path: `${base}?watch=1&resourceVersion=${listRv}&labelSelector=none%3Dnone&timeoutSeconds=1`,
      events: 1,
    });
    await ctx.watch("watch with an unparseable resourceVersion", {
      path: `${base}?watch=1&resourceVersion=abc`,
      events: 1,
    });
    await ctx.watch("streaming list without resourceVersionMatch", {
      path: `${base}?watch=1&sendInitialEvents=true`,
      events: 1,
    });
    await ctx.watch("streaming list with bookmarks", {
      path:
        `${base}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
      events: 3,
    });
    await ctx.watch("watch from resourceVersion=1 (older than the server keeps)", {
      path: `${base}?watch=1&resourceVersion=1`,
      events: 1,
    });
  },
};

const namespaceLifecycle: Scenario = {
  name: "namespace-lifecycle",
  async run(ctx) {
    const ns = "fid-nsdel";
    await createNamespace(ctx, ns);
    await ctx.quiet({
      method: "POST",
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: configMap("keep"),
    });
    await ctx.request("delete the namespace", {
      method: "DELETE",
      path: `/api/v1/namespaces/${ns}`,
    });
    await ctx.request("get the terminating namespace", { path: `/api/v1/namespaces/${ns}` });
    await ctx.request("create in a terminating namespace", {
      method: "POST",
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: configMap("late"),
    });
    await ctx.request("objects in a terminating namespace", {
      path: `/api/v1/namespaces/${ns}/configmaps`,
    });
    await ctx.request("delete namespace default", {
      method: "DELETE",
      path: "/api/v1/namespaces/default",
    });
    await ctx.request("namespace name that is not a DNS label", {
      method: "POST",
      path: "/api/v1/namespaces",
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "a.b" } },
    });
  },
};

const leasesAndEvents: Scenario = {
  name: "leases-and-events",
  async run(ctx) {
    const ns = "fid-lease";
    await createNamespace(ctx, ns);
    const leases = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
    const lease = (holder: string, rv?: string) => ({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "leader", ...(rv ? { resourceVersion: rv } : {}) },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: 15,
        acquireTime: "2026-01-01T00:00:00.000000Z",
        renewTime: "2026-01-01T00:00:01.000000Z",
        leaseTransitions: 0,
      },
    });
    const created = await ctx.request("create a lease", {
      method: "POST",
      path: leases,
      body: lease("a"),
    });
    const rv = (created.body as { metadata?: { resourceVersion?: string } }).metadata
      ?.resourceVersion;
    await ctx.request("renew with the last-seen resourceVersion", {
      method: "PUT",
      path: `${leases}/leader`,
      body: lease("a", rv),
    });
    await ctx.request("take over with a stale resourceVersion", {
      method: "PUT",
      path: `${leases}/leader`,
      body: lease("b", rv),
    });
    await ctx.request("lease with a negative duration", {
      method: "POST",
      path: leases,
      body: { ...lease("c"), metadata: { name: "bad" }, spec: { leaseDurationSeconds: -1 } },
    });
    const events = `/api/v1/namespaces/${ns}/events`;
    const event = (name: string, involvedNamespace: string) => ({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name },
      involvedObject: {
        apiVersion: "v1",
        kind: "ConfigMap",
        name: "x",
        namespace: involvedNamespace,
      },
      reason: "Tested",
      message: "a test event",
      type: "Normal",
      source: { component: "fidelity" },
      firstTimestamp: "2026-01-01T00:00:00Z",
      lastTimestamp: "2026-01-01T00:00:00Z",
      count: 1,
    });
    await ctx.request("create a core/v1 Event", {
      method: "POST",
      path: events,
      body: event("e1", ns),
    });
    await ctx.request("Event whose involvedObject is in another namespace", {
      method: "POST",
      path: events,
      body: event("e2", "elsewhere"),
    });
    await ctx.request("events.k8s.io/v1 Event without eventTime", {
      method: "POST",
      path: `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
      body: {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name: "e3" },
        regarding: { apiVersion: "v1", kind: "ConfigMap", name: "x", namespace: ns },
        reason: "Tested",
        action: "Testing",
        note: "n",
        type: "Normal",
        reportingController: "example.com/fidelity",
        reportingInstance: "fidelity-1",
      },
    });
  },
};

const discovery: Scenario = {
  name: "discovery-and-tables",
  async run(ctx) {
    const ns = "fid-disc";
    await createNamespace(ctx, ns);
    await ctx.quiet({
      method: "POST",
      path: `/api/v1/namespaces/${ns}/configmaps`,
      body: configMap("t1", { a: "1", b: "2" }),
    });
    await ctx.request("/version fields", { path: "/version" }, {
      project: (body) => Object.keys(body as object).sort(),
    });
    await ctx.request("/api", { path: "/api" }, {
      project: (body) => ({
        kind: (body as { kind: string }).kind,
        versions: (body as { versions: string[] }).versions,
      }),
    });
    await ctx.request("/api/v1 configmaps entry", { path: "/api/v1" }, {
      project: (body) => ({
        kind: (body as { kind: string }).kind,
        groupVersion: (body as { groupVersion: string }).groupVersion,
        configmaps: sortVerbs(
          (body as { resources: { name: string }[] }).resources.find((r) =>
            r.name === "configmaps"
          ),
        ),
        namespaces: sortVerbs(
          (body as { resources: { name: string }[] }).resources.find((r) =>
            r.name === "namespaces"
          ),
        ),
      }),
    });
    await ctx.request("/apis apiextensions group", { path: "/apis" }, {
      project: (body) => ({
        kind: (body as { kind: string }).kind,
        apiextensions: (body as { groups: { name: string }[] }).groups.find((g) =>
          g.name === "apiextensions.k8s.io"
        ),
      }),
    });
    await ctx.request("table of configmaps", {
      path: `/api/v1/namespaces/${ns}/configmaps`,
      accept:
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
    }, {
      project: (body) => ({
        kind: (body as { kind: string }).kind,
        apiVersion: (body as { apiVersion: string }).apiVersion,
        columnDefinitions: (body as { columnDefinitions?: unknown[] }).columnDefinitions,
        rows: ((body as { rows?: { cells: unknown[] }[] }).rows ?? []).map((row) => row.cells),
      }),
    });
    await ctx.request("namespace object", { path: `/api/v1/namespaces/${ns}` });
    await ctx.request("json content type only", {
      path: `/api/v1/namespaces/${ns}/configmaps/t1`,
      accept: _json,
    });
  },
};

/** The built-in-type scenarios, in order. */
export const coreScenarios: Scenario[] = [
  configMapCrud,
  configMapPatch,
  metadataValidation,
  finalizers,
  lists,
  watch,
  discovery,
  namespaceLifecycle,
  leasesAndEvents,
];
