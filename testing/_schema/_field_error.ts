// Field errors worded like k8s.io/apimachinery/pkg/util/validation/field: a cause's message is
// the error "body" (type string, bad value, detail), its field the dotted path.
import type { StatusCause } from "../../client/types.ts";

/** A value that is not printed in the message (field.OmitValueType in kube). */
export const OMIT: unique symbol = Symbol("omit");

/**
 * Formats a number as Go's `%v` does for the int64 and float64 values of decoded JSON: integers
 * plainly, other numbers in the shortest form, with an exponent (at least two digits) below
 * 1e-4 or from 1e21 on.
 */
export function _goNumber(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN";
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const [mantissa, exp] = n.toExponential().split("e");
  const e = Number(exp);
  if (e < -4 || e >= 21) {
    return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return String(n);
}

/** Renders a bad value as kube's ErrorBody does: simple scalars plain, strings quoted, the rest as JSON. */
export function _formatValue(value: unknown): string {
  if (typeof value === "number") return _goNumber(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  return _goJson(value);
}

/** JSON with sorted object keys, as Go's encoding/json marshals maps. */
export function _goJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(_goJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${_goJson(obj[k])}`).join(",")}}`;
}

function _body(type: string, value: unknown, detail: string): string {
  let s = type;
  if (value !== OMIT) s += `: ${_formatValue(value)}`;
  return detail ? `${s}: ${detail}` : s;
}

/** `Required value[: detail]` */
export function required(field: string, detail = ""): StatusCause {
  return {
    reason: "FieldValueRequired",
    message: detail ? `Required value: ${detail}` : "Required value",
    field,
  };
}

/** `Invalid value: <v>: detail` */
export function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: "FieldValueInvalid", message: _body("Invalid value", value, detail), field };
}

/** `Invalid value: <v>: detail` with reason FieldValueTypeInvalid. */
export function typeInvalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: "FieldValueTypeInvalid", message: _body("Invalid value", value, detail), field };
}

/** `Unsupported value: <v>: supported values: "a", "b"` */
export function notSupported(field: string, value: unknown, supported: string[]): StatusCause {
  const detail = supported.length > 0
    ? `supported values: ${supported.map((v) => JSON.stringify(v)).join(", ")}`
    : "";
  return {
    reason: "FieldValueNotSupported",
    message: _body("Unsupported value", value, detail),
    field,
  };
}

/** `Forbidden: detail` */
export function forbidden(field: string, detail: string): StatusCause {
  return { reason: "FieldValueForbidden", message: `Forbidden: ${detail}`, field };
}

/** `Too long: may not be more than N bytes` (the value is never printed). */
export function tooLong(field: string, max: number): StatusCause {
  const detail = max >= 0
    ? `may not be more than ${max} ${max === 1 ? "byte" : "bytes"}`
    : "value is too long";
  return { reason: "FieldValueTooLong", message: `Too long: ${detail}`, field };
}

/** `Too many: <n>: must have at most N items` */
export function tooMany(field: string, actual: number, max: number): StatusCause {
  const detail = max >= 0
    ? `must have at most ${max} ${max === 1 ? "item" : "items"}`
    : "has too many items";
  return {
    reason: "FieldValueTooMany",
    message: _body("Too many", actual >= 0 ? actual : OMIT, detail),
    field,
  };
}

/** `Duplicate value: <v>` */
export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: "FieldValueDuplicate", message: _body("Duplicate value", value, ""), field };
}
