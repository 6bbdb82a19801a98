import assert from "node:assert/strict";
import type { ManagedFieldsEntry } from "../../client/types.ts";
import { formatApplyConflicts, recordUpdate, serverSideApply } from "./server_side_apply.ts";
import { PatchError } from "./json_patch.ts";

const T0 = "2026-01-01T00:00:00Z";
const T1 = "2026-01-01T00:01:00Z";
const T2 = "2026-01-01T00:02:00Z";

type Obj = Record<string, unknown>;

/** A ConfigMap apply configuration; `data` undefined leaves the field out. */
function cm(data: Record<string, string> | undefined, extra: Obj = {}): Obj {
  const out: Obj = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", ...extra } };
  if (data) out.data = data;
  return out;
}

/** Applies and fails the test on conflicts. */
function apply(
  live: Obj | undefined,
  applied: Obj,
  manager: string,
  opts: { force?: boolean; now?: string; subresource?: string } = {},
): Obj {
  const r = serverSideApply({
    live,
    applied,
    manager,
    force: opts.force ?? false,
    apiVersion: (applied.apiVersion as string) ?? "v1",
    now: opts.now ?? T0,
    subresource: opts.subresource,
  });
  assert.ok(r.object, `unexpected conflicts: ${JSON.stringify(r.conflicts)}`);
  return r.object;
}

function conflictsOf(live: Obj, applied: Obj, manager: string) {
  const r = serverSideApply({ live, applied, manager, force: false, apiVersion: "v1", now: T1 });
  assert.ok(r.conflicts, "expected conflicts");
  return r.conflicts;
}

/** An Update write by `manager` from `old` to `updated`; returns `updated` with its fields. */
function update(old: Obj | undefined, updated: Obj, manager: string, now = T1, sub?: string): Obj {
  const out = structuredClone(updated);
  const meta = out.metadata as Obj;
  meta.managedFields = recordUpdate({
    old,
    updated: out,
    manager,
    apiVersion: (updated.apiVersion as string) ?? "v1",
    now,
    subresource: sub,
  });
  return out;
}

function managed(obj: Obj): ManagedFieldsEntry[] {
  return ((obj.metadata as Obj).managedFields ?? []) as ManagedFieldsEntry[];
}

function fieldsOf(obj: Obj, manager: string, operation = "Apply") {
  return managed(obj).find((e) => e.manager === manager && e.operation === operation)?.fieldsV1;
}

Deno.test("serverSideApply: create records one Apply entry in FieldsV1", () => {
  const applied = cm({ a: "1" }, { namespace: "ns", labels: { app: "x" } });
  const before = structuredClone(applied);
  const obj = apply(undefined, applied, "kubectl");
  assert.deepEqual(applied, before, "inputs must not be mutated");
  assert.deepEqual((obj as { data: unknown }).data, { a: "1" });
  assert.deepEqual(managed(obj), [{
    manager: "kubectl",
    operation: "Apply",
    apiVersion: "v1",
    time: T0,
    fieldsType: "FieldsV1",
    fieldsV1: { "f:data": { "f:a": {} }, "f:metadata": { "f:labels": { "f:app": {} } } },
  }]);
});

Deno.test("serverSideApply: re-applying the same config is a no-op (same time)", () => {
  const live = apply(undefined, cm({ a: "1" }), "kubectl");
  const again = apply(live, cm({ a: "1" }), "kubectl", { now: T2 });
  assert.deepEqual(again, live);
  assert.equal(managed(again)[0].time, T0);
});

Deno.test("serverSideApply: another applier's different value conflicts; force takes it", () => {
  const live = apply(undefined, cm({ a: "1", b: "1" }), "alice");
  const liveBefore = structuredClone(live);
  const conflicts = conflictsOf(live, cm({ a: "2" }), "bob");
  assert.deepEqual(conflicts, [{
    manager: "alice",
    field: ".data.a",
    operation: "Apply",
    apiVersion: "v1",
    message: 'conflict with "alice"',
  }]);
  assert.deepEqual(live, liveBefore, "a conflict must not touch live");

  const forced = apply(live, cm({ a: "2" }), "bob", { force: true, now: T1 });
  assert.deepEqual((forced as { data: unknown }).data, { a: "2", b: "1" });
  assert.deepEqual(fieldsOf(forced, "alice"), { "f:data": { "f:b": {} } });
  assert.deepEqual(fieldsOf(forced, "bob"), { "f:data": { "f:a": {} } });
  // alice applying her old value again now conflicts with bob.
  assert.deepEqual(conflictsOf(forced, cm({ a: "1", b: "1" }), "alice").map((c) => c.manager), [
    "bob",
  ]);
});

