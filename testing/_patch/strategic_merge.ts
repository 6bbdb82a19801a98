import { _clone, _deepEqual, _isObject, _setOwn, _typeName, type JsonObject } from "./_json.ts";
import { PatchError } from "./json_patch.ts";
import { mergeSchema } from "../_schema/builtin.ts";

/**
 * Merge information for one built-in type: for each list path (dotted, with `[]` for list
 * items, e.g. `spec.template.spec.containers`), the merge key (`name`) or `"set"` for
 * primitive lists merged as sets.
 */
export type StrategicMergeSchema = Record<string, string>;

/**
 * The strategic-merge schema for a built-in apiVersion/kind, or undefined (CRs: 415): the
 * `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` of the Kubernetes OpenAPI
 * documents (testing/_schema/builtin.ts). Lists without `merge` are atomic: a patch replaces
 * them whole (command, args, tolerations, rbac rules). Every schema includes
 * `metadata.finalizers` (a set) and `metadata.ownerReferences` (by `uid`).
 */
export function strategicMergeSchemaFor(
  apiVersion: string,
  kind: string,
): StrategicMergeSchema | undefined {
  return mergeSchema(apiVersion, kind, "strategic");
}

const _DELETE: unique symbol = Symbol("delete");
type _Merged = unknown | typeof _DELETE;

const _ORDER = "$setElementOrder/";
const _DELETE_FROM = "$deleteFromPrimitiveList/";

/**
 * Strategic merge patch for built-in types. Returns a new value. Throws PatchError.
 *
 * Maps merge and `null` deletes; lists whose path has a merge key in `schema` merge item by
 * item (`{"<key>": v, "$patch": "delete"}` removes the item, a `{"$patch": "replace"}`
 * element replaces the whole list); `"set"` lists add missing values; other lists are
 * replaced. Maps honour `$patch: replace|delete` and `$retainKeys`;
 * `$deleteFromPrimitiveList/<list>` removes values. Merged lists are ordered as kube orders
 * them: the items the patch names (in `$setElementOrder/<list>`, else in the patch list) in
 * that order, interleaved with the items only the server has at their previous positions;
 * items new to the server go before the next server-only item.
 */
export function applyStrategicMergePatch(
  target: unknown,
  patch: unknown,
  schema: StrategicMergeSchema,
): unknown {
  if (!_isObject(patch)) {
    throw new PatchError(
      "BadRequest",
      `a strategic merge patch must be a JSON object, found ${_typeName(patch)}`,
    );
  }
  const merged = new _Merger(schema).map(_isObject(target) ? target : undefined, patch, "");
  return merged === _DELETE ? {} : merged;
}

class _Merger {
  constructor(readonly schema: StrategicMergeSchema) {}

  strategy(path: string): string | undefined {
    return Object.hasOwn(this.schema, path) ? this.schema[path] : undefined;
  }

