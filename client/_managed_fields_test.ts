import assert from "node:assert/strict";
import { _parseListSkippingManagedFields as parse } from "./_managed_fields.ts";

const mf = (manager: string) => ({
  manager,
  operation: "Update",
  apiVersion: "v1",
  fieldsType: "FieldsV1",
  // Keys as kube-apiserver writes them for list items: brackets, braces and escaped quotes
  // inside strings must not end the scan.
  fieldsV1: { 'k:{"name":"a]}"}': { ".": {} }, "f:data": { 'f:x\\"]': {} } },
});

const item = (name: string, extra: Record<string, unknown> = {}) => ({
  kind: "ConfigMap",
  metadata: { name, namespace: "ns", managedFields: [mf("kubectl"), mf("op")] },
  data: { "a.json": '{"managedFields":[1,2]}', b: "]]}}" },
  ...extra,
});

const list = (items: unknown[]) =>
  JSON.stringify({ kind: "ConfigMapList", metadata: { resourceVersion: "7" }, items });

// What JSON.parse gives, with each item's metadata.managedFields set to undefined.
function dropped(text: string): unknown {
  const l = JSON.parse(text);
  for (const i of l.items) {
    if (i.metadata && "managedFields" in i.metadata) i.metadata.managedFields = undefined;
  }
  return l;
}

Deno.test("managedFields skip: items' managedFields are left out, everything else parsed", () => {
  const text = list([item("a"), item("b"), { metadata: { name: "c" } }]);
  const got = parse(text) as { items: Array<{ metadata: Record<string, unknown> }> };
  assert.deepEqual(got, dropped(text));
  assert.ok("managedFields" in got.items[0].metadata); // set to undefined, as the transform does
  assert.equal(got.items[0].metadata.managedFields, undefined);
  assert.deepEqual(parse(list([])), JSON.parse(list([])));
});

Deno.test("managedFields skip: a managedFields array anywhere else means a whole parse", () => {
  for (
    const text of [
      // in an item's spec (a template's metadata)
      list([item("a", { spec: { template: { metadata: { managedFields: [mf("x")] } } } })]),
      // a key that merely ends in managedFields (escaped quote before it)
      list([item("a", { ['x"managedFields']: [1] })]),
      // twice in one metadata (the last one wins in JSON.parse)
      list([item("a")]).replace('"managedFields":[', '"managedFields":[],"managedFields":['),
      // at the top of the list
      JSON.stringify({ metadata: { managedFields: [mf("x")] }, items: [] }),
    ]
  ) {
    assert.deepEqual(parse(text), JSON.parse(text), text);
  }
});

Deno.test("managedFields skip: broken JSON fails with JSON.parse's own error", () => {
  const text = list([item("a"), item("b")]);
  for (const broken of [text.slice(0, -2), text.slice(0, 200), text.replace('"data":', '"data"')]) {
    let want: unknown;
    try {
      JSON.parse(broken);
    } catch (err) {
      want = err;
    }
    assert.ok(want instanceof SyntaxError);
    assert.throws(() => parse(broken), { name: "SyntaxError", message: (want as Error).message });
  }
  // A managedFields array that does not close is parsed whole, and fails as such.
  const open = text.replace('"manager":"op"', '"manager":"op" [');
  assert.throws(() => parse(open), SyntaxError);
});

Deno.test("managedFields skip: what a cut array held is checked for balance only", () => {
  // Malformed inside but balanced: the reader drops it, so it is not an error.
  const text = list([item("a")]).replace('"operation":"Update"', '"operation":Update,,');
  assert.throws(() => JSON.parse(text), SyntaxError);
  const got = parse(text) as { items: Array<{ metadata: { managedFields?: unknown } }> };
  assert.equal(got.items[0].metadata.managedFields, undefined);
});
