import assert from "node:assert/strict";
import {
  _canonical,
  _decodeFieldsV1,
  _diff,
  _encodeFieldsV1,
  _fields,
  _printPath,
  _removePath,
  _SEP,
} from "./_field_set.ts";
import { strategicMergeSchemaFor } from "./strategic_merge.ts";

const podSchema = strategicMergeSchemaFor("v1", "Pod")!;
const p = (...segs: string[]) => segs.join(_SEP);

Deno.test("_canonical: key order does not matter", () => {
  assert.equal(_canonical({ b: 1, a: [{ d: null, c: "x" }] }), '{"a":[{"c":"x","d":null}],"b":1}');
});

Deno.test("_fields: leaves, maps, keyed items, set values; untracked metadata skipped", () => {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", uid: "u", labels: { a: "1" }, finalizers: ["f"] },
    spec: { containers: [{ name: "c", args: ["x"] }], tolerations: [{ key: "k" }] },
  };
  const write = _fields(pod, podSchema);
  assert.deepEqual(
    [...write.keys()].sort(),
    [
      p("f:metadata", "f:finalizers"),
      p("f:metadata", "f:finalizers", 'v:"f"'),
      p("f:metadata", "f:labels"),
      p("f:metadata", "f:labels", "f:a"),
      p("f:spec"),
      p("f:spec", "f:containers"),
      p("f:spec", "f:containers", 'k:{"name":"c"}'),
      p("f:spec", "f:containers", 'k:{"name":"c"}', "f:args"),
      p("f:spec", "f:containers", 'k:{"name":"c"}', "f:name"),
      p("f:spec", "f:tolerations"),
    ].sort(),
  );
  const applied = _fields(pod, podSchema, true);
  assert.equal(applied.has(p("f:spec")), false, "apply sets leave non-empty maps out");
  assert.equal(applied.has(p("f:spec", "f:containers")), false, "and keyed lists");
  assert.equal(_fields({ data: {} }, {}, true).get(p("f:data")), "{}", "empty maps are leaves");
  assert.equal(applied.get(p("f:spec", "f:tolerations")), '[{"key":"k"}]');
});

Deno.test("_fields: keyed lists with duplicate or missing keys are atomic", () => {
  const dup = _fields({ spec: { containers: [{ name: "a" }, { name: "a" }] } }, podSchema);
  assert.equal(dup.get(p("f:spec", "f:containers")), '[{"name":"a"},{"name":"a"}]');
  const missing = _fields({ spec: { containers: [{ image: "x" }] } }, podSchema);
  assert.ok(missing.has(p("f:spec", "f:containers")));
});

Deno.test("_diff: changed and removed paths", () => {
  const before = _fields({ data: { a: "1", b: "2" } }, {});
  const after = _fields({ data: { a: "1", b: "3", c: "4" } }, {});
  const { changed, removed } = _diff(before, after);
  assert.deepEqual([...changed].sort(), [p("f:data", "f:b"), p("f:data", "f:c")]);
  assert.deepEqual([...removed], []);
  assert.deepEqual([..._diff(after, before).removed], [p("f:data", "f:c")]);
});

Deno.test("FieldsV1: encode and decode round-trip, '.' marks members with children", () => {
  const paths = [
    p("f:data"),
    p("f:data", "f:a"),
    p("f:spec", "f:containers", 'k:{"name":"c"}'),
    p("f:spec", "f:containers", 'k:{"name":"c"}', "f:image"),
  ];
  const encoded = _encodeFieldsV1(paths);
  assert.deepEqual(encoded, {
    "f:data": { ".": {}, "f:a": {} },
    "f:spec": { "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:image": {} } } },
  });
  assert.deepEqual([..._decodeFieldsV1(encoded)].sort(), paths.sort());
});

Deno.test("FieldsV1: decoding normalises key order inside k:", () => {
  const set = _decodeFieldsV1({
    "f:spec": { "f:ports": { 'k:{"protocol":"TCP","port":80}': {} } },
  });
  assert.deepEqual([...set], [p("f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}')]);
});

Deno.test("_printPath: kube's notation", () => {
  assert.equal(_printPath(p("f:spec", "f:replicas")), ".spec.replicas");
  assert.equal(
    _printPath(p("f:spec", "f:containers", 'k:{"name":"c"}', "f:image")),
    '.spec.containers[name="c"].image',
  );
  assert.equal(
    _printPath(p("f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}')),
    '.spec.ports[port=80,protocol="TCP"]',
  );
  assert.equal(_printPath(p("f:metadata", "f:finalizers", 'v:"x"')), '.metadata.finalizers[="x"]');
  assert.equal(_printPath(p("f:items", "i:2")), ".items[2]");
});

Deno.test("_removePath: removes items and values; drops emptied containers", () => {
  const obj = {
    metadata: { name: "x", labels: { a: "1" }, finalizers: ["f", "g"] },
    spec: { containers: [{ name: "c", image: "i" }, { name: "d" }] },
  };
  _removePath(obj, p("f:metadata", "f:finalizers", 'v:"f"'), () => false);
  _removePath(obj, p("f:spec", "f:containers", 'k:{"name":"c"}'), () => false);
  _removePath(obj, p("f:metadata", "f:labels", "f:a"), () => false);
  _removePath(obj, p("f:spec", "f:missing", "f:deeper"), () => false);
  assert.deepEqual(obj, {
    metadata: { name: "x", finalizers: ["g"] },
    spec: { containers: [{ name: "d" }] },
  });
  const kept = { data: { a: "1" } };
  _removePath(kept, p("f:data", "f:a"), (q) => q === p("f:data"));
  assert.deepEqual(kept, { data: {} }, "an owned container stays even when empty");
});
