/**
 * Decoding objects read from the server with the resource type's schema. Without a schema
 * objects pass through as they are (no copy).
 *
 * @module
 */
import { DecodeError } from "./errors.ts";
import type { DecodedList, KubeList, KubeObject, ResourceType } from "./types.ts";

/**
 * The result of decoding one object.
 *
 * @example
 * ```ts
 * import { decodeObject, type DecodeResult } from "./decode.ts";
 * import { ConfigMaps } from "./builtins.ts";
 * import type { ConfigMap } from "./builtin_types.ts";
 * import assert from "node:assert/strict";
 * // Without a schema the object passes through as it is.
 * const raw = { metadata: { name: "a" }, data: { k: "v" } };
 * const r: DecodeResult<ConfigMap> = decodeObject(ConfigMaps, raw);
 * assert.ok(r.ok);
 * assert.equal(r.value, raw);
 * ```
 */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/**
 * Validates `raw` with `type.schema` (when it has one).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { decodeObject } from "./decode.ts";
 * import { defineResource } from "./define_resource.ts";
 * import assert from "node:assert/strict";
 * const T = defineResource({
 *   apiVersion: "demo.io/v1",
 *   kind: "Thing",
 *   plural: "things",
 *   schema: z.object({ metadata: z.object({ name: z.string() }), spec: z.object({ n: z.number() }) }),
 * });
 * const r = decodeObject(T, { metadata: { name: "a", namespace: "ns" }, spec: { n: "x" } });
 * assert.equal(r.ok, false);
 * if (!r.ok) assert.equal(r.error.key, "ns/a");
 * ```
 */
export function decodeObject<T extends KubeObject>(
  type: ResourceType<T>,
  raw: unknown,
): DecodeResult<T> {
  const schema = type.schema;
  if (!schema) return { ok: true, value: raw as T };
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  return {
    ok: false,
    error: new DecodeError(raw as Partial<KubeObject>, r.error.issues, { kind: type.kind }),
  };
}

/**
 * Decodes a LIST answer: valid items in `items`, failures in `invalid`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { decodeList } from "./decode.ts";
 * import { defineResource } from "./define_resource.ts";
 * import assert from "node:assert/strict";
 * const T = defineResource({
 *   apiVersion: "demo.io/v1",
 *   kind: "Thing",
 *   plural: "things",
 *   schema: z.object({ metadata: z.object({ name: z.string() }), spec: z.object({ n: z.number() }) }),
 * });
 * const page = decodeList(T, {
 *   metadata: { resourceVersion: "7" },
 *   items: [{ metadata: { name: "good" }, spec: { n: 1 } }, { metadata: { name: "bad" }, spec: { n: "x" } }],
 * });
 * assert.deepEqual(page.items.map((o) => o.metadata.name), ["good"]);
 * assert.equal(page.invalid[0].error.key, "bad");
 * assert.equal(page.metadata.resourceVersion, "7");
 * ```
 */
export function decodeList<T extends KubeObject>(
  type: ResourceType<T>,
  list: KubeList<unknown>,
): DecodedList<T> {
  const items = Array.isArray(list.items) ? list.items : [];
  const out: DecodedList<T> = {
    ...(list.apiVersion ? { apiVersion: list.apiVersion } : {}),
    ...(list.kind ? { kind: list.kind } : {}),
    metadata: list.metadata ?? {},
    items: [],
    invalid: [],
  };
  if (!type.schema) {
    out.items = items as T[];
    return out;
  }
  for (const raw of items) {
    const r = decodeObject(type, raw);
    if (r.ok) out.items.push(r.value);
    else out.invalid.push({ raw: raw as KubeObject, error: r.error });
  }
  return out;
}
