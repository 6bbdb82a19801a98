// Small private helpers shared inside client/.

/** Shortens `text` to `max` characters with a marker saying how long it was. */
export function _truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} chars)`;
}