  map(
    original: JsonObject | undefined,
    patch: JsonObject,
    path: string,
  ): JsonObject | typeof _DELETE {
    const directive = patch.$patch;
    if (directive === "delete") return _DELETE;
    if (directive === "replace") {
      const { $patch: _, ...rest } = patch;
      return this.map(undefined, rest, path) as JsonObject;
    }
    if (directive !== undefined) {
      throw new PatchError(
        "BadRequest",
        `${_where(path)}: $patch must be "replace" or "delete", found ${JSON.stringify(directive)}`,
      );
    }
    const out: JsonObject = original ? _clone(original) : {};
    const orders = new Map<string, unknown[]>();
    // Deletions from primitive lists apply before the patch's own additions.
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith(_ORDER)) {
        orders.set(key.slice(_ORDER.length), _directiveList(value, key, path));
      }
      if (!key.startsWith(_DELETE_FROM)) continue;
      const list = key.slice(_DELETE_FROM.length);
      const remove = _directiveList(value, key, path);
      if (Array.isArray(out[list])) {
        _setOwn(out, list, out[list].filter((v) => !remove.some((r) => _deepEqual(r, v))));
      }
    }
    for (const [key, value] of Object.entries(patch)) {
      if (key === "$retainKeys" || key.startsWith(_DELETE_FROM) || key.startsWith(_ORDER)) {
        continue;
      }
      if (value === null) {
        delete out[key];
        continue;
      }
      const child = path === "" ? key : `${path}.${key}`;
      const current = Object.hasOwn(out, key) ? out[key] : undefined;
      const merged = Array.isArray(value)
        ? this.list(current, value, child, orders.get(key))
        : this.value(current, value, child);
      if (merged === _DELETE) delete out[key];
      else _setOwn(out, key, merged);
    }
    // A $setElementOrder for a list the patch does not otherwise touch.
    for (const [list, order] of orders) {
      const current = out[list];
      if (Array.isArray(current) && !Array.isArray(patch[list])) {
        const child = path === "" ? list : `${path}.${list}`;
        _setOwn(out, list, _normalizeOrder(current, order, current, this.strategy(child)));
      }
    }
    if (Object.hasOwn(patch, "$retainKeys")) this.retain(out, patch, path);
    return out;
  }

  value(original: unknown, patch: unknown, path: string): _Merged {
    if (_isObject(patch)) return this.map(_isObject(original) ? original : undefined, patch, path);
    if (Array.isArray(patch)) return this.list(original, patch, path, undefined);
    return _clone(patch);
  }

  list(original: unknown, patch: unknown[], path: string, order: unknown[] | undefined): unknown[] {
    const strategy = this.strategy(path);
    const itemPath = `${path}[]`;
    const fresh = (items: unknown[]) =>
      items.flatMap((p) => {
        const v = this.value(undefined, p, itemPath);
        return v === _DELETE ? [] : [v];
      });
    if (!strategy) return fresh(patch);
    if (patch.some((p) => _isObject(p) && p.$patch === "replace")) {
      return fresh(patch.filter((p) => !(_isObject(p) && p.$patch === "replace")));
    }
    const server = Array.isArray(original) ? original : [];
    const out = _clone(server);
    const ordered = (merged: unknown[]) =>
      _normalizeOrder(
        merged,
        order ?? patch.filter((p) => !_isObject(p) || !p.$patch),
        server,
        strategy,
      );
    if (strategy === "set") {
      for (const p of patch) if (!out.some((v) => _deepEqual(v, p))) out.push(_clone(p));
      return ordered(out);
    }
    for (const p of patch) {
      if (!_isObject(p) || !Object.hasOwn(p, strategy)) {
        throw new PatchError(
          "BadRequest",
          `${
            _where(path)
          }: items of this list merge by "${strategy}", so each needs that key, found ${
            _isObject(p) ? "an object without it" : _typeName(p)
          }`,
        );
      }
      const idx = out.findIndex((v) => _isObject(v) && _deepEqual(v[strategy], p[strategy]));
      if (p.$patch === "delete") {
        if (idx >= 0) {
          for (let i = out.length - 1; i >= 0; i--) {
            if (_isObject(out[i]) && _deepEqual((out[i] as JsonObject)[strategy], p[strategy])) {
              out.splice(i, 1);
            }
          }
        }
        continue;
      }
      const merged = this.map(idx >= 0 ? out[idx] as JsonObject : undefined, p, itemPath);
      if (merged === _DELETE) continue;
      if (idx >= 0) out[idx] = merged;
      else out.push(merged);
    }
    return ordered(out);
  }

  retain(out: JsonObject, patch: JsonObject, path: string): void {
    const keep = patch.$retainKeys;
    if (!Array.isArray(keep) || !keep.every((k) => typeof k === "string")) {
      throw new PatchError(
        "BadRequest",
        `${_where(path)}: $retainKeys must be a list of field names, found ${_typeName(keep)}`,
      );
    }
    for (const key of Object.keys(patch)) {
      if (key.startsWith("$") || patch[key] === null || keep.includes(key)) continue;
      throw new PatchError(
        "BadRequest",
        `${_where(path)}: the patch sets "${key}", which $retainKeys does not list`,
      );
    }
    for (const key of Object.keys(out)) if (!keep.includes(key)) delete out[key];
  }
}

function _where(path: string): string {
  return path === "" ? "strategic merge patch" : `strategic merge patch at ${path}`;
}

function _directiveList(value: unknown, key: string, path: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new PatchError(
      "BadRequest",
      `${_where(path)}: ${key} must be a list, found ${_typeName(value)}`,
    );
  }
  return value;
}

/**
 * kube's element order for a merged list: the items the patch names (in `$setElementOrder`,
 * else in the patch list) sorted by that order, interleaved with the server-only items by
 * their position in the list before the patch; items new to the server go before the next
 * server-only item.
 */
function _normalizeOrder(
  merged: unknown[],
  order: unknown[],
  server: unknown[],
  strategy: string | undefined,
): unknown[] {
  const id = (v: unknown) => strategy && strategy !== "set" && _isObject(v) ? v[strategy] : v;
  const ids = order.map(id);
  const rank = (v: unknown) => ids.findIndex((o) => _deepEqual(o, id(v)));
  const serverIds = server.map(id);
  const serverRank = (v: unknown) => serverIds.findIndex((s) => _deepEqual(s, id(v)));
  const named = merged.filter((v) => rank(v) >= 0).sort((a, b) => rank(a) - rank(b));
  const serverOnly = merged.filter((v) => rank(v) < 0);
  const out: unknown[] = [];
  let i = 0, j = 0;
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(named[j++]);
    else {
      const l = serverRank(serverOnly[i]), r = serverRank(named[j]);
      out.push(l >= 0 && r >= 0 && l < r ? serverOnly[i++] : named[j++]);
    }
  }
  return out;
}