Deno.test("serverSideApply: the same value as another applier is shared ownership", () => {
  const live = apply(undefined, cm({ a: "1" }), "alice");
  const shared = apply(live, cm({ a: "1" }), "bob", { now: T1 });
  assert.deepEqual(fieldsOf(shared, "alice"), { "f:data": { "f:a": {} } });
  assert.deepEqual(fieldsOf(shared, "bob"), { "f:data": { "f:a": {} } });
  // While alice still owns it, bob changing it conflicts.
  assert.equal(conflictsOf(shared, cm({ a: "2" }), "bob")[0].manager, "alice");
  // alice drops it: bob still owns it, so the value stays and only alice is disowned.
  const dropped = apply(shared, cm(undefined), "alice", { now: T2 });
  assert.deepEqual((dropped as { data: unknown }).data, { a: "1" });
  assert.equal(fieldsOf(dropped, "alice"), undefined, "an empty entry is dropped");
  assert.deepEqual(fieldsOf(dropped, "bob"), { "f:data": { "f:a": {} } });
});

Deno.test("serverSideApply: fields omitted from the next apply are removed", () => {
  const live = apply(undefined, cm({ a: "1", b: "2" }, { labels: { x: "1", y: "2" } }), "kubectl");
  const next = apply(live, cm({ a: "1" }, { labels: { x: "1" } }), "kubectl", { now: T1 });
  assert.deepEqual((next as { data: unknown }).data, { a: "1" });
  assert.deepEqual((next.metadata as Obj).labels, { x: "1" });
  assert.deepEqual(fieldsOf(next, "kubectl"), {
    "f:data": { "f:a": {} },
    "f:metadata": { "f:labels": { "f:x": {} } },
  });
  assert.equal(managed(next)[0].time, T1);
  // Dropping the last label removes the emptied labels map too.
  const last = apply(next, cm({ a: "1" }), "kubectl", { now: T2 });
  assert.equal((last.metadata as Obj).labels, undefined);
  assert.equal((last.metadata as Obj).name, "c");
});

Deno.test("serverSideApply: omitted fields an updater also changed are kept", () => {
  const live = apply(undefined, cm({ a: "1", b: "2" }), "kubectl");
  const edited = update(live, { ...live, data: { a: "1", b: "3" } }, "editor");
  assert.deepEqual(fieldsOf(edited, "editor", "Update"), { "f:data": { "f:b": {} } });
  assert.deepEqual(fieldsOf(edited, "kubectl"), { "f:data": { "f:a": {} } });
  const next = apply(edited, cm({ a: "1" }), "kubectl", { now: T2 });
  assert.deepEqual((next as { data: unknown }).data, { a: "1", b: "3" });
});

Deno.test("serverSideApply: an updater's field conflicts, with kube's message", () => {
  const created = update(undefined, cm({ a: "1" }), "ctl", T0);
  assert.deepEqual(managed(created), [{
    manager: "ctl",
    operation: "Update",
    apiVersion: "v1",
    time: T0,
    fieldsType: "FieldsV1",
    fieldsV1: { "f:data": { ".": {}, "f:a": {} } },
  }]);
  assert.deepEqual(conflictsOf(created, cm({ a: "2" }), "kubectl"), [{
    manager: "ctl",
    field: ".data.a",
    operation: "Update",
    apiVersion: "v1",
    message: 'conflict with "ctl" using v1',
  }]);
  // The same value is no conflict: kubectl shares the field with ctl.
  const shared = apply(created, cm({ a: "1" }), "kubectl", { now: T1 });
  assert.deepEqual(fieldsOf(shared, "kubectl"), { "f:data": { "f:a": {} } });
  assert.deepEqual(fieldsOf(shared, "ctl", "Update"), { "f:data": { ".": {}, "f:a": {} } });
});

