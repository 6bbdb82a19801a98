/**
 * Label and field selector builders: they turn plain objects into the selector strings the
 * API server parses, and reject keys or values that would change the selector's meaning.
 *
 * @module
 */

/**
 * One label requirement: an exact value (`"web"`), a negation (`{ notEquals }`), a set
 * (`{ in: [...] }` / `{ notIn: [...] }`), or existence (`true` = the label exists,
 * `false` = it does not).
 *
 * @example
 * ```ts
 * import { type LabelRequirement, labelSelector } from "./selectors.ts";
 * import assert from "node:assert/strict";
 * const tier: LabelRequirement = { in: ["web", "api"] };
 * const env: LabelRequirement = { notEquals: "prod" };
 * assert.equal(labelSelector({ tier, env, owned: true }), "tier in (web,api),env!=prod,owned");
 * ```
 */
export type LabelRequirement =
  | string
  | boolean
  | { notEquals: string }
  | { in: readonly string[] }
  | { notIn: readonly string[] };

// A label key: optional DNS subdomain prefix and a name of up to 63 characters.
const KEY_RE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function _checkKey(key: string): void {
  if (!KEY_RE.test(key)) {
    throw new TypeError(
      `expected a label key ([prefix/]name, name <= 63 chars of [-A-Za-z0-9_.]), found ${
        JSON.stringify(key)
      }`,
    );
  }
}

function _checkValue(key: string, value: string): void {
  if (typeof value !== "string" || !VALUE_RE.test(value)) {
    throw new TypeError(
      `expected a label value for ${key} (<= 63 chars of [-A-Za-z0-9_.], alphanumeric at both ends), found ${
        JSON.stringify(value)
      }`,
    );
  }
}

/**
 * Builds a label selector string from an object; requirements are ANDed, in key order.
 *
 * @example
 * ```ts
 * import { labelSelector } from "./selectors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   labelSelector({ app: "web", tier: { in: ["a", "b"] }, canary: false }),
 *   "app=web,tier in (a,b),!canary",
 * );
 * ```
 */
export function labelSelector(requirements: Record<string, LabelRequirement>): string {
  const parts: string[] = [];
  for (const [key, req] of Object.entries(requirements)) {
    _checkKey(key);
    if (req === true) parts.push(key);
    else if (req === false) parts.push(`!${key}`);
    else if (typeof req === "string") {
      _checkValue(key, req);
      parts.push(`${key}=${req}`);
    } else if (req && typeof req === "object" && "notEquals" in req) {
      _checkValue(key, req.notEquals);
      parts.push(`${key}!=${req.notEquals}`);
    } else if (req && typeof req === "object" && ("in" in req || "notIn" in req)) {
      const values = "in" in req ? req.in : req.notIn;
      if (!Array.isArray(values) || values.length === 0) {
        throw new TypeError(
          `expected a non-empty value list for ${key}, found ${JSON.stringify(values)}`,
        );
      }
      for (const v of values) _checkValue(key, v);
      parts.push(`${key} ${"in" in req ? "in" : "notin"} (${values.join(",")})`);
    } else {
      throw new TypeError(
        `expected a string, boolean, {notEquals}, {in} or {notIn} for label ${key}, found ${
          JSON.stringify(req)
        }`,
      );
    }
  }
  return parts.join(",");
}

// Field selector values escape `\`, `,` and `=` as the API server's fields.EscapeValue does.
function _escapeFieldValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/,/g, "\\,").replace(/=/g, "\\=");
}

/**
 * Builds a field selector string (`=` and `!=` only, ANDed). Values are escaped, so any
 * string is safe.
 *
 * @example
 * ```ts
 * import { fieldSelector } from "./selectors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   fieldSelector({ "metadata.name": "web", "status.phase": { notEquals: "Running" } }),
 *   "metadata.name=web,status.phase!=Running",
 * );
 * ```
 */
export function fieldSelector(fields: Record<string, string | { notEquals: string }>): string {
  const parts: string[] = [];
  for (const [field, req] of Object.entries(fields)) {
    if (!/^[A-Za-z0-9_.\-\/\[\]]+$/.test(field)) {
      throw new TypeError(
        `expected a field path like metadata.name, found ${JSON.stringify(field)}`,
      );
    }
    if (typeof req === "string") parts.push(`${field}=${_escapeFieldValue(req)}`);
    else if (req && typeof req === "object" && typeof req.notEquals === "string") {
      parts.push(`${field}!=${_escapeFieldValue(req.notEquals)}`);
    } else {
      throw new TypeError(
        `expected a string or {notEquals: string} for field ${field}, found ${JSON.stringify(req)}`,
      );
    }
  }
  return parts.join(",");
}
