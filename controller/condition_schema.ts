/**
 * The zod schema of a standard condition, in its own file so that the status helpers (and the
 * package root) do not load zod for operators that never declare a custom resource.
 *
 * @module
 */
import { z } from "zod";
import type { Condition } from "../client/builtin_types.ts";

/**
 * The zod schema of a standard condition (metav1.Condition), for a custom resource's
 * status: `conditions: z.array(conditionSchema).optional()`. Its output is
 * {@linkcode Condition}, so what {@linkcode setCondition} returns fits without a cast, and
 * the generated CRD schema restricts `status` to `True`, `False` and `Unknown`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { conditionSchema } from "./condition_schema.ts";
 * import { setCondition } from "./status.ts";
 * import assert from "node:assert/strict";
 * const Status = z.object({ conditions: z.array(conditionSchema).optional() });
 * const status: z.output<typeof Status> = {
 *   conditions: setCondition([], { type: "Ready", status: "True", reason: "Done" }, { now: 0 }),
 * };
 * assert.equal(Status.parse(status).conditions?.[0].lastTransitionTime, "1970-01-01T00:00:00Z");
 * assert.equal(Status.safeParse({ conditions: [{ type: "Ready", status: "Yes" }] }).success, false);
 * ```
 *
 * (Hidden from the generated API docs only because its declared type is zod's `ZodType`,
 * which `deno doc --lint` counts as a private type; it is a supported export.)
 * @ignore
 */
export const conditionSchema: z.ZodType<Condition> = z.object({
  type: z.string().min(1).describe("Condition type, e.g. Ready"),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.iso.datetime({ offset: true }).optional(),
  observedGeneration: z.int().min(0).optional(),
});
