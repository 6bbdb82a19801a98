// Code and tests cite the numbered Kubernetes API rules of testing/SEMANTICS.md ("rule 7.5",
// "rules 3.1 and 3.5", tests/apiserver named "2.8 ..."); every citation must resolve there,
// and nothing may point at a rules document outside the repository.
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const SKIP_DIRS = new Set([".git", "node_modules", "bin", "vendor"]);

async function* files(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) {
      if (!SKIP_DIRS.has(e.name)) yield* files(new URL(`${e.name}/`, dir));
    } else if (/\.(ts|md)$/.test(e.name)) {
      yield new URL(e.name, dir);
    }
  }
}

/** Every rule number cited in `text`, with the way it was cited. */
function citations(text: string): Array<{ rule: string; as: string }> {
  const out: Array<{ rule: string; as: string }> = [];
  for (
    const m of text.matchAll(/\b[Rr]ules?\s+((?:\d{1,2}\.\d{1,2}(?:\s*(?:,|and|or|\/)\s*)?)+)/g)
  ) {
    for (const rule of m[1].match(/\d{1,2}\.\d{1,2}/g) ?? []) out.push({ rule, as: m[0].trim() });
  }
  for (const m of text.matchAll(/Deno\.test\(\s*"(\d{1,2}\.\d{1,2})[ :]/g)) {
    out.push({ rule: m[1], as: `test "${m[1]} ..."` });
  }
  return out;
}

Deno.test("citations: the parser finds rule lists and test names", () => {
  assert.deepEqual(
    citations('see rules 3.1, 3.5 and 10.2; rule 7.5\nDeno.test("2.8 PUT", () => {})')
      .map((c) => c.rule),
    ["3.1", "3.5", "10.2", "7.5", "2.8"],
  );
});

Deno.test("every cited API rule exists in testing/SEMANTICS.md", async () => {
  const semantics = await Deno.readTextFile(new URL("testing/SEMANTICS.md", ROOT));
  const defined = new Set(
    [...semantics.matchAll(/^- \*\*(\d{1,2}\.\d{1,2})\*\*/gm)].map((m) => m[1]),
  );
  assert.ok(defined.size >= 71, `expected the numbered rules, found ${defined.size}`);
  const missing: string[] = [];
  const outside: string[] = [];
  let cited = 0;
  for await (const url of files(ROOT)) {
    const path = url.pathname.slice(ROOT.pathname.length);
    if (path === "testing/SEMANTICS.md" || path === "tests/semantics_citations_test.ts") continue;
    const text = await Deno.readTextFile(url);
    if (text.includes("k8s-api-semantics.md")) outside.push(path);
    for (const c of citations(text)) {
      cited++;
      if (!defined.has(c.rule)) missing.push(`${path}: ${c.as}`);
    }
  }
  assert.ok(cited > 50, `expected the code and tests to cite rules, found ${cited} citations`);
  assert.deepEqual(missing, [], "citations of rules testing/SEMANTICS.md does not define");
  assert.deepEqual(outside, [], "files pointing at a rules document outside the repository");
});