Deno.test("recordUpdate: updates never conflict and take changed fields from others", () => {
  const live = apply(undefined, cm({ a: "1", b: "1" }, { labels: { app: "x" } }), "kubectl");
  const edited = update(
    live,
    {
      ...live,
      metadata: { ...(live.metadata as Obj), labels: { app: "y" } },
      data: { a: "2", b: "1", c: "3" },
    },
    "ctl",
    T1,
  );
  assert.deepEqual(fieldsOf(edited, "ctl", "Update"), {
    "f:data": { "f:a": {}, "f:c": {} },
    "f:metadata": { "f:labels": { "f:app": {} } },
  });
  assert.deepEqual(fieldsOf(edited, "kubectl"), { "f:data": { "f:b": {} } });
  const entry = managed(edited).find((e) => e.manager === "ctl")!;
  assert.equal(entry.time, T1);
  assert.equal(entry.fieldsType, "FieldsV1");
  // The applier's entry keeps its time: only its set changed.
  assert.equal(managed(edited).find((e) => e.manager === "kubectl")!.time, T0);
});

Deno.test("recordUpdate: a write that changes nothing tracked returns the list unchanged", () => {
  const live = apply(undefined, cm({ a: "1" }), "kubectl");
  const same = { ...live, metadata: { ...(live.metadata as Obj), resourceVersion: "9" } };
  const out = recordUpdate({ old: live, updated: same, manager: "x", apiVersion: "v1", now: T2 });
  assert.deepEqual(out, managed(live));
});

Deno.test("recordUpdate: removed fields are disowned by everyone", () => {
  const live = apply(undefined, cm({ a: "1", b: "2" }), "kubectl");
  const edited = update(live, { ...live, data: { a: "1" } }, "ctl");
  assert.deepEqual(fieldsOf(edited, "kubectl"), { "f:data": { "f:a": {} } });
  assert.equal(fieldsOf(edited, "ctl", "Update"), undefined, "ctl owns nothing: no entry");
});

Deno.test("recordUpdate: subresource writes get their own entry", () => {
  const widget = {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w" },
    spec: { size: 1 },
  };
  const created = update(undefined, widget, "op", T0);
  const status = update(created, { ...created, status: { ready: true } }, "op", T1, "status");
  assert.deepEqual(managed(status), [
    {
      manager: "op",
      operation: "Update",
      apiVersion: "example.com/v1",
      time: T0,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { ".": {}, "f:size": {} } },
    },
    {
      manager: "op",
      operation: "Update",
      apiVersion: "example.com/v1",
      time: T1,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:status": { ".": {}, "f:ready": {} } },
      subresource: "status",
    },
  ]);
});

Deno.test("recordUpdate: a client-supplied managedFields list is the starting point", () => {
  const live = apply(undefined, cm({ a: "1" }), "kubectl");
  const fake = {
    manager: "fake",
    operation: "Update",
    apiVersion: "v1",
    fieldsType: "FieldsV1",
    fieldsV1: { "f:data": { "f:a": {} } },
  };
  const out = recordUpdate({
    old: live,
    updated: {
      ...live,
      metadata: { ...(live.metadata as Obj), managedFields: [fake] },
      data: { a: "1", z: "1" },
    },
    manager: "kubectl-patch",
    apiVersion: "v1",
    now: T1,
  });
  assert.deepEqual(out, [
    fake,
    {
      manager: "kubectl-patch",
      operation: "Update",
      apiVersion: "v1",
      time: T1,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:data": { "f:z": {} } },
    },
  ]);
});

Deno.test("recordUpdate: [] or [{}] strips managedFields; later updates record nothing", () => {
  for (const sent of [[], [{}]]) {
    const live = update(undefined, cm({ a: "1" }), "kubectl-create", T0);
    const stripped = update(
      live,
      {
        ...live,
        metadata: { ...(live.metadata as Obj), managedFields: sent },
        data: { a: "1", b: "2" },
      },
      "kubectl-patch",
      T1,
    );
    assert.deepEqual(managed(stripped), [], JSON.stringify(sent));
    const { managedFields: _, ...meta } = stripped.metadata as Obj;
    const next = update(
      { ...stripped, metadata: meta },
      {
        ...stripped,
        metadata: meta,
        data: { a: "1", b: "2", c: "3" },
      },
      "kubectl-patch",
      T2,
    );
    assert.deepEqual(managed(next), [], "no managedFields until the next apply");
    // The next apply starts tracking again, with everything owned by before-first-apply.
    assert.equal(conflictsOf(next, cm({ a: "9" }), "kubectl")[0].manager, "before-first-apply");
  }
});

