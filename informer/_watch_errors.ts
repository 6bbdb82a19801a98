// The errors the reflector tells apart: its own relist requests and idle timeouts, 410
// Expired in either form, and HTTP status codes. Internal except `isExpired`.

export class _RelistRequest extends Error {
  constructor(readonly reason: string) {
    super(`relist requested: ${reason}`);
    this.name = "RelistRequest";
  }
}
export class _IdleTimeout extends Error {
  constructor(ms: number) {
    super(`expected a watch event within ${ms} ms, found silence`);
    this.name = "WatchIdleError";
  }
}

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
