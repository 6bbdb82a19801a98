// JSON value helpers shared by the patch engines. Every engine deep-copies what it returns so the
// server can store the result without aliasing the caller's objects.

/** A JSON object (a plain object: not an array, not null). */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function _isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deep copy of a JSON value; `undefined` stays `undefined`. */
export function _clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => _clone(v)) as T;
  if (_isObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) _setOwn(out, k, _clone(v));
    return out as T;
  }
  return value;
}

/** JSON equality: same type, same members; object key order does not matter. */
export function _deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => _deepEqual(v, b[i]));
  }
  if (_isObject(a)) {
    if (!_isObject(b)) return false;
    const ak = Object.keys(a);
    if (ak.length !== Object.keys(b).length) return false;
    return ak.every((k) => Object.hasOwn(b, k) && _deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Sets an own property, also for the key `__proto__` (a plain assignment would change the
 * prototype instead of adding a member).
 */
export function _setOwn(obj: JsonObject, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}

/** A short description of a JSON value's type for error messages (never the value itself). */
export function _typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
