/** RFC 7386 JSON merge patch: returns a new value; never mutates its inputs. */
export function applyMergePatch(_target: unknown, _patch: unknown): unknown {
  throw new Error("applyMergePatch: not implemented yet");
}