function deployment(containers: unknown[], replicas?: number): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: { ...(replicas === undefined ? {} : { replicas }), template: { spec: { containers } } },
  };
}

Deno.test("serverSideApply: containers are keyed by name in FieldsV1 and conflicts", () => {
  const live = apply(undefined, deployment([{ name: "app", image: "app:1" }], 2), "kubectl");
  assert.deepEqual(fieldsOf(live, "kubectl"), {
    "f:spec": {
      "f:replicas": {},
      "f:template": {
        "f:spec": {
          "f:containers": {
            'k:{"name":"app"}': { ".": {}, "f:image": {}, "f:name": {} },
          },
        },
      },
    },
  });
  const conflicts = serverSideApply({
    live,
    applied: deployment([{ name: "app", image: "app:2" }], 3),
    manager: "other",
    force: false,
    apiVersion: "apps/v1",
    now: T1,
  }).conflicts;
  assert.deepEqual(conflicts?.map((c) => c.field), [
    ".spec.replicas",
    '.spec.template.spec.containers[name="app"].image',
  ]);
});

Deno.test("serverSideApply: keyed list items merge; an omitted item is removed", () => {
  const live = apply(undefined, deployment([{ name: "app", image: "a" }]), "kubectl");
  // A second applier adds its own sidecar: it merges next to app instead of replacing it.
  const both = apply(live, deployment([{ name: "side", image: "s" }]), "injector", { now: T1 });
  const containers = (b: Obj) =>
    (b.spec as { template: { spec: { containers: unknown } } })
      .template.spec.containers;
  assert.deepEqual(containers(both), [{ name: "app", image: "a" }, { name: "side", image: "s" }]);
  // kubectl drops nothing it owns; the injector drops its sidecar: it goes away.
  const gone = apply(both, deployment([]), "injector", { now: T2 });
  assert.deepEqual(containers(gone), [{ name: "app", image: "a" }]);
  assert.equal(fieldsOf(gone, "injector"), undefined);
});

Deno.test("serverSideApply: an omitted item stays when an updater owns a field in it", () => {
  const live = apply(undefined, deployment([{ name: "app", image: "a" }]), "kubectl");
  const spec = structuredClone(live.spec) as { template: { spec: { containers: Obj[] } } };
  spec.template.spec.containers[0].resources = { limits: { cpu: "1" } };
  const edited = update(live, { ...live, spec }, "vpa");
  const next = apply(edited, deployment([]), "kubectl", { now: T2 });
  assert.deepEqual(
    (next.spec as { template: { spec: { containers: unknown } } }).template.spec.containers,
    [{ name: "app", resources: { limits: { cpu: "1" } } }],
    "the key field stays with its item; kubectl's image goes",
  );
});

Deno.test("serverSideApply: an updater owning replicas (HPA) conflicts until forced", () => {
  const live = apply(undefined, deployment([{ name: "app" }], 1), "kubectl");
  const scaled = update(live, { ...live, spec: { ...(live.spec as Obj), replicas: 5 } }, "hpa");
  assert.deepEqual(fieldsOf(scaled, "hpa", "Update"), { "f:spec": { "f:replicas": {} } });
  const r = serverSideApply({
    live: scaled,
    applied: deployment([{ name: "app" }], 1),
    manager: "kubectl",
    force: false,
    apiVersion: "apps/v1",
    now: T2,
  });
  assert.deepEqual(r.conflicts?.map((c) => [c.manager, c.field, c.message]), [
    ["hpa", ".spec.replicas", 'conflict with "hpa" using apps/v1'],
  ]);
  const forced = apply(scaled, deployment([{ name: "app" }], 1), "kubectl", { force: true });
  assert.equal((forced.spec as Obj).replicas, 1);
  assert.equal(fieldsOf(forced, "hpa", "Update"), undefined);
});

