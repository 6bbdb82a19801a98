/** Structural comparison of two normalised JSON values. */

/** One difference: where, and the two values (`undefined` when absent on that side). */
export interface Difference {
  /** JSON-path-like location, e.g. `body.metadata.labels.app` or `events[2].type`. */
  readonly path: string;
  readonly embedded: unknown;
  readonly real: unknown;
}

function _isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Every place where `embedded` and `real` differ, depth first, keys in sorted order. */
export function diffValues(embedded: unknown, real: unknown, path = ""): Difference[] {
  if (Array.isArray(embedded) && Array.isArray(real)) {
    const out: Difference[] = [];
    const length = Math.max(embedded.length, real.length);
    for (let i = 0; i < length; i++) {
      out.push(...diffValues(embedded[i], real[i], `${path}[${i}]`));
    }
    return out;
  }
  if (_isObject(embedded) && _isObject(real)) {
    const keys = [...new Set([...Object.keys(embedded), ...Object.keys(real)])].sort();
    return keys.flatMap((key) =>
      diffValues(embedded[key], real[key], path ? `${path}.${key}` : key)
    );
  }
  if (Object.is(embedded, real)) return [];
  return [{ path: path || "(root)", embedded, real }];
}

/** One line per difference, values as compact JSON, long values cut at `width` characters. */
export function formatDifference(difference: Difference, width = 160): string {
  const show = (value: unknown) => {
    if (value === undefined) return "<absent>";
    const text = JSON.stringify(value);
    return text.length > width ? `${text.slice(0, width)}…` : text;
  };
  return `${difference.path}: embedded=${show(difference.embedded)} real=${show(difference.real)}`;
}
