import assert from "node:assert/strict";
import { renderTable } from "./table.ts";
import { _humanDuration } from "./_human_duration.ts";
import { _evalJsonPath, _parseJsonPath } from "./_jsonpath.ts";

const now = Date.parse("2026-01-01T00:10:00Z");
const created = "2026-01-01T00:00:00Z"; // ten minutes before now

function meta(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    namespace: "default",
    uid: `uid-${name}`,
    resourceVersion: "7",
    creationTimestamp: created,
    ...extra,
  };
}

const cells = (t: Record<string, unknown>) =>
  (t.rows as { cells: unknown[] }[]).map((r) => r.cells);
const names = (t: Record<string, unknown>) =>
  (t.columnDefinitions as { name: string }[]).map((c) => c.name);

Deno.test("_humanDuration: kubectl's AGE format", () => {
  const s = 1000;
  const cases: [number, string][] = [
    [-5 * s, "<invalid>"],
    [-1 * s, "0s"],
    [0, "0s"],
    [5 * s, "5s"],
    [119 * s, "119s"],
    [182 * s, "3m2s"],
    [4 * 60 * s, "4m"],
    [15 * 60 * s, "15m"],
    [4 * 3600 * s, "4h"],
    [(5 * 3600 + 3 * 60) * s, "5h3m"],
    [20 * 3600 * s, "20h"],
    [48 * 3600 * s, "2d"],
    [(3 * 24 + 4) * 3600 * s, "3d4h"],
    [30 * 24 * 3600 * s, "30d"],
    [(3 * 365 + 10) * 24 * 3600 * s, "3y10d"],
    [10 * 365 * 24 * 3600 * s, "10y"],
  ];
  for (const [ms, want] of cases) assert.equal(_humanDuration(ms), want, `${ms}ms`);
});

Deno.test("renderTable: ConfigMap columns and the default PartialObjectMetadata", () => {
  const cm = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta("cm1"),
    data: { a: "b", c: "d" },
    binaryData: { e: "AA==" },
  };
  const t = renderTable({
    apiVersion: "v1",
    kind: "ConfigMap",
    objects: [cm],
    listMeta: { resourceVersion: "217" },
    now,
  });
  assert.equal(t.kind, "Table");
  assert.equal(t.apiVersion, "meta.k8s.io/v1");
  assert.deepEqual(t.metadata, { resourceVersion: "217" });
  assert.deepEqual(names(t), ["Name", "Data", "Age"]);
  const defs = t.columnDefinitions as Record<string, unknown>[];
  assert.deepEqual(
    { ...defs[0], description: undefined },
    { name: "Name", type: "string", format: "name", description: undefined, priority: 0 },
  );
  assert.equal(defs[2].type, "string");
  assert.deepEqual(cells(t), [["cm1", 3, "10m"]]);
  const rows = t.rows as { object: unknown }[];
  assert.deepEqual(rows[0].object, {
    kind: "PartialObjectMetadata",
    apiVersion: "meta.k8s.io/v1",
    metadata: cm.metadata,
  });
});

Deno.test("renderTable: includeObject None, Object, and a bad value", () => {
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: meta("cm1") };
  const base = { apiVersion: "v1", kind: "ConfigMap", objects: [cm], listMeta: {}, now };
  assert.equal(
    (renderTable({ ...base, includeObject: "None" }).rows as { object: unknown }[])[0].object,
    null,
  );
  assert.equal(
    (renderTable({ ...base, includeObject: "Object" }).rows as { object: unknown }[])[0].object,
    cm,
  );
  assert.throws(() => renderTable({ ...base, includeObject: "All" }), {
    name: "TypeError",
    message: 'expected includeObject to be None, Metadata or Object, found "All"',
  });
  assert.deepEqual(
    renderTable({
      ...base,
      listMeta: { resourceVersion: "9", continue: "abc", remainingItemCount: 4 },
    }).metadata,
    { resourceVersion: "9", continue: "abc", remainingItemCount: 4 },
  );
});

