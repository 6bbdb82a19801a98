// Label selectors (rule 6.5) and field selectors (rule 6.6).
import { badRequest } from "./status.ts";
import { getPath, type Obj } from "./util.ts";

type LabelReq =
  | { op: "eq" | "neq"; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: Set<string> }
  | { op: "exists" | "notexists"; key: string };

/** A parsed selector: a predicate over an object. */
export type Matcher = (obj: Obj) => boolean;

const KEY =
  /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")") depth--;
    else if (s[i] === "," && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((p) => p.trim());
}

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key)) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  }
  return key;
}

function checkValue(value: string, raw: string): string {
  if (value.length > 63 || !VALUE.test(value)) {
    throw badRequest(`unable to parse requirement: invalid label value "${value}" in "${raw}"`);
  }
  return value;
}

function parseLabelReq(raw: string): LabelReq {
  const paren = raw.match(/^[^=!\s(]+\s*(==|=|!=)\s*([()])/);
  if (paren) {
    throw badRequest(`unable to parse requirement: found '${paren[2]}', expected: identifier`);
  }
  let m = raw.match(/^(\S+?)\s+(in|notin)\s*\((.*)\)$/);
  if (m) {
    const values = new Set(m[3].split(",").map((v) => checkValue(v.trim(), raw)));
    return { op: m[2] as "in" | "notin", key: checkKey(m[1], raw), values };
  }
  m = raw.match(/^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/);
  if (m) {
    const op = m[2] === "!=" ? "neq" : "eq";
    return { op, key: checkKey(m[1], raw), value: checkValue(m[3].trim(), raw) };
  }
  if (raw.startsWith("!")) return { op: "notexists", key: checkKey(raw.slice(1).trim(), raw) };
  if (/^[^\s=!()]+$/.test(raw)) return { op: "exists", key: checkKey(raw, raw) };
  throw badRequest(`unable to parse requirement: found '${raw}', expected: label selector`);
}

/** Parses a label selector; undefined or empty matches everything. Bad syntax: 400. */
export function parseLabelSelector(s: string | null | undefined): Matcher | undefined {
  if (!s || !s.trim()) return undefined;
  const reqs = splitTopLevel(s).map((raw) => {
    if (raw === "") throw badRequest(`unable to parse requirement: empty requirement in "${s}"`);
    return parseLabelReq(raw);
  });
  return (obj) => {
    const labels = ((obj.metadata as Obj | undefined)?.labels ?? {}) as Record<string, string>;
    for (const r of reqs) {
      const has = Object.hasOwn(labels, r.key);
      const v = labels[r.key];
      switch (r.op) {
        case "eq":
          if (!has || v !== r.value) return false;
          break;
        case "neq":
          if (has && v === r.value) return false;
          break;
        case "in":
          if (!has || !r.values.has(v)) return false;
          break;
        case "notin":
          if (has && r.values.has(v)) return false;
          break;
        case "exists":
          if (!has) return false;
          break;
        case "notexists":
          if (has) return false;
          break;
      }
    }
    return true;
  };
}

function fieldValue(obj: Obj, path: string): string {
  const v = getPath(obj, path);
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

/**
 * Parses a field selector against the fields a type supports (`metadata.name` always,
 * `metadata.namespace` for namespaced types, plus `extra`). Unsupported field or syntax: 400.
 */
export function parseFieldSelector(
  s: string | null | undefined,
  options: { namespaced: boolean; extra: string[] },
): Matcher | undefined {
  if (!s || !s.trim()) return undefined;
  const reqs = splitTopLevel(s).map((raw) => {
    const m = raw.match(/^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${raw}'`);
    const field = m[1];
    const ok = field === "metadata.name" ||
      (options.namespaced && field === "metadata.namespace") ||
      options.extra.includes(field);
    if (!ok) {
      const known = [
        "metadata.name",
        ...(options.namespaced ? ["metadata.namespace"] : []),
        ...options.extra,
      ];
      throw badRequest(
        `${JSON.stringify(field)} is not a known field selector: only ${
          known.map((k) => JSON.stringify(k)).join(", ")
        }`,
      );
    }
    return { field, neq: m[2] === "!=", value: m[3].trim() };
  });
  return (obj) => {
    for (const r of reqs) {
      const v = fieldValue(obj, r.field);
      if ((v === r.value) === r.neq) return false;
    }
    return true;
  };
}
