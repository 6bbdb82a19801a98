// Splits a byte stream into lines without re-scanning: each chunk is decoded once and each
// line is handed out once, so each watch line is parsed exactly once downstream.

export class _LineSplitter {
  #decoder = new TextDecoder();
  #rest = "";

  /** Appends a chunk and returns the complete lines it finished (without `\n`). */
  push(chunk: Uint8Array): string[] {
    // The rest never holds a newline, so the search starts after it (no quadratic re-scan).
    const from = this.#rest.length;
    const text = this.#rest + this.#decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start === 0 ? from : start);
      if (nl < 0) break;
      if (nl > start) lines.push(text.slice(start, nl));
      start = nl + 1;
    }
    this.#rest = start === 0 ? text : text.slice(start);
    return lines;
  }

  /** The unterminated rest at the end of the stream ("" when none). */
  flush(): string {
    const rest = this.#rest + this.#decoder.decode();
    this.#rest = "";
    return rest;
  }
}