Deno.test("serverSideApply: finalizers are a set (v:) and ownerReferences keyed by uid", () => {
  const applied = cm(undefined, {
    finalizers: ["a.example/x"],
    ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "p", uid: "u1" }],
  });
  const live = apply(undefined, applied, "op");
  assert.deepEqual(fieldsOf(live, "op"), {
    "f:metadata": {
      "f:finalizers": { 'v:"a.example/x"': {} },
      "f:ownerReferences": {
        'k:{"uid":"u1"}': {
          ".": {},
          "f:apiVersion": {},
          "f:kind": {},
          "f:name": {},
          "f:uid": {},
        },
      },
    },
  });
  // Another applier adds a finalizer: the set grows instead of being replaced.
  const two = apply(live, cm(undefined, { finalizers: ["b.example/y"] }), "other", {
    now: T1,
  });
  assert.deepEqual((two.metadata as Obj).finalizers, ["a.example/x", "b.example/y"]);
  // op drops its finalizer and owner reference.
  const dropped = apply(two, cm(undefined), "op", { now: T2 });
  assert.deepEqual((dropped.metadata as Obj).finalizers, ["b.example/y"]);
  assert.equal((dropped.metadata as Obj).ownerReferences, undefined);
});

Deno.test("serverSideApply: custom resource lists are atomic", () => {
  const w = (items: unknown[]): Obj => ({
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w" },
    spec: { items },
  });
  const live = apply(undefined, w([{ name: "a" }]), "one");
  assert.deepEqual(fieldsOf(live, "one"), { "f:spec": { "f:items": {} } });
  assert.equal(
    serverSideApply({
      live,
      applied: w([{ name: "b" }]),
      manager: "two",
      force: false,
      apiVersion: "example.com/v1",
      now: T1,
    }).conflicts?.[0].field,
    ".spec.items",
  );
  const forced = apply(live, w([{ name: "b" }]), "two", { force: true });
  assert.deepEqual((forced.spec as Obj).items, [{ name: "b" }]);
});

Deno.test("serverSideApply: an applied empty map is owned as a leaf; an empty keyed list is not", () => {
  const live = apply(undefined, cm({}), "kubectl");
  assert.deepEqual(fieldsOf(live, "kubectl"), { "f:data": {} });
  const d = apply(undefined, deployment([]), "kubectl");
  assert.equal(fieldsOf(d, "kubectl"), undefined);
});

Deno.test("recordUpdate: lists and maps an update creates are owned as members", () => {
  const created = update(
    undefined,
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", labels: { app: "x" }, finalizers: ["f"] },
      data: { a: "1" },
    },
    "kubectl-create",
    T0,
  );
  assert.deepEqual(fieldsOf(created, "kubectl-create", "Update"), {
    "f:data": { ".": {}, "f:a": {} },
    "f:metadata": {
      "f:finalizers": { ".": {}, 'v:"f"': {} },
      "f:labels": { ".": {}, "f:app": {} },
    },
  });
});

Deno.test("serverSideApply: untracked metadata is not owned", () => {
  const obj = apply(undefined, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c", namespace: "n", annotations: { a: "1" } },
  }, "kubectl");
  assert.deepEqual(fieldsOf(obj, "kubectl"), { "f:metadata": { "f:annotations": { "f:a": {} } } });
});

Deno.test("serverSideApply: reads FieldsV1 written by kube, with '.' members", () => {
  const live = cm({ a: "1" }, {
    managedFields: [{
      manager: "kubectl-create",
      operation: "Update",
      apiVersion: "v1",
      time: T0,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:data": { ".": {}, "f:a": {} } },
    }],
  });
  assert.equal(conflictsOf(live, cm({ a: "2" }), "kubectl")[0].field, ".data.a");
});

Deno.test("serverSideApply: objects without managedFields belong to before-first-apply", () => {
  assert.deepEqual(conflictsOf(cm({ a: "1" }), cm({ a: "2" }), "kubectl"), [{
    manager: "before-first-apply",
    field: ".data.a",
    operation: "Update",
    apiVersion: "v1",
    message: 'conflict with "before-first-apply" using v1',
  }]);
});

