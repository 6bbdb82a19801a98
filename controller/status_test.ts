import assert from "node:assert/strict";
import {
  getCondition,
  isConditionTrue,
  isObservedGenerationCurrent,
  setCondition,
  statusChanged,
} from "./status.ts";

Deno.test("setCondition changes lastTransitionTime only when the status changes", () => {
  const t0 = Date.UTC(2026, 0, 1);
  const a = setCondition(undefined, { type: "Ready", status: "False", reason: "Pending" }, {
    now: t0,
  });
  assert.equal(a[0].lastTransitionTime, "2026-01-01T00:00:00Z");
  const b = setCondition(a, {
    type: "Ready",
    status: "False",
    reason: "StillPending",
    message: "m",
  }, {
    now: t0 + 60_000,
  });
  assert.equal(b[0].lastTransitionTime, "2026-01-01T00:00:00Z");
  assert.equal(b[0].reason, "StillPending");
  assert.equal(b[0].message, "m");
  const c = setCondition(b, {
    type: "Ready",
    status: "True",
    reason: "Done",
    observedGeneration: 3,
  }, {
    now: t0 + 120_000,
  });
  assert.equal(c[0].lastTransitionTime, "2026-01-01T00:02:00Z");
  assert.equal(c[0].observedGeneration, 3);
  assert.equal(a[0].reason, "Pending", "input not modified");
  const d = setCondition(c, { type: "Degraded", status: "False" }, { now: t0 });
  assert.deepEqual(d.map((x) => x.type), ["Ready", "Degraded"]);
  assert.equal(getCondition(d, "Degraded")?.status, "False");
  assert.equal(getCondition(d, "Missing"), undefined);
  assert.equal(isConditionTrue(d, "Ready"), true);
  assert.equal(isConditionTrue(d, "Degraded"), false);
});

Deno.test("observedGeneration and statusChanged", () => {
  assert.equal(
    isObservedGenerationCurrent({ metadata: { generation: 2 }, status: { observedGeneration: 1 } }),
    false,
  );
  assert.equal(
    isObservedGenerationCurrent({ metadata: { generation: 2 }, status: { observedGeneration: 2 } }),
    true,
  );
  assert.equal(isObservedGenerationCurrent({ metadata: {} }), false);
  assert.equal(statusChanged({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }), false);
  assert.equal(statusChanged({ a: 1 }, { a: 2 }), true);
  assert.equal(statusChanged(undefined, { a: 2 }), true);
});
