/**
 * Normalisation: replaces what legitimately differs between two servers (uids, timestamps,
 * resourceVersion values, continue tokens, generated name suffixes) with placeholders, so that
 * what remains can be compared. uids and resourceVersions become ordinals in order of first
 * appearance, so "the same RV as before" and "a new RV" are still visible.
 */

/** Per-target, per-scenario memory of the uids and resourceVersions seen so far. */
export class Normaliser {
  readonly #uids = new Map<string, string>();
  readonly #rvs = new Map<string, string>();

  /** The placeholder of a uid (`<uid#1>`, ...). */
  uid(value: string): string {
    let placeholder = this.#uids.get(value);
    if (!placeholder) {
      placeholder = `<uid#${this.#uids.size + 1}>`;
      this.#uids.set(value, placeholder);
    }
    return placeholder;
  }

  /** The placeholder of a resourceVersion (`<rv#1>`, ...); empty stays empty. */
  rv(value: string): string {
    if (value === "") return value;
    let placeholder = this.#rvs.get(value);
    if (!placeholder) {
      placeholder = `<rv#${this.#rvs.size + 1}>`;
      this.#rvs.set(value, placeholder);
    }
    return placeholder;
  }

  /** A deep copy of `value` with the placeholders in. */
  normalise(value: unknown, key = ""): unknown {
    if (Array.isArray(value)) return value.map((item) => this.normalise(item));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.#field(k, v);
      return out;
    }
    if (typeof value === "string") return this.#string(value, key);
    return value;
  }

  #field(key: string, value: unknown): unknown {
    if (typeof value === "string") {
      if (key === "resourceVersion" && /^\d+$/.test(value)) return this.rv(value);
      if (key === "continue" && value !== "") return "<continue>";
      if (key === "uid" && value !== "") return this.uid(value);
    }
    return this.normalise(value, key);
  }

  #string(value: string, key: string): string {
    if (_timestamp.test(value)) return "<time>";
    if (key === "name" || key === "generateName" || key === "message") {
      value = value.replace(_generated, "$1<random>");
    }
    value = value.replace(_uuid, (uid) => this.uid(uid));
    if (key === "request") value = value.replace(/continue=[^&]+/, "continue=<continue>");
    // resourceVersions inside messages, e.g. "too old resource version: 5 (9)", "the
    // ResourceVersion in the precondition (1) does not match the ResourceVersion in record (7)",
    // "Too large resource version: 99, current: 31".
    value = value.replace(
      /(resource ?version[^0-9"]{0,24}?|current: )([1-9]\d*)(?![x\d])(?: \(([1-9]\d*)\))?/gi,
      (_all, prefix: string, first: string, second?: string) =>
        `${prefix}${this.rv(first)}${second ? ` (${this.rv(second)})` : ""}`,
    );
    return value;
  }
}

const _timestamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const _uuid = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
// Scenario names that use generateName start with "gen-"; the 5 random characters vary.
const _generated = /\b(gen-)[bcdfghjklmnpqrstvwxz2456789]{5}\b/g;
