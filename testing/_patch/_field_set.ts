// Field paths for server-side apply: each path is a list of FieldsV1 segments (`f:spec`,
// `k:{"name":"c"}`, `v:"x"`, `i:0`) joined by _SEP into one string so sets are plain Set<string>.
//
// Which paths an object has (its "fields"): every leaf (scalar, null, atomic list, empty map),
// every item of a keyed list (`k:`, whose own fields follow), every value of a set list (`v:`),
// and, for writes only, every map and keyed/set list itself (an Update that creates `data` owns
// `f:data` as a member, printed `.`), as structured-merge-diff's compare and ToFieldSet do. At the top
// level only metadata.labels/annotations/finalizers/ownerReferences are tracked.

import { _deepEqual, _isObject, type JsonObject } from "./_json.ts";
import type { StrategicMergeSchema } from "./strategic_merge.ts";

/** Separates the segments of a path key. */
export const _SEP = "\u0000";

/** Marker value for list-item paths (their content is tracked through their own fields). */
const _ITEM = "";
/** Marker value for maps: the same as an empty map's leaf value, so filling one is no change. */
const _MAP = "{}";
/** Marker value for keyed and set lists: the same as an empty list's leaf value. */
const _LIST = "[]";

const _TRACKED_META = ["labels", "annotations", "finalizers", "ownerReferences"];

