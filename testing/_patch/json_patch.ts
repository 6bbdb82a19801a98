import { _clone, _deepEqual, _isObject, _setOwn, _typeName, type JsonObject } from "./_json.ts";

/**
 * Why a patch failed: `BadRequest` (400: undecodable, malformed op) or `Invalid` (422: an op
 * that cannot apply, such as a failing `test` or a missing path).
 */
export class PatchError extends Error {
  /** Always `PatchError`. */
  override name = "PatchError";
  /** `BadRequest` (HTTP 400) or `Invalid` (HTTP 422). */
  readonly kind: "BadRequest" | "Invalid";
  /**
   * Makes a PatchError of `kind` (HTTP 400 or 422) with a message that says what was expected
   * and what was found (never a field's value), and an optional `cause`.
   */
  constructor(kind: "BadRequest" | "Invalid", message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

const _OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);
const _INDEX = /^(0|[1-9][0-9]*)$/;

interface _Op {
  op: string;
  path: string[];
  rawPath: string;
  from?: string[];
  rawFrom?: string;
  value?: unknown;
}

/**
 * RFC 6902 JSON patch: returns a new value; never mutates its inputs. Throws PatchError:
 * `BadRequest` when `ops` cannot be decoded as a list of operations (not an array, or an
 * element that is not an object), `Invalid` for everything else, as kube-apiserver answers
 * (checked against v1.36): an unknown `op`, a missing `path`/`from`/`value`, a pointer not
 * starting with `/`, a missing path, an index out of range, a failing `test`, moving a value
 * into itself.
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  const parsed = _parseOps(ops);
  let doc = _clone(target);
  parsed.forEach((op, i) => {
    const where = `operation ${i} (${op.op} ${JSON.stringify(op.rawPath)})`;
    switch (op.op) {
      case "add":
        doc = _add(doc, op.path, _clone(op.value), where);
        break;
      case "remove":
        doc = _remove(doc, op.path, where).doc;
        break;
      case "replace":
        doc = _replace(doc, op.path, _clone(op.value), where);
        break;
      case "move": {
        const from = op.from!;
        if (from.length < op.path.length && from.every((t, j) => t === op.path[j])) {
          throw new PatchError(
            "Invalid",
            `${where}: cannot move ${JSON.stringify(op.rawFrom)} into one of its own children`,
          );
        }
        const removed = _remove(doc, from, where);
        doc = _add(removed.doc, op.path, removed.value, where);
        break;
      }
      case "copy":
        doc = _add(doc, op.path, _clone(_get(doc, op.from!, where)), where);
        break;
      case "test":
        if (!_deepEqual(_get(doc, op.path, where), op.value)) {
          throw new PatchError("Invalid", `${where}: test failed: the value at the path differs`);
        }
        break;
    }
  });
  return doc;
}

function _parseOps(ops: unknown): _Op[] {
  if (!Array.isArray(ops)) {
    throw new PatchError(
      "BadRequest",
      `a JSON patch must be an array of operations, found ${_typeName(ops)}`,
    );
  }
  return ops.map((raw, i) => {
    if (!_isObject(raw)) {
      throw new PatchError(
        "BadRequest",
        `JSON patch operation ${i} must be an object, found ${_typeName(raw)}`,
      );
    }
    const op = raw.op;
    if (typeof op !== "string" || !_OPS.has(op)) {
      throw new PatchError(
        "Invalid",
        `JSON patch operation ${i}: "op" must be one of add, remove, replace, move, copy, test, found ${
          typeof op === "string" ? JSON.stringify(op) : _typeName(op)
        }`,
      );
    }
    const out: _Op = {
      op,
      rawPath: _pointerMember(raw, "path", i),
      path: [],
    };
    out.path = _parsePointer(out.rawPath, i, "path");
    if (op === "move" || op === "copy") {
      out.rawFrom = _pointerMember(raw, "from", i);
      out.from = _parsePointer(out.rawFrom, i, "from");
    }
    if (op === "add" || op === "replace" || op === "test") {
      if (!Object.hasOwn(raw, "value") || raw.value === undefined) {
        throw new PatchError("Invalid", `JSON patch operation ${i} (${op}) needs a "value"`);
      }
      out.value = raw.value;
    }
    return out;
  });
}

function _pointerMember(raw: JsonObject, member: "path" | "from", i: number): string {
  const p = raw[member];
  if (typeof p !== "string") {
    throw new PatchError(
      "Invalid",
      `JSON patch operation ${i} needs a string "${member}", found ${_typeName(p)}`,
    );
  }
  return p;
}

/** RFC 6901: "" is the whole document; otherwise "/"-separated tokens with ~1 = "/", ~0 = "~". */
function _parsePointer(pointer: string, i: number, member: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new PatchError(
      "Invalid",
      `JSON patch operation ${i}: "${member}" must be a JSON pointer starting with "/", found ${
        JSON.stringify(pointer)
      }`,
    );
  }
  return pointer.slice(1).split("/").map((t) => {
    if (/~[^01]|~$/.test(t)) {
      throw new PatchError(
        "Invalid",
        `JSON patch operation ${i}: "${member}" has an invalid escape in ${
          JSON.stringify(pointer)
        }`,
      );
    }
    return t.replaceAll("~1", "/").replaceAll("~0", "~");
  });
}

