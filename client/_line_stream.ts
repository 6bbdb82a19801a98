// Splits a byte stream into lines on the bytes themselves: each chunk's run of complete lines
// is decoded in one non-streaming TextDecoder call (Deno's single-pass UTF-8 fast path, about
// twice as fast per watch line as a streaming decode plus string concatenation), and only the
// unterminated tail is kept, as bytes. A newline byte (0x0a) never occurs inside a multi-byte
// UTF-8 sequence, so decoding up to a newline never cuts a character in two. Each line is
// handed out once, so each watch line is parsed exactly once downstream.

const NL = 0x0a;

export class _LineSplitter {
  // ignoreBOM: a U+FEFF inside the stream stays in its line (and fails there as JSON) instead
  // of being dropped silently at the start of every decoded run; a BOM at the very start of
  // the stream is skipped once, as a streaming decoder would.
  #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  // The unterminated rest: copies of the tails of earlier chunks (none holds a newline).
  #rest: Uint8Array[] = [];
  #restBytes = 0;
  #first = true;

  /** Appends a chunk and returns the complete lines it finished (without `\n`, none empty). */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    const first = chunk.indexOf(NL);
    if (first < 0) {
      this.#keep(chunk);
      return lines;
    }
    let from = 0;
    if (this.#restBytes > 0) {
      // The line begun in earlier chunks ends at this chunk's first newline.
      const line = this.#decode(this.#joined(chunk.subarray(0, first)));
      if (line.length > 0) lines.push(line);
      from = first + 1;
    }
    const last = chunk.lastIndexOf(NL);
    if (last > from) {
      const text = this.#decode(chunk.subarray(from, last));
      let start = 0;
      for (;;) {
        const nl = text.indexOf("\n", start);
        if (nl < 0) break;
        if (nl > start) lines.push(text.slice(start, nl));
        start = nl + 1;
      }
      if (start < text.length) lines.push(text.slice(start));
    }
    this.#keep(chunk.subarray(last + 1));
    return lines;
  }

  /** The unterminated rest at the end of the stream ("" when none). */
  flush(): string {
    const rest = this.#restBytes > 0 ? this.#decode(this.#joined()) : "";
    this.#rest = [];
    this.#restBytes = 0;
    return rest;
  }

  #decode(bytes: Uint8Array): string {
    const text = this.#decoder.decode(bytes);
    if (!this.#first) return text;
    this.#first = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  // A copy: the caller's chunk is not held (its buffer may be large or reused).
  #keep(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#rest.push(bytes.slice());
    this.#restBytes += bytes.length;
  }

  // The rest followed by `tail`, as one buffer; the rest is emptied.
  #joined(tail?: Uint8Array): Uint8Array {
    const parts = this.#rest;
    const size = this.#restBytes + (tail?.length ?? 0);
    this.#rest = [];
    this.#restBytes = 0;
    if (parts.length === 1 && !tail?.length) return parts[0];
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    if (tail) out.set(tail, at);
    return out;
  }
}
