// Error classification that works with the client's ApiError and with plain test doubles.

function _code(err: unknown): number | undefined {
  const e = err as { code?: unknown; status?: { code?: unknown } };
  if (typeof e?.code === "number") return e.code;
  if (typeof e?.status?.code === "number") return e.status.code;
  return undefined;
}

/** A 404 from the API server. */
export function _isNotFound(err: unknown): boolean {
  const e = err as { isNotFound?: () => boolean };
  if (typeof e?.isNotFound === "function") return e.isNotFound();
  return _code(err) === 404;
}

// 409 Conflict, or 422 from a failed `test` operation: both mean "someone changed it".
export function _isConflictLike(err: unknown): boolean {
  const e = err as { isConflict?: () => boolean; isInvalid?: () => boolean };
  if (typeof e?.isConflict === "function" && e.isConflict()) return true;
  if (typeof e?.isInvalid === "function" && e.isInvalid()) return true;
  const code = _code(err);
  return code === 409 || code === 422;
}
