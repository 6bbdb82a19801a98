// Leaving the items' `metadata.managedFields` of a LIST page unparsed, for readers that drop
// the field anyway (the informer's default transform). managedFields is often the largest part
// of an object (each manager's fieldsV1 tree of tiny objects); parsing it only to throw it away
// costs parse time and garbage. (Watch lines are parsed whole: there the cut cost more than it
// saved, measured on 1.5 KB ConfigMaps, because a line is a slice of its chunk's text and the
// cut text must be copied flat again before parsing.)
//
// Each `"managedFields":[...]` array in the text is cut out (its end found by a scan that
// skips strings with their escapes) and replaced by a string holding a per-process random
// nonce, then the text is parsed. A server cannot write the nonce, so finding it at an
// object's `metadata.managedFields`, once per cut, proves every cut was made there; the field
// is then set to `undefined`, as the default transform does. Otherwise (a "managedFields"
// array somewhere else, a scan that finds no end, a text that no longer parses) the original
// text is parsed whole, so the result and any error are exactly JSON.parse's. What a cut array
// held is checked only for balanced brackets and strings: a malformed managedFields that the
// reader would discard is not an error.

/**
 * Internal option key on the options of `ResourceClient.listPages`: the reader drops
 * `metadata.managedFields`, so the client may leave them unparsed (`undefined`).
 */
export const _SKIP_MANAGED_FIELDS: unique symbol = Symbol("operatorkit.skipManagedFields");

const KEY = '"managedFields":[';
const NONCE = `operatorkit:unparsed-managedFields:${crypto.randomUUID()}`;
const NONCE_JSON = JSON.stringify(NONCE);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Index just past the array opening at `open`, or -1 when it does not close. */
function _arrayEnd(s: string, open: number): number {
  const n = s.length;
  let depth = 0;
  for (let i = open; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < n; i++) {
        const d = s.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
    } else if ((c === CLOSE_BRACKET || c === CLOSE_BRACE) && --depth === 0) {
      return i + 1;
    }
  }
  return -1;
}

/** `text` with every managedFields array replaced by the nonce, and how many were cut. */
function _cut(text: string): { text: string; cuts: number } {
  let at = text.indexOf(KEY);
  if (at < 0) return { text, cuts: 0 };
  const parts: string[] = [];
  let copied = 0;
  while (at >= 0) {
    const open = at + KEY.length - 1;
    const end = _arrayEnd(text, open);
    if (end < 0) return { text, cuts: 0 };
    parts.push(text.slice(copied, open), NONCE_JSON);
    copied = end;
    at = text.indexOf(KEY, end);
  }
  parts.push(text.slice(copied));
  return {
    text: parts.length === 3 ? parts[0] + parts[1] + parts[2] : parts.join(""),
    cuts: (parts.length - 1) / 2,
  };
}

type _Meta = { metadata?: { managedFields?: unknown } } | null | undefined;

/** Clears the nonce from `obj`'s metadata; false when it is not there. */
function _clear(obj: _Meta): boolean {
  const meta = typeof obj === "object" && obj !== null ? obj.metadata : undefined;
  if (typeof meta !== "object" || meta === null || meta.managedFields !== NONCE) return false;
  meta.managedFields = undefined;
  return true;
}

/**
 * JSON.parse of a list, with each item's managedFields left unparsed (`undefined`). Throws
 * what `JSON.parse(text)` throws.
 */
export function _parseListSkippingManagedFields(text: string): unknown {
  const cut = _cut(text);
  if (cut.cuts > 0) {
    let list: { items?: unknown } | undefined;
    try {
      list = JSON.parse(cut.text);
    } catch {
      // Parsed whole below, for JSON.parse's own error.
    }
    const items = typeof list === "object" && list !== null ? list.items : undefined;
    if (Array.isArray(items)) {
      let cleared = 0;
      for (const item of items) if (_clear(item as _Meta)) cleared++;
      if (cleared === cut.cuts) return list;
    }
  }
  return JSON.parse(text);
}
