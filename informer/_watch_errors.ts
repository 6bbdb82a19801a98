// The errors the reflector tells apart: its own relist requests and idle timeouts, 410
// Expired in either form, HTTP status codes, broken lines; and the one-word reason each is
// counted and logged under. Internal except `isExpired`.

import { ShortWatchError } from "./errors.ts";

export class _RelistRequest extends Error {
  constructor(readonly reason: string) {
    super(`relist requested: ${reason}`);
    this.name = "RelistRequest";
  }
}
export class _IdleTimeout extends Error {
  constructor(ms: number) {
    super(`expected a watch event or bookmark within ${ms} ms, found silence`);
    this.name = "WatchIdleError";
  }
}

/** A watch that ended at once without a word: a broken server or proxy. */
export { ShortWatchError as _ShortWatch } from "./errors.ts";

/**
 * True for a 410 Expired/Gone, in either form the client reports it (an HTTP 410, or a watch
 * ERROR event carrying a 410 Status).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isExpired } from "./reflector.ts";
 * assert.equal(isExpired({ code: 410, reason: "Expired" }), true);
 * assert.equal(isExpired(new Error("connection reset")), false);
 * ```
 */
export function isExpired(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { code?: unknown; status?: unknown; reason?: unknown; isGone?: () => boolean };
  if (typeof e.isGone === "function") return e.isGone();
  return e.code === 410 || e.reason === "Expired" || e.reason === "Gone" ||
    (typeof e.status === "object" && (e.status as { code?: unknown })?.code === 410);
}

export function _code(err: unknown): number | undefined {
  if (!err || typeof err !== "object") return undefined;
  const c = (err as { code?: unknown }).code;
  return typeof c === "number" ? c : undefined;
}

export function _isIdle(err: unknown): boolean {
  return err instanceof Error && err.name === "WatchIdleError";
}

/**
 * Why a list or watch attempt failed, as a short reason for counters and logs:
 * `idle` (no event or bookmark within the liveness bound), `decode-error` (a line that is no
 * watch event), `http-<code>` (a Status from the server), `short-watch` (closed at once),
 * `network` (anything else: refused, reset, TLS).
 */
export function _failureReason(err: unknown): string {
  if (_isIdle(err)) return "idle";
  if (err instanceof Error && err.name === "WatchLineError") return "decode-error";
  if (err instanceof ShortWatchError) return "short-watch";
  const code = _code(err);
  if (code !== undefined) return `http-${code}`;
  return "network";
}

/** The error's message (never anything but its text: no headers, no tokens). */
export function _message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
