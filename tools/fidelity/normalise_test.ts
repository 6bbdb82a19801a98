import assert from "node:assert/strict";
import { Normaliser } from "./normalise.ts";
import { diffValues, formatDifference } from "./diff.ts";

Deno.test("Normaliser replaces uids, times and resourceVersions by ordinals", () => {
  const n = new Normaliser();
  const uid = "0b5e6a4c-1d2e-4f60-8a9b-0c1d2e3f4a5b";
  const out = n.normalise({
    request: "GET /api/v1/configmaps?limit=2&continue=abc%3D",
    metadata: {
      uid,
      resourceVersion: "231",
      creationTimestamp: "2026-11-25T02:00:00Z",
      managedFields: [{ time: "2026-11-25T02:00:00Z", manager: "m" }],
      continue: "token",
      name: "gen-x2b4z",
    },
    items: [{ metadata: { resourceVersion: "232", uid } }, {
      metadata: { resourceVersion: "231" },
    }],
    message:
      `the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (232); UID ${uid}`,
  });
  assert.deepEqual(out, {
    request: "GET /api/v1/configmaps?limit=2&continue=<continue>",
    metadata: {
      uid: "<uid#1>",
      resourceVersion: "<rv#1>",
      creationTimestamp: "<time>",
      managedFields: [{ time: "<time>", manager: "m" }],
      continue: "<continue>",
      name: "gen-<random>",
    },
    items: [
      { metadata: { resourceVersion: "<rv#2>", uid: "<uid#1>" } },
      { metadata: { resourceVersion: "<rv#1>" } },
    ],
    message:
      "the ResourceVersion in the precondition (<rv#3>) does not match the ResourceVersion in record (<rv#2>); UID <uid#1>",
  });
});

Deno.test("Normaliser keeps empty continue and resourceVersion, and other numbers", () => {
  const n = new Normaliser();
  assert.deepEqual(
    n.normalise({
      metadata: { continue: "", resourceVersion: "" },
      message: "spec.replicas in body should be less than or equal to 10",
      count: 3,
    }),
    {
      metadata: { continue: "", resourceVersion: "" },
      message: "spec.replicas in body should be less than or equal to 10",
      count: 3,
    },
  );
  assert.equal(
    n.normalise("too old resource version: 5 (9)", "message"),
    "too old resource version: <rv#1> (<rv#2>)",
  );
});

Deno.test("diffValues lists every differing leaf with its path", () => {
  const differences = diffValues(
    { status: 201, body: { a: [1, 2], b: { c: "x" }, only: true } },
    { status: 422, body: { a: [1], b: { c: "y" } } },
  );
  assert.deepEqual(differences, [
    { path: "body.a[1]", embedded: 2, real: undefined },
    { path: "body.b.c", embedded: "x", real: "y" },
    { path: "body.only", embedded: true, real: undefined },
    { path: "status", embedded: 201, real: 422 },
  ]);
  assert.equal(formatDifference(differences[0]), "body.a[1]: embedded=2 real=<absent>");
  assert.deepEqual(diffValues({ a: [1, { b: null }] }, { a: [1, { b: null }] }), []);
});

Deno.test("Normaliser leaves the 0 of 'Invalid value: 0x0' alone", () => {
  const n = new Normaliser();
  assert.equal(
    n.normalise("metadata.resourceVersion: Invalid value: 0x0: must be specified", "message"),
    "metadata.resourceVersion: Invalid value: 0x0: must be specified",
  );
  assert.equal(
    n.normalise("Too large resource version: 99, current: 31", "message"),
    "Too large resource version: <rv#1>, current: <rv#2>",
  );
});
