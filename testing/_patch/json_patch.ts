/**
 * Why a patch failed: `BadRequest` (400: undecodable, malformed op) or `Invalid` (422: an op
 * that cannot apply, such as a failing `test` or a missing path).
 */
export class PatchError extends Error {
  override name = "PatchError";
  constructor(readonly kind: "BadRequest" | "Invalid", message: string) {
    super(message);
  }
}

/** RFC 6902 JSON patch: returns a new value; never mutates its inputs. Throws PatchError. */
export function applyJsonPatch(_target: unknown, _ops: unknown): unknown {
  throw new Error("applyJsonPatch: not implemented yet");
}