Deno.test("serverSideApply: the applier's subresource is part of its identity", () => {
  const live = apply(undefined, cm({ a: "1" }), "op");
  const viaStatus = apply(live, cm({ b: "2" }), "op", { subresource: "status", now: T1 });
  assert.deepEqual(
    managed(viaStatus).map((e) => [e.manager, e.operation, e.subresource]),
    [["op", "Apply", undefined], ["op", "Apply", "status"]],
  );
  assert.deepEqual((viaStatus as { data: unknown }).data, { a: "1", b: "2" });
});

Deno.test("serverSideApply: a manager is required", () => {
  assert.throws(
    () =>
      serverSideApply({
        live: undefined,
        applied: cm({}),
        manager: "",
        force: false,
        apiVersion: "v1",
        now: T0,
      }),
    (e: unknown) => e instanceof PatchError && e.kind === "Invalid",
  );
});

Deno.test("serverSideApply: does not mutate live or applied", () => {
  const live = apply(undefined, cm({ a: "1", b: "2" }), "kubectl");
  const liveBefore = structuredClone(live);
  const applied = cm({ a: "3" });
  const appliedBefore = structuredClone(applied);
  const out = apply(live, applied, "kubectl", { now: T1 });
  (out as { data: Obj }).data.z = "mutated";
  assert.deepEqual(live, liveBefore);
  assert.deepEqual(applied, appliedBefore);
});

// A transcript recorded against kube-apiserver v1.36.3 (kubectl create / apply --server-side /
// scale), replayed step by step. The expected managedFields are what that server returned,
// with the times replaced.
Deno.test("serverSideApply + recordUpdate: replay of a kube-apiserver v1.36 transcript", () => {
  const t = (s: number) => `2026-01-01T00:00:${String(s).padStart(2, "0")}Z`;
  const entry = (manager: string, operation: "Apply" | "Update", time: string, fieldsV1: Obj) => ({
    manager,
    operation,
    apiVersion: "v1",
    time,
    fieldsType: "FieldsV1",
    fieldsV1,
  });
  // kubectl create configmap c1 --from-literal=a=1
  let live = update(undefined, cm({ a: "1" }), "kubectl-create", t(1));
  assert.deepEqual(managed(live), [
    entry("kubectl-create", "Update", t(1), { "f:data": { ".": {}, "f:a": {} } }),
  ]);
  // kubectl apply --server-side: data a=1 b=2, label app=x
  live = apply(live, cm({ a: "1", b: "2" }, { labels: { app: "x" } }), "kubectl", { now: t(2) });
  assert.deepEqual(managed(live), [
    entry("kubectl", "Apply", t(2), {
      "f:data": { "f:a": {}, "f:b": {} },
      "f:metadata": { "f:labels": { "f:app": {} } },
    }),
    entry("kubectl-create", "Update", t(1), { "f:data": { ".": {}, "f:a": {} } }),
  ]);
  // --field-manager=other: a=2 b=3 -> 3 conflicts
  assert.deepEqual(
    conflictsOf(live, cm({ a: "2", b: "3" }), "other").map((c) => `${c.message}: ${c.field}`),
    [
      'conflict with "kubectl": .data.a',
      'conflict with "kubectl": .data.b',
      'conflict with "kubectl-create" using v1: .data.a',
    ],
  );
  // --force-conflicts with a=2 only
  live = apply(live, cm({ a: "2" }), "other", { force: true, now: t(3) });
  assert.deepEqual(managed(live), [
    entry("kubectl", "Apply", t(2), {
      "f:data": { "f:b": {} },
      "f:metadata": { "f:labels": { "f:app": {} } },
    }),
    entry("other", "Apply", t(3), { "f:data": { "f:a": {} } }),
    entry("kubectl-create", "Update", t(1), { "f:data": {} }),
  ]);
  // kubectl applies b only: its label goes, a stays (other owns it)
  live = apply(live, cm({ b: "2" }), "kubectl", { now: t(4) });
  assert.deepEqual((live as { data: unknown }).data, { a: "2", b: "2" });
  assert.equal((live.metadata as Obj).labels, undefined);
  assert.deepEqual(
    managed(live).find((e) => e.manager === "kubectl"),
    entry("kubectl", "Apply", t(4), { "f:data": { "f:b": {} } }),
  );
  // --field-manager=fin: data: {} and a finalizer
  live = apply(live, cm({}, { finalizers: ["example.com/x"] }), "fin", { now: t(5) });
  assert.deepEqual(
    fieldsOf(live, "fin"),
    { "f:data": {}, "f:metadata": { "f:finalizers": { 'v:"example.com/x"': {} } } },
  );
  assert.deepEqual(managed(live).map((e) => e.manager), [
    "other",
    "kubectl",
    "fin",
    "kubectl-create",
  ]);
  // fin: finalizers: [] -> the finalizer goes, fin's entry goes, data stays
  live = apply(live, cm(undefined, { finalizers: [] }), "fin", { now: t(6) });
  assert.equal((live.metadata as Obj).finalizers, undefined);
  assert.equal(fieldsOf(live, "fin"), undefined);
  assert.deepEqual((live as { data: unknown }).data, { a: "2", b: "2" });
});

