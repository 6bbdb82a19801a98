import assert from "node:assert/strict";
import { _LineSplitter } from "./_line_stream.ts";

const enc = new TextEncoder();

// Feeds `bytes` in chunks cut at `cuts` (byte offsets) and returns every line and the rest.
function split(bytes: Uint8Array, cuts: number[]): { lines: string[]; rest: string } {
  const s = new _LineSplitter();
  const lines: string[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    lines.push(...s.push(bytes.subarray(at, cut)));
    at = cut;
  }
  return { lines, rest: s.flush() };
}

Deno.test("line splitter: every cut of a stream with multi-byte characters gives the same lines", () => {
  // 2-, 3- and 4-byte UTF-8 sequences, an empty line, a line of one character.
  const text = '{"a":"é"}\n{"b":"€ 中"}\n\n{"c":"😀"}\nx\n{"d":"ü😀"}';
  const bytes = enc.encode(text);
  const want = ['{"a":"é"}', '{"b":"€ 中"}', '{"c":"😀"}', "x"];
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j += 3) {
      const got = split(bytes, [i, j]);
      assert.deepEqual(got.lines, want, `cut at ${i} and ${j}`);
      assert.equal(got.rest, '{"d":"ü😀"}', `cut at ${i} and ${j}`);
    }
  }
  // One byte per chunk: each multi-byte character arrives in pieces.
  const bytewise = split(bytes, Array.from({ length: bytes.length }, (_, i) => i));
  assert.deepEqual(bytewise.lines, want);
  assert.equal(bytewise.rest, '{"d":"ü😀"}');
});

Deno.test("line splitter: a line spanning many chunks is decoded whole", () => {
  const long = `{"v":"${"ab€".repeat(50_000)}"}`;
  const bytes = enc.encode(`${long}\n{"n":1}\n`);
  const cuts = [];
  for (let i = 1000; i < bytes.length; i += 4093) cuts.push(i);
  const got = split(bytes, cuts);
  assert.deepEqual(got.lines, [long, '{"n":1}']);
  assert.equal(got.rest, "");
});

Deno.test("line splitter: chunks without a newline and the rest at the end", () => {
  const s = new _LineSplitter();
  assert.deepEqual(s.push(enc.encode('{"a":')), []);
  assert.deepEqual(s.push(new Uint8Array()), []);
  assert.deepEqual(s.push(enc.encode("1}")), []);
  assert.deepEqual(s.push(enc.encode("\n\n")), ['{"a":1}']);
  assert.deepEqual(s.push(enc.encode('{"b"')), []);
  assert.equal(s.flush(), '{"b"');
  assert.equal(s.flush(), "");
});

Deno.test("line splitter: the caller's chunk is not held after push", () => {
  const s = new _LineSplitter();
  const chunk = enc.encode('{"a":1}\n{"b":');
  assert.deepEqual(s.push(chunk), ['{"a":1}']);
  chunk.fill(0x20); // a reader reusing its buffer
  assert.deepEqual(s.push(enc.encode("2}\n")), ['{"b":2}']);
});

Deno.test("line splitter: a BOM is dropped only at the start of the stream", () => {
  const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
  const s = new _LineSplitter();
  assert.deepEqual(s.push(bom.subarray(0, 1)), []);
  assert.deepEqual(s.push(new Uint8Array([...bom.subarray(1), ...enc.encode("{}\n")])), ["{}"]);
  assert.deepEqual(s.push(new Uint8Array([...bom, ...enc.encode("{}\n")])), ["\ufeff{}"]);
});

Deno.test("line splitter: invalid UTF-8 becomes U+FFFD, as a streaming decoder does", () => {
  const bytes = new Uint8Array([...enc.encode('{"a":"'), 0xff, 0xc3, ...enc.encode('"}\n')]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(split(bytes, [cut]).lines, ['{"a":"\ufffd\ufffd"}'], `cut at ${cut}`);
  }
});
