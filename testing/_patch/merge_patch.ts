import { _clone, _isObject, _setOwn, type JsonObject } from "./_json.ts";

/**
 * RFC 7386 JSON merge patch: returns a new value; never mutates its inputs. A `null` member
 * deletes, an object member merges recursively, anything else (arrays included) replaces; a
 * patch that is not an object replaces the whole target.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!_isObject(patch)) return _clone(patch);
  const out: JsonObject = _isObject(target) ? _clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
    } else {
      _setOwn(out, key, applyMergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
    }
  }
  return out;
}
