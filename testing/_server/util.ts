// Small helpers shared by the embedded server's modules: JSON values, paths, names, time.

/** A JSON object as the server handles it. */
export type Obj = Record<string, unknown>;

/** True when `v` is a plain JSON object (not an array, not null). */
export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Structural equality of two JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Obj, bo = b as Obj;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** A deep copy of a JSON value. */
export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** The metadata object of `obj`, created when missing. */
export function meta(obj: Obj): Obj {
  if (!isObj(obj.metadata)) obj.metadata = {};
  return obj.metadata as Obj;
}

/** Reads a dotted path (`.spec.replicas` or `spec.replicas`). */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.replace(/^\./, "").split(".")) {
    if (part === "") continue;
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Writes a dotted path, creating objects on the way. */
export function setPath(obj: Obj, path: string, value: unknown): void {
  const parts = path.replace(/^\./, "").split(".").filter((p) => p !== "");
  let cur = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isObj(cur[parts[i]])) cur[parts[i]] = {};
    cur = cur[parts[i]] as Obj;
  }
  cur[parts[parts.length - 1]] = value;
}

/** RFC 3339 with second precision and `Z`, as kube writes metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** `generateName[:58]` plus five random characters (rule 2.7). */
export function generateName(prefix: string): string {
  let s = prefix.slice(0, 58);
  const bytes = crypto.getRandomValues(new Uint8Array(5));
  for (const b of bytes) s += NAME_CHARS[b % NAME_CHARS.length];
  return s;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` is not a valid DNS-1123 label / subdomain, or undefined when valid (rule 2.6). */
export function nameProblem(name: string, kind: "label" | "subdomain"): string | undefined {
  if (kind === "label") {
    if (name.length > 63) return "must be no more than 63 characters";
    if (!DNS1123_LABEL.test(name)) {
      return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    }
    return undefined;
  }
  if (name.length > 253) return "must be no more than 253 characters";
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return undefined;
}

/** Resolves after `ms` or when `signal` aborts, leaving no timer behind. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