Deno.test("serverSideApply: replay of a v1.36 Deployment transcript (selector, scale, null)", () => {
  const dep = (containers: unknown, replicas?: number): Obj => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d", namespace: "default" },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: "d" } },
      template: { metadata: { labels: { app: "d" } }, spec: { containers } },
    },
  });
  const at = (
    now: string,
    rest: Omit<Parameters<typeof serverSideApply>[0], "now" | "apiVersion">,
  ) => serverSideApply({ ...rest, now, apiVersion: "apps/v1" });
  let r = at(T0, {
    live: undefined,
    applied: dep([{ name: "app", image: "app:1", env: [{ name: "A", value: "1" }] }], 2),
    manager: "kubectl",
    force: false,
  });
  let live = r.object!;
  assert.deepEqual(fieldsOf(live, "kubectl"), {
    "f:spec": {
      "f:replicas": {},
      "f:selector": {},
      "f:template": {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:containers": {
            'k:{"name":"app"}': {
              ".": {},
              "f:env": { 'k:{"name":"A"}': { ".": {}, "f:name": {}, "f:value": {} } },
              "f:image": {},
              "f:name": {},
            },
          },
        },
      },
    },
  });
  r = at(T1, {
    live,
    applied: dep([{ name: "side", image: "s:1" }]),
    manager: "side",
    force: false,
  });
  live = r.object!;
  // kubectl scale --replicas=5: an Update through the scale subresource.
  const scaled = structuredClone(live);
  (scaled.spec as Obj).replicas = 5;
  (scaled.metadata as Obj).managedFields = recordUpdate({
    old: live,
    updated: scaled,
    manager: "kubectl",
    apiVersion: "apps/v1",
    now: T2,
    subresource: "scale",
  });
  r = at(T2, {
    live: scaled,
    applied: dep([{ name: "app", image: "app:1" }], 2),
    manager: "kubectl",
    force: false,
  });
  assert.deepEqual(r.conflicts?.map((c) => `${c.message}: ${c.field}`), [
    'conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
  ]);
  // side applies `containers: null`: its container goes, kubectl's stays, side owns the leaf.
  r = at(T2, { live: scaled, applied: dep(null), manager: "side", force: false });
  live = r.object!;
  assert.deepEqual(
    ((live.spec as Obj).template as { spec: { containers: unknown } }).spec.containers,
    [{ name: "app", image: "app:1", env: [{ name: "A", value: "1" }] }],
  );
  assert.deepEqual(fieldsOf(live, "side"), {
    "f:spec": {
      "f:selector": {},
      "f:template": {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": { "f:containers": {} },
      },
    },
  });
});

Deno.test("formatApplyConflicts: kube's Status messages", () => {
  const live = update(undefined, cm({ a: "1" }), "kubectl-create", T0);
  const withApply = apply(live, cm({ a: "1", b: "2" }), "kubectl", { now: T1 });
  const many = conflictsOf(withApply, cm({ a: "2", b: "3" }), "other");
  assert.equal(
    formatApplyConflicts(many),
    'Apply failed with 3 conflicts: conflicts with "kubectl":\n- .data.a\n- .data.b\n' +
      'conflicts with "kubectl-create" using v1:\n- .data.a',
  );
  const one = conflictsOf(withApply, cm({ b: "3" }), "other");
  assert.equal(
    formatApplyConflicts(one),
    'Apply failed with 1 conflict: conflict with "kubectl": .data.b',
  );
});
