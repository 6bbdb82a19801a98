/**
 * Status helpers: conditions and observedGeneration.
 *
 * @module
 */
import type { Condition } from "../client/builtin_types.ts";
import type { KubeObject } from "../client/types.ts";

// One Condition type for the whole SDK: the client's (metav1.Condition).
export type { Condition } from "../client/builtin_types.ts";

/**
 * Returns `conditions` with `condition` set (replacing the one of the same type). The
 * `lastTransitionTime` is kept when the status did not change and set to `now` when it did
 * or the condition is new; reason, message and observedGeneration are always taken from
 * `condition`. The input array is not modified.
 *
 * @example
 * ```ts
 * import { setCondition } from "./status.ts";
 * import assert from "node:assert/strict";
 * let conds = setCondition([], { type: "Ready", status: "False", reason: "Pending" }, { now: 0 });
 * conds = setCondition(conds, { type: "Ready", status: "False", reason: "Still" }, { now: 5000 });
 * assert.equal(conds[0].lastTransitionTime, "1970-01-01T00:00:00Z");
 * conds = setCondition(conds, { type: "Ready", status: "True", reason: "Done" }, { now: 9000 });
 * assert.equal(conds[0].lastTransitionTime, "1970-01-01T00:00:09Z");
 * ```
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  condition: Condition,
  options: { now?: number } = {},
): Condition[] {
  const list = conditions ? [...conditions] : [];
  const i = list.findIndex((c) => c.type === condition.type);
  const prev = i >= 0 ? list[i] : undefined;
  const lastTransitionTime = prev && prev.status === condition.status && prev.lastTransitionTime
    ? prev.lastTransitionTime
    : _rfc3339(options.now ?? Date.now());
  const next: Condition = { ...condition, lastTransitionTime };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/**
 * Finds the condition of `type`.
 *
 * @example
 * ```ts
 * import { getCondition } from "./status.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(getCondition([{ type: "Ready", status: "True" }], "Ready")?.status, "True");
 * ```
 */
export function getCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * True when the condition of `type` has status `True`.
 *
 * @example
 * ```ts
 * import { isConditionTrue } from "./status.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(isConditionTrue([{ type: "Ready", status: "True" }], "Ready"), true);
 * ```
 */
export function isConditionTrue(
  conditions: readonly Condition[] | undefined,
  type: string,
): boolean {
  return getCondition(conditions, type)?.status === "True";
}

/**
 * True when the status reflects the current spec: `status.observedGeneration` equals
 * `metadata.generation`.
 *
 * @example
 * ```ts
 * import { isObservedGenerationCurrent } from "./status.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(isObservedGenerationCurrent({ metadata: { generation: 2 }, status: { observedGeneration: 2 } }), true);
 * ```
 */
export function isObservedGenerationCurrent(
  obj: KubeObject & { status?: { observedGeneration?: number } },
): boolean {
  return obj.metadata.generation !== undefined &&
    obj.status?.observedGeneration === obj.metadata.generation;
}

/**
 * True when `next` differs from `current` in a way worth a write (deep JSON comparison), so
 * a reconcile that computes the same status does not bump the resourceVersion.
 *
 * @example
 * ```ts
 * import { statusChanged } from "./status.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(statusChanged({ a: 1 }, { a: 1 }), false);
 * ```
 */
export function statusChanged(current: unknown, next: unknown): boolean {
  return _stable(current) !== _stable(next);
}

function _stable(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, val) =>
      val && typeof val === "object" && !Array.isArray(val)
        ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : val,
  ) ?? "undefined";
}

function _rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