Deno.test("renderTable: Secret, Namespace, Lease and CRD", () => {
  const secret = renderTable({
    apiVersion: "v1",
    kind: "Secret",
    objects: [{ metadata: meta("s1"), type: "Opaque", data: { a: "Yg==" } }],
    listMeta: {},
    now,
  });
  assert.deepEqual(names(secret), ["Name", "Type", "Data", "Age"]);
  assert.deepEqual(cells(secret), [["s1", "Opaque", 1, "10m"]]);

  const ns = renderTable({
    apiVersion: "v1",
    kind: "Namespace",
    objects: [{ metadata: meta("default"), status: { phase: "Active" } }, {
      metadata: meta("gone"),
      status: { phase: "Terminating" },
    }],
    listMeta: {},
    now,
  });
  assert.deepEqual(names(ns), ["Name", "Status", "Age"]);
  assert.deepEqual(cells(ns), [["default", "Active", "10m"], ["gone", "Terminating", "10m"]]);

  const lease = renderTable({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    objects: [{ metadata: meta("leader"), spec: { holderIdentity: "pod-a" } }, {
      metadata: meta("free"),
      spec: {},
    }],
    listMeta: {},
    now,
  });
  assert.deepEqual(names(lease), ["Name", "Holder", "Age"]);
  assert.deepEqual(cells(lease), [["leader", "pod-a", "10m"], ["free", "", "10m"]]);

  const crd = renderTable({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    objects: [{ metadata: { name: "widgets.example.com", creationTimestamp: created } }],
    listMeta: {},
    now,
  });
  assert.deepEqual(
    crd.columnDefinitions &&
      (crd.columnDefinitions as Record<string, unknown>[]).map((c) => [c.name, c.type]),
    [
      ["Name", "string"],
      ["Created At", "date"],
    ],
  );
  assert.deepEqual(cells(crd), [["widgets.example.com", "2026-01-01T00:00:00Z"]]);
});

Deno.test("renderTable: Pod READY, STATUS, RESTARTS and the wide columns", () => {
  const pod = {
    metadata: meta("web-0"),
    spec: { nodeName: "node-1", containers: [{ name: "a" }, { name: "b" }] },
    status: {
      phase: "Running",
      podIP: "10.0.0.5",
      containerStatuses: [
        { name: "a", ready: true, restartCount: 0, state: { running: {} } },
        {
          name: "b",
          ready: false,
          restartCount: 2,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          lastState: { terminated: { finishedAt: "2026-01-01T00:05:00Z", exitCode: 1 } },
        },
      ],
    },
  };
  const pending = {
    metadata: meta("new"),
    spec: { containers: [{ name: "a" }] },
    status: { phase: "Pending" },
  };
  const t = renderTable({
    apiVersion: "v1",
    kind: "Pod",
    objects: [pod, pending],
    listMeta: {},
    now,
  });
  assert.deepEqual(names(t), [
    "Name",
    "Ready",
    "Status",
    "Restarts",
    "Age",
    "IP",
    "Node",
    "Nominated Node",
    "Readiness Gates",
  ]);
  assert.deepEqual(
    (t.columnDefinitions as { priority: number }[]).map((c) => c.priority),
    [0, 0, 0, 0, 0, 1, 1, 1, 1],
  );
  assert.deepEqual(cells(t), [
    [
      "web-0",
      "1/2",
      "CrashLoopBackOff",
      "2 (5m ago)",
      "10m",
      "10.0.0.5",
      "node-1",
      "<none>",
      "<none>",
    ],
    ["new", "0/1", "Pending", "0", "10m", "<none>", "<none>", "<none>", "<none>"],
  ]);
  const terminating = { ...pod, metadata: meta("web-0", { deletionTimestamp: created }) };
  assert.equal(
    cells(
      renderTable({ apiVersion: "v1", kind: "Pod", objects: [terminating], listMeta: {}, now }),
    )[0][2],
    "Terminating",
  );
});

