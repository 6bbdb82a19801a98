// The JSONPatch a mutating webhook answers with, computed from what the handler changed.
//
// The handler sees the object as its zod schema decoded it: defaults applied, unknown nested
// fields dropped. Diffing the raw object against the handler's result would therefore remove
// unknown fields and add every default. Instead the decoded object before the handler is
// diffed against the one after it, and the operations are written against the raw object:
// fields the handler did not touch stay exactly as the client sent them.

/** One RFC 6902 operation (only the kinds emitted here). */
export type _PatchOp =
  | { op: "add"; path: string; value: unknown }
  | { op: "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function _deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => _deepEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => _deepEqual(a[k], b[k]));
  }
  return false;
}

const escape = (k: string) => k.replaceAll("~", "~0").replaceAll("/", "~1");

/** JSON-safe copy (drops `undefined`, turns Dates into strings) as the wire would. */
export function _jsonClone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/**
 * The operations that turn `raw` into `raw` with the handler's changes: `before` is what the
 * handler received (decoded from `raw`), `after` what it returned.
 */
export function _diffPatch(raw: unknown, before: unknown, after: unknown): _PatchOp[] {
  const ops: _PatchOp[] = [];
  const walk = (r: unknown, b: unknown, a: unknown, path: string) => {
    if (_deepEqual(b, a)) return;
    if (isObj(b) && isObj(a) && isObj(r)) {
      const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
      for (const k of keys) {
        const p = `${path}/${escape(k)}`;
        const av = a[k];
        const bv = b[k];
        if (av === undefined) {
          if (bv !== undefined && k in r) ops.push({ op: "remove", path: p });
        } else if (!(k in r)) {
          if (!_deepEqual(bv, av)) ops.push({ op: "add", path: p, value: av });
        } else {
          walk(r[k], bv, av, p);
        }
      }
      return;
    }
    ops.push({ op: "replace", path, value: a });
  };
  walk(raw, _jsonClone(before), _jsonClone(after), "");
  return ops;
}

/** Applies operations of `_diffPatch` (for tests and the embedded server's checks). */
export function _applyPatch(doc: unknown, ops: readonly _PatchOp[]): unknown {
  let root = _jsonClone(doc);
  for (const op of ops) {
    const parts = op.path.split("/").slice(1).map((p) =>
      p.replaceAll("~1", "/").replaceAll("~0", "~")
    );
    if (parts.length === 0) {
      if (op.op === "remove") throw new Error("cannot remove the root");
      root = _jsonClone(op.value);
      continue;
    }
    let node = root as Obj | unknown[];
    for (const p of parts.slice(0, -1)) {
      const next = Array.isArray(node) ? node[Number(p)] : (node as Obj)[p];
      if (typeof next !== "object" || next === null) {
        throw new Error(`path ${op.path}: ${p} is not a container`);
      }
      node = next as Obj | unknown[];
    }
    const last = parts[parts.length - 1];
    if (Array.isArray(node)) {
      const i = last === "-" ? node.length : Number(last);
      if (op.op === "add") node.splice(i, 0, _jsonClone(op.value));
      else if (op.op === "replace") node[i] = _jsonClone(op.value);
      else node.splice(i, 1);
    } else {
      if (op.op !== "add" && !(last in node)) throw new Error(`path ${op.path} does not exist`);
      if (op.op === "remove") delete node[last];
      else node[last] = _jsonClone(op.value);
    }
  }
  return root;
}