/** JSON with object keys sorted, so equal values give equal strings. */
export function _canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(_canonical).join(",")}]`;
  if (_isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${_canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Every tracked path of `obj`, mapped to its leaf value (canonical JSON) or a marker. With
 * `applied`, non-empty maps are left out (the set an apply configuration claims).
 */
export function _fields(
  obj: JsonObject,
  schema: StrategicMergeSchema,
  applied = false,
): Map<string, string> {
  const out = new Map<string, string>();
  const walk = new _Walker(schema, applied, out);
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind") continue;
    if (k === "metadata") {
      if (!_isObject(v)) continue;
      for (const mk of _TRACKED_META) {
        if (Object.hasOwn(v, mk)) {
          walk.value(v[mk], `metadata.${mk}`, `f:metadata${_SEP}f:${mk}`);
        }
      }
      continue;
    }
    walk.value(v, k, `f:${k}`);
  }
  return out;
}

class _Walker {
  constructor(
    readonly schema: StrategicMergeSchema,
    readonly applied: boolean,
    readonly out: Map<string, string>,
  ) {}

  value(v: unknown, schemaPath: string, path: string): void {
    if (_isObject(v) && _strategy(this.schema, schemaPath) !== _ATOMIC) {
      const entries = Object.entries(v);
      // An empty map is a leaf; a non-empty one a member only for writes (see above); a
      // non-empty struct of a built-in type never is (its fields are, smd's struct).
      const strategy = _strategy(this.schema, schemaPath);
      // Measured on kube-apiserver 1.36: a pointer struct is tracked like a map
      // (`f:defaultBackend: {".": {}, ...}`), and so is a non-pointer struct directly in a list
      // item (`f:clientConfig: {".": {}}`, `f:resources: {}`); other non-pointer structs are
      // never members (`f:spec` has no "."), and an empty one is no field at all.
      const struct = strategy === _STRUCT && !/\[\]\.[^.]+$/.test(schemaPath);
      if (entries.length === 0 && struct) return;
      if (entries.length === 0 || (!this.applied && !struct)) this.out.set(path, _MAP);
      for (const [k, child] of entries) {
        this.value(child, `${schemaPath}.${k}`, `${path}${_SEP}f:${k}`);
      }
      return;
    }
    if (Array.isArray(v)) {
      const strategy = _strategy(this.schema, schemaPath);
      const items = _listItems(v, strategy);
      if (items) {
        // An empty keyed or set list claims nothing in an apply; for writes it is a leaf, and
        // a non-empty one a member, with the same value (so filling it is no change).
        if (!this.applied && !Object.hasOwn(this.schema, `${schemaPath}!`)) {
          this.out.set(path, _LIST);
        }
        items.forEach((seg, i) => {
          const itemPath = `${path}${_SEP}${seg}`;
          this.out.set(itemPath, _ITEM);
          if (!seg.startsWith("k:")) return;
          for (const [k, child] of Object.entries(v[i] as JsonObject)) {
            this.value(child, `${schemaPath}[].${k}`, `${itemPath}${_SEP}f:${k}`);
          }
        });
        return;
      }
    }
    this.out.set(path, _canonical(v));
  }
}

/** Schema value marking a non-pointer struct of a built-in type (its fields, not a map). */
export const _STRUCT = "struct";
/** Schema value marking a pointer struct of a built-in type (an empty one is a leaf). */
export const _POINTER_STRUCT = "pstruct";

/** Schema value marking a map that server-side apply treats as one leaf (`+mapType=atomic`). */
export const _ATOMIC = "atomic";

/** The merge strategy of a list path: a key, "set", or undefined (atomic). */
export function _strategy(schema: StrategicMergeSchema, schemaPath: string): string | undefined {
  return Object.hasOwn(schema, schemaPath) ? schema[schemaPath] : undefined;
}

/**
 * The item segments of a list that merges by `strategy`, or undefined when it must be treated
 * as atomic (no strategy, an item without the key, a non-scalar set value, duplicates).
 */
export function _listItems(list: unknown[], strategy: string | undefined): string[] | undefined {
  if (!strategy) return undefined;
  const segs: string[] = [];
  for (const item of list) {
    let seg: string;
    if (strategy === "set") {
      if (_isObject(item) || Array.isArray(item)) return undefined;
      seg = `v:${_canonical(item)}`;
    } else {
      if (!_isObject(item)) return undefined;
      const key: JsonObject = {};
      for (const part of strategy.split(",")) {
        // `name` or `name=<JSON default>` (server-side apply fills a missing key's default)
        const eq = part.indexOf("=");
        const name = eq < 0 ? part : part.slice(0, eq);
        if (Object.hasOwn(item, name)) key[name] = item[name];
        else if (eq >= 0) key[name] = JSON.parse(part.slice(eq + 1));
        else return undefined;
      }
      seg = `k:${_canonical(key)}`;
    }
    if (segs.includes(seg)) return undefined;
    segs.push(seg);
  }
  return segs;
}

/** The paths added or changed, and the paths removed, going from `before` to `after`. */
export function _diff(
  before: Map<string, string>,
  after: Map<string, string>,
): { changed: Set<string>; removed: Set<string> } {
  const changed = new Set<string>();
  const removed = new Set<string>();
  for (const [p, v] of after) if (before.get(p) !== v) changed.add(p);
  for (const p of before.keys()) if (!after.has(p)) removed.add(p);
  return { changed, removed };
}

/** Decodes a FieldsV1 trie into path keys; `k:`/`v:` segments are normalised. */
export function _decodeFieldsV1(fields: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown, prefix: string) => {
    if (!_isObject(node)) return;
    for (const [k, child] of Object.entries(node)) {
      if (k === ".") {
        if (prefix !== "") out.add(prefix);
        continue;
      }
      const path = prefix === "" ? _normalizeSegment(k) : `${prefix}${_SEP}${_normalizeSegment(k)}`;
      if (_isObject(child) && Object.keys(child).length > 0) walk(child, path);
      else out.add(path);
    }
  };
  walk(fields, "");
  return out;
}

function _normalizeSegment(seg: string): string {
  if (seg.startsWith("k:") || seg.startsWith("v:")) {
    try {
      return seg.slice(0, 2) + _canonical(JSON.parse(seg.slice(2)));
    } catch {
      return seg;
    }
  }
  return seg;
}

interface _Node {
  member: boolean;
  children: Map<string, _Node>;
}

/** Encodes path keys as a FieldsV1 trie (`.` marks a member that also has children). */
export function _encodeFieldsV1(paths: Iterable<string>): Record<string, unknown> {
  const root: _Node = { member: false, children: new Map() };
  for (const p of paths) {
    let node = root;
    for (const seg of p.split(_SEP)) {
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, next = { member: false, children: new Map() });
      node = next;
    }
    node.member = true;
  }
  const emit = (node: _Node): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (node.member && node.children.size > 0) out["."] = {};
    for (const seg of [...node.children.keys()].sort()) {
      Object.defineProperty(out, seg, {
        value: emit(node.children.get(seg)!),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return emit(root);
}

/** A path as kube prints it: `.spec.containers[name="c"].image`, `.metadata.finalizers[="x"]`. */
export function _printPath(path: string): string {
  return path.split(_SEP).map((seg) => {
    const body = seg.slice(2);
    if (seg.startsWith("f:")) return `.${body}`;
    if (seg.startsWith("i:")) return `[${body}]`;
    if (seg.startsWith("v:")) return `[=${body}]`;
    if (seg.startsWith("k:")) {
      try {
        const key = JSON.parse(body) as JsonObject;
        return `[${Object.keys(key).map((k) => `${k}=${JSON.stringify(key[k])}`).join(",")}]`;
      } catch {
        return `[${body}]`;
      }
    }
    return seg;
  }).join("");
}

/** True when `path` is `prefix` or lies below it. */
export function _within(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + _SEP);
}

/**
 * Removes the value at `path` from `obj` (in place). Maps and lists left empty by the removal
 * are removed too (except metadata and the object itself), unless `keep` says someone owns them.
 * A path that does not resolve is ignored.
 */
export function _removePath(obj: JsonObject, path: string, keep: (p: string) => boolean): void {
  const segs = path.split(_SEP);
  const chain: { container: unknown; seg: string }[] = [];
  let cur: unknown = obj;
  for (const seg of segs) {
    chain.push({ container: cur, seg });
    cur = _step(cur, seg);
    if (cur === undefined) return;
  }
  for (let depth = chain.length - 1; depth >= 0; depth--) {
    const { container, seg } = chain[depth];
    _deleteChild(container, seg);
    const parentPath = segs.slice(0, depth).join(_SEP);
    if (depth <= 1 && segs[0] === "f:metadata") return;
    if (depth === 0 || !_isEmpty(container) || keep(parentPath)) return;
  }
}

function _isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : _isObject(v) && Object.keys(v).length === 0;
}

function _indexOf(container: unknown, seg: string): number {
  if (!Array.isArray(container)) return -1;
  const body = seg.slice(2);
  if (seg.startsWith("i:")) return Number(body) < container.length ? Number(body) : -1;
  let want: unknown;
  try {
    want = JSON.parse(body);
  } catch {
    return -1;
  }
  if (seg.startsWith("v:")) return container.findIndex((v) => _deepEqual(v, want));
  if (seg.startsWith("k:") && _isObject(want)) {
    const w = want;
    return container.findIndex((v) =>
      _isObject(v) && Object.keys(w).every((k) => _deepEqual(v[k], w[k]))
    );
  }
  return -1;
}

function _step(container: unknown, seg: string): unknown {
  if (seg.startsWith("f:")) {
    const key = seg.slice(2);
    return _isObject(container) && Object.hasOwn(container, key) ? container[key] : undefined;
  }
  const i = _indexOf(container, seg);
  return i >= 0 ? (container as unknown[])[i] : undefined;
}

function _deleteChild(container: unknown, seg: string): void {
  if (seg.startsWith("f:")) {
    if (_isObject(container)) delete container[seg.slice(2)];
    return;
  }
  const i = _indexOf(container, seg);
  if (i >= 0) (container as unknown[]).splice(i, 1);
}
