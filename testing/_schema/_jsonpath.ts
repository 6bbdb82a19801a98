// The subset of kubectl-style JSONPath that CRD printer columns use: `.a.b`, `.a[0]`, `.a[*].b`,
// `.a['b.c']`, `.a[?(@.type=="Ready")].status` (==, != against a string, number or boolean).
// Returns every match; a missing key yields no match (as `AllowMissingKeys(true)` does).

type _Step =
  | { kind: "key"; key: string }
  | { kind: "index"; index: number }
  | { kind: "all" }
  | { kind: "filter"; path: string[]; op: "==" | "!="; value: unknown };

function _parseLiteral(text: string): unknown {
  const t = text.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) {
    return t.slice(1, -1);
  }
  if (t === "true" || t === "false") return t === "true";
  const n = Number(t);
  if (t !== "" && !Number.isNaN(n)) return n;
  throw new TypeError(`unsupported JSONPath literal ${JSON.stringify(text)}`);
}

/** Parses an expression like `.status.conditions[?(@.type=="Ready")].status`; `{...}` wrapping is allowed. */
export function _parseJsonPath(expr: string): _Step[] {
  let s = expr.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1).trim();
  if (s.startsWith("$")) s = s.slice(1);
  const steps: _Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ".") {
      i++;
      let j = i;
      while (j < s.length && s[j] !== "." && s[j] !== "[") j++;
      if (j > i) steps.push({ kind: "key", key: s.slice(i, j) });
      i = j;
    } else if (c === "[") {
      const end = _closing(s, i);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === "*") steps.push({ kind: "all" });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: "index", index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: "key", key: inner.slice(1, -1) });
      else if (inner.startsWith("?(") && inner.endsWith(")")) {
        const m = /^@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(.+)$/.exec(inner.slice(2, -1).trim());
        if (m === null) throw new TypeError(`unsupported JSONPath filter ${JSON.stringify(inner)}`);
        steps.push({
          kind: "filter",
          path: m[1].split(".").filter((p) => p !== ""),
          op: m[2] as "==" | "!=",
          value: _parseLiteral(m[3]),
        });
      } else throw new TypeError(`unsupported JSONPath subscript ${JSON.stringify(inner)}`);
    } else {
      throw new TypeError(
        `expected "." or "[" at offset ${i} of JSONPath ${JSON.stringify(expr)}, found ${
          JSON.stringify(c)
        }`,
      );
    }
  }
  return steps;
}

function _closing(s: string, open: number): number {
  let quote: string | null = null;
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "(") depth++;
    else if (c === "]" || c === ")") {
      depth--;
      if (depth === 0 && c === "]") return i;
    }
  }
  throw new TypeError(`unclosed "[" in JSONPath ${JSON.stringify(s)}`);
}

function _isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** All values `steps` reach from `root`. */
export function _evalJsonPath(steps: _Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (step.kind === "key") {
        if (_isObject(v) && step.key in v) next.push(v[step.key]);
      } else if (step.kind === "index") {
        if (Array.isArray(v)) {
          const i = step.index < 0 ? v.length + step.index : step.index;
          if (i >= 0 && i < v.length) next.push(v[i]);
        }
      } else if (step.kind === "all") {
        if (Array.isArray(v)) next.push(...v);
        else if (_isObject(v)) next.push(...Object.values(v));
      } else {
        const items = Array.isArray(v) ? v : _isObject(v) ? Object.values(v) : [];
        for (const item of items) {
          let x: unknown = item;
          let found = true;
          for (const k of step.path) {
            if (_isObject(x) && k in x) x = x[k];
            else {
              found = false;
              break;
            }
          }
          if (!found) continue;
          const eq = x === step.value;
          if (step.op === "==" ? eq : !eq) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}
