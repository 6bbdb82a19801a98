/**
 * What happens after a failure: `TerminalError` for failures that retrying cannot fix,
 * `isRetryable` (the classification `retry()` and the controller's queue share), and the
 * controller's `errorPolicy` hook deciding requeue and delay per error.
 *
 * @module
 */
import type { KubeObject } from "../client/types.ts";

/**
 * A failure that retrying cannot fix (an invalid spec, a name that makes a child's name
 * invalid, a forbidden request): the controller does not requeue the key with backoff (only
 * the next change of the object, or the resync, reconciles it again), and `retry()` does not
 * retry it. controller-runtime's `reconcile.TerminalError`. `reason` is a CamelCase word a
 * status condition can carry.
 *
 * @example
 * ```ts
 * import { isRetryable, TerminalError } from "./error_policy.ts";
 * import assert from "node:assert/strict";
 * const e = new TerminalError("spec.size must be even, found 3", { reason: "InvalidSpec" });
 * assert.ok(e instanceof TerminalError);
 * assert.equal(e.reason, "InvalidSpec");
 * assert.equal(isRetryable(e), false);
 * ```
 */
export class TerminalError extends Error {
  /**
   * A CamelCase reason for conditions and events.
   * @default {"TerminalError"}
   */
  readonly reason: string;

  /** Creates the error; `cause` keeps the original failure. */
  constructor(message: string, options: ErrorOptions & { reason?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TerminalError";
    this.reason = options.reason ?? "TerminalError";
  }
}

// The API answers that repeating the same request cannot change: bad request, forbidden,
// not found, already exists (409 on create), invalid.
const _PERMANENT_CODES = new Set([400, 403, 404, 422]);

/**
 * False for failures that retrying the same thing cannot fix: a {@linkcode TerminalError},
 * or an API error 400 BadRequest, 403 Forbidden, 404 NotFound, 409 AlreadyExists (a create
 * of an existing name) or 422 Invalid, found on the error or on its `cause` chain (so a
 * `ReconcileError` wrapping one counts). True for everything else: 409 Conflict (a stale
 * resourceVersion), 410, 429, 5xx, network errors, timeouts, plain errors.
 *
 * @example
 * ```ts
 * import { isRetryable } from "./error_policy.ts";
 * import { ApiError } from "../client/errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isRetryable(ApiError.fromHttp(422, "invalid")), false);
 * assert.equal(isRetryable(ApiError.fromHttp(409, "conflict")), true);
 * assert.equal(isRetryable(new Error("wrapped", { cause: ApiError.fromHttp(403, "no") })), false);
 * assert.equal(isRetryable(new Error("connection reset")), true);
 * ```
 */
export function isRetryable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 16 && e; depth++) {
    if (e instanceof TerminalError) return false;
    const { code, reason } = e as { code?: unknown; reason?: unknown };
    if (typeof code === "number") {
      if (_PERMANENT_CODES.has(code)) return false;
      if (code === 409 && reason === "AlreadyExists") return false;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return true;
}

/**
 * What the controller does with a failed reconcile: `requeue: false` waits for the next
 * change of the object (or the resync); `requeue: true` retries, after `afterMs` when given,
 * else with the per-key exponential backoff.
 *
 * @example
 * ```ts
 * import type { ErrorAction } from "./error_policy.ts";
 * import assert from "node:assert/strict";
 * const later: ErrorAction = { requeue: true, afterMs: 30_000 };
 * const never: ErrorAction = { requeue: false };
 * assert.deepEqual(later.requeue, true);
 * ```
 */
export type ErrorAction = { requeue: false } | { requeue: true; afterMs?: number };

/**
 * What an {@linkcode ErrorPolicy} learns about a failure.
 *
 * @example
 * ```ts
 * import type { ErrorPolicyInput } from "./error_policy.ts";
 * import assert from "node:assert/strict";
 * const input: ErrorPolicyInput = { key: "default/site", failures: 3 };
 * assert.deepEqual(input.key, "default/site");
 * ```
 */
export interface ErrorPolicyInput {
  /** The key that failed. */
  key: string;
  /** The object as the cache holds it, when it does. */
  object?: KubeObject;
  /** Consecutive failures of this key, this one included. */
  failures: number;
}

/**
 * Decides requeue and delay per error (kube-rs `error_policy`). It must not throw.
 *
 * @example
 * ```ts
 * import { defaultErrorPolicy, type ErrorPolicy } from "./error_policy.ts";
 * import assert from "node:assert/strict";
 * // Give up after 10 failures; otherwise as the default.
 * const policy: ErrorPolicy = (err, input) =>
 *   input.failures >= 10 ? { requeue: false } : defaultErrorPolicy(err, input);
 * assert.deepEqual(policy(new Error("x"), { key: "a", failures: 10 }), { requeue: false });
 * ```
 */
export type ErrorPolicy = (error: unknown, input: ErrorPolicyInput) => ErrorAction;

/**
 * The controller's default: retry with backoff when {@linkcode isRetryable}, else wait for
 * the next change.
 *
 * @example
 * ```ts
 * import { defaultErrorPolicy, TerminalError } from "./error_policy.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(defaultErrorPolicy(new Error("timeout"), { key: "a", failures: 1 }), { requeue: true });
 * assert.deepEqual(defaultErrorPolicy(new TerminalError("bad"), { key: "a", failures: 1 }), { requeue: false });
 * ```
 */
export function defaultErrorPolicy(error: unknown, _input: ErrorPolicyInput): ErrorAction {
  return isRetryable(error) ? { requeue: true } : { requeue: false };
}