Deno.test("renderTable: Deployment and Service", () => {
  const dep = {
    metadata: meta("web"),
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: { spec: { containers: [{ name: "nginx", image: "nginx:1" }] } },
    },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };
  const d = renderTable({
    apiVersion: "apps/v1",
    kind: "Deployment",
    objects: [dep],
    listMeta: {},
    now,
  });
  assert.deepEqual(names(d), [
    "Name",
    "Ready",
    "Up-to-date",
    "Available",
    "Age",
    "Containers",
    "Images",
    "Selector",
  ]);
  assert.deepEqual(cells(d), [["web", "2/3", 3, 2, "10m", "nginx", "nginx:1", "app=web"]]);

  const svc = {
    metadata: meta("kubernetes"),
    spec: { type: "ClusterIP", clusterIP: "10.0.0.1", ports: [{ port: 443, protocol: "TCP" }] },
  };
  const lb = {
    metadata: meta("lb"),
    spec: {
      type: "LoadBalancer",
      clusterIP: "10.0.0.9",
      ports: [{ port: 80, nodePort: 30080 }],
      selector: { b: "2", a: "1" },
    },
    status: {},
  };
  const s = renderTable({
    apiVersion: "v1",
    kind: "Service",
    objects: [svc, lb],
    listMeta: {},
    now,
  });
  assert.deepEqual(names(s), [
    "Name",
    "Type",
    "Cluster-IP",
    "External-IP",
    "Port(s)",
    "Age",
    "Selector",
  ]);
  // as kube-apiserver v1.36 prints the default "kubernetes" service
  assert.deepEqual(cells(s), [
    ["kubernetes", "ClusterIP", "10.0.0.1", "<none>", "443/TCP", "10m", "<none>"],
    ["lb", "LoadBalancer", "10.0.0.9", "<pending>", "80:30080/TCP", "10m", "a=1,b=2"],
  ]);
});

Deno.test("renderTable: custom resources use the CRD's printer columns", () => {
  const columns = [
    { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
    { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    {
      name: "Mode",
      type: "string",
      jsonPath: ".spec.mode",
      priority: 1,
      description: "How it runs",
    },
  ];
  const ready = {
    metadata: meta("good"),
    spec: { replicas: 3, mode: "fast" },
    status: {
      conditions: [{ type: "Synced", status: "False" }, { type: "Ready", status: "True" }],
    },
  };
  const bare = { metadata: meta("nul"), spec: { replicas: 1 } };
  const t = renderTable({
    apiVersion: "example.com/v1",
    kind: "Widget",
    objects: [ready, bare],
    columns,
    listMeta: {},
    now,
  });
  assert.deepEqual(
    (t.columnDefinitions as Record<string, unknown>[]).slice(1),
    [
      {
        name: "Replicas",
        type: "integer",
        format: "",
        description: "Custom resource definition column (in JSONPath format): .spec.replicas",
        priority: 0,
      },
      {
        name: "Ready",
        type: "string",
        format: "",
        description:
          'Custom resource definition column (in JSONPath format): .status.conditions[?(@.type=="Ready")].status',
        priority: 0,
      },
      {
        name: "Age",
        type: "date",
        format: "",
        description:
          "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp",
        priority: 0,
      },
      { name: "Mode", type: "string", format: "", description: "How it runs", priority: 1 },
    ],
  );
  // a missing value is null, a date column is an age (as kube-apiserver v1.36 answers)
  assert.deepEqual(cells(t), [["good", 3, "True", "10m", "fast"], ["nul", 1, null, "10m", null]]);
});

Deno.test("renderTable: a CRD without printer columns gets kube's default Age column", () => {
  for (const columns of [[], undefined]) {
    const t = renderTable({
      apiVersion: "example.com/v1",
      kind: "Gadget",
      objects: [{ metadata: meta("g") }],
      columns,
      listMeta: {},
      now,
    });
    assert.deepEqual(
      (t.columnDefinitions as Record<string, unknown>[]).map((
        c,
      ) => [c.name, c.type, c.description]),
      [
        ["Name", "string", (t.columnDefinitions as Record<string, unknown>[])[0].description],
        [
          "Age",
          "date",
          "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp",
        ],
      ],
    );
    assert.deepEqual(cells(t), [["g", "10m"]]);
  }
});

Deno.test("_jsonpath: keys, indexes, wildcards, filters and bad expressions", () => {
  const o = { a: { "b.c": 1, list: [{ n: "x", v: 1 }, { n: "y", v: 2 }] } };
  const run = (e: string) => _evalJsonPath(_parseJsonPath(e), o);
  assert.deepEqual(run(".a.list[1].n"), ["y"]);
  assert.deepEqual(run(".a.list[*].v"), [1, 2]);
  assert.deepEqual(run("{.a['b.c']}"), [1]);
  assert.deepEqual(run(".a.list[?(@.v==2)].n"), ["y"]);
  assert.deepEqual(run(".a.list[?(@.n!='x')].v"), [2]);
  assert.deepEqual(run(".a.missing.deeper"), []);
  assert.throws(() => _parseJsonPath(".a[?(@.v>1)]"), {
    name: "TypeError",
    message: /unsupported JSONPath filter/,
  });
  assert.throws(() => _parseJsonPath("a.b"), {
    name: "TypeError",
    message: /expected "\." or "\[" at offset 0/,
  });
});
