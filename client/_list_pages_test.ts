import assert from "node:assert/strict";
import { _continueBeforeItems, _listPages, type _PageText } from "./_list_pages.ts";
import type { DecodedList, KubeList } from "./types.ts";

const page = (cont: string | undefined, names: string[], metaLast = false) => {
  const meta = JSON.stringify({ resourceVersion: "7", ...(cont ? { continue: cont } : {}) });
  const items = JSON.stringify(names.map((name) => ({ metadata: { name } })));
  return metaLast
    ? `{"kind":"ConfigMapList","items":${items},"metadata":${meta}}`
    : `{"kind":"ConfigMapList","metadata":${meta},"items":${items}}`;
};
const decode = (l: KubeList<unknown>) =>
  ({ ...l, items: l.items, invalid: [] }) as DecodedList<unknown>;

Deno.test("_continueBeforeItems reads the token before the items only", () => {
  assert.equal(_continueBeforeItems(page('a"b\\c', ["x"])), 'a"b\\c');
  assert.equal(_continueBeforeItems(page(undefined, ["x"])), undefined);
  // Metadata after the items: not read early (a name could look like anything).
  assert.equal(_continueBeforeItems(page("t", ["x"], true)), undefined);
  assert.equal(_continueBeforeItems("not json"), undefined);
});

Deno.test("_listPages requests the next page before the current one is handed out", async () => {
  const pages: Record<string, string> = {
    "": page("p2", ["a", "b"]),
    p2: page("p3", ["c", "d"]),
    p3: page(undefined, ["e"]),
  };
  const asked: string[] = [];
  const text: _PageText = (cont) => {
    asked.push(cont ?? "");
    return Promise.resolve(pages[cont ?? ""]);
  };
  const seen: string[][] = [];
  for await (const p of _listPages(text, decode, JSON.parse)) {
    // When page n is handed out, page n+1 has been asked for already.
    seen.push(p.items.map((i) => (i as { metadata: { name: string } }).metadata.name));
    assert.equal(asked.length, Math.min(seen.length + 1, 3));
  }
  assert.deepEqual(seen, [["a", "b"], ["c", "d"], ["e"]]);
  assert.deepEqual(asked, ["", "p2", "p3"]);
});

Deno.test("_listPages gives the event loop a turn between requesting a page and parsing the one before", async () => {
  // fetch() sends a request only when JavaScript yields to the event loop; a parse right after
  // requesting the next page would hold that request back until the parse ends. A timer set
  // when page p2 is requested stands for the HTTP client's turn.
  const pages: Record<string, string> = {
    "": page("p2", ["a"]),
    p2: page(undefined, ["b"]),
  };
  let p2Turn: "not requested" | "pending" | "ran" = "not requested";
  const text: _PageText = (cont) => {
    if (cont === "p2") {
      p2Turn = "pending";
      setTimeout(() => p2Turn = "ran", 0);
    }
    return Promise.resolve(pages[cont ?? ""]);
  };
  const atParse: string[] = [];
  const parse = (t: string) => {
    const list = JSON.parse(t) as KubeList<{ metadata: { name: string } }>;
    atParse.push(`${list.items[0].metadata.name}: ${p2Turn}`);
    return list as KubeList<unknown>;
  };
  for await (const _ of _listPages(text, decode, parse));
  assert.deepEqual(atParse, ["a: ran", "b: ran"]);
});

Deno.test("_listPages follows the parsed token when it is not before the items", async () => {
  const pages: Record<string, string> = {
    "": page("p2", ["a"], true),
    p2: page(undefined, ["b"], true),
  };
  const asked: string[] = [];
  const names: string[] = [];
  for await (
    const p of _listPages(
      (cont) => {
        asked.push(cont ?? "");
        return Promise.resolve(pages[cont ?? ""]);
      },
      decode,
      JSON.parse,
    )
  ) names.push(...p.items.map((i) => (i as { metadata: { name: string } }).metadata.name));
  assert.deepEqual(names, ["a", "b"]);
  assert.deepEqual(asked, ["", "p2"]);
});

Deno.test("_listPages cancels the page requested ahead when the consumer stops", async () => {
  let aborted: unknown;
  const text: _PageText = (cont, signal) => {
    if (!cont) return Promise.resolve(page("p2", ["a"]));
    return new Promise((_, reject) => {
      signal.addEventListener("abort", () => {
        aborted = signal.reason;
        reject(signal.reason);
      });
    });
  };
  for await (const _ of _listPages(text, decode, JSON.parse)) break;
  assert.ok(aborted instanceof DOMException, "the second page's request was aborted");
});

Deno.test("_listPages surfaces a failing page and an outer abort", async () => {
  const failing: _PageText = (cont) =>
    cont ? Promise.reject(new Error("page 2 failed")) : Promise.resolve(page("p2", ["a"]));
  await assert.rejects(async () => {
    for await (const _ of _listPages(failing, decode, JSON.parse)) { /* read all */ }
  }, /page 2 failed/);
  const ac = new AbortController();
  const hanging: _PageText = (_cont, signal) =>
    new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  const it = _listPages(hanging, decode, JSON.parse, ac.signal);
  const first = it.next();
  ac.abort(new Error("stop"));
  await assert.rejects(first, /stop/);
});