function _missing(where: string, tokens: string[], depth: number): PatchError {
  const prefix = "/" + tokens.slice(0, depth + 1).map(_escape).join("/");
  return new PatchError("Invalid", `${where}: path ${JSON.stringify(prefix)} does not exist`);
}

function _escape(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** The index an existing array element has, or an error. */
function _index(arr: unknown[], token: string, where: string, tokens: string[], depth: number) {
  if (!_INDEX.test(token) || Number(token) >= arr.length) throw _missing(where, tokens, depth);
  return Number(token);
}

function _child(container: unknown, tokens: string[], depth: number, where: string): unknown {
  const token = tokens[depth];
  if (Array.isArray(container)) return container[_index(container, token, where, tokens, depth)];
  if (_isObject(container) && Object.hasOwn(container, token)) return container[token];
  throw _missing(where, tokens, depth);
}

function _get(doc: unknown, tokens: string[], where: string): unknown {
  let cur = doc;
  for (let d = 0; d < tokens.length; d++) cur = _child(cur, tokens, d, where);
  return cur;
}

function _add(doc: unknown, tokens: string[], value: unknown, where: string): unknown {
  if (tokens.length === 0) return value;
  const parent = _get(doc, tokens.slice(0, -1), where);
  const last = tokens[tokens.length - 1];
  const depth = tokens.length - 1;
  if (Array.isArray(parent)) {
    if (last === "-") {
      parent.push(value);
    } else if (_INDEX.test(last) && Number(last) <= parent.length) {
      parent.splice(Number(last), 0, value);
    } else {
      throw new PatchError(
        "Invalid",
        `${where}: array index ${JSON.stringify(last)} is out of range (length ${parent.length})`,
      );
    }
  } else if (_isObject(parent)) {
    _setOwn(parent, last, value);
  } else {
    throw _missing(where, tokens, depth);
  }
  return doc;
}

function _replace(doc: unknown, tokens: string[], value: unknown, where: string): unknown {
  if (tokens.length === 0) return value;
  const depth = tokens.length - 1;
  const parent = _get(doc, tokens.slice(0, -1), where);
  const last = tokens[depth];
  if (Array.isArray(parent)) {
    parent[_index(parent, last, where, tokens, depth)] = value;
  } else if (_isObject(parent) && Object.hasOwn(parent, last)) {
    _setOwn(parent, last, value);
  } else {
    throw _missing(where, tokens, depth);
  }
  return doc;
}

function _remove(doc: unknown, tokens: string[], where: string): { doc: unknown; value: unknown } {
  if (tokens.length === 0) {
    throw new PatchError("Invalid", `${where}: cannot remove the whole document`);
  }
  const parent = _get(doc, tokens.slice(0, -1), where);
  const depth = tokens.length - 1;
  const last = tokens[depth];
  if (Array.isArray(parent)) {
    const i = _index(parent, last, where, tokens, depth);
    return { doc, value: parent.splice(i, 1)[0] };
  }
  if (_isObject(parent) && Object.hasOwn(parent, last)) {
    const value = parent[last];
    delete parent[last];
    return { doc, value };
  }
  throw _missing(where, tokens, depth);
}
