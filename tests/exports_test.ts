// Every export is a promise to users. For each entry point of deno.json this checks that
// every exported name has a doc comment and a test (a test file that names it, or a doc
// example that runs), that the root stays small, that cli re-exports nothing of the other
// packages, and that doc examples assert something or say why they are not run.
//
// Adding an entry point: add a row to ENTRY_POINTS (or match GENERATED). Adding an export:
// document it and name it in a test or in a running doc example; nothing here needs editing.
import assert from "node:assert/strict";

interface EntryRule {
  /** The most names it may export. */
  max?: number;
  /** Every export must be declared under this folder (no re-exports of other packages). */
  ownDir?: string;
}

const ENTRY_POINTS: Record<string, EntryRule> = {
  ".": { max: 120 },
  "./client": {},
  "./informer": {},
  "./controller": {},
  "./cli": { ownDir: "cli/" },
  "./testing": {},
  "./webhook": {},
};
/** Generated entry points: docs are required, tests are the generator's drift test. */
const GENERATED = /^\.\/api\//;

/**
 * Exports that predate this test and are named in no test yet (mostly option and result
 * types). The list may only shrink: a new export needs a test, not a line here.
 */
const KNOWN_UNTESTED = new Set<string>([]);

/**
 * How many exports (of the hand-written entry points, each counted once) have no example
 * that asserts something or says why it is not run. It may only go down: lower it when you
 * fix examples; a new export brings an asserting example.
 */
const EXAMPLES_PENDING = 0;

const ROOT = new URL("../", import.meta.url);
const SKIP_DIRS = new Set([".git", "node_modules", "bin", "vendor"]);

interface Symbol {
  name: string;
  file: string;
  doc: string;
  examples: string[];
}

async function exportsOf(file: string): Promise<Symbol[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", file],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  const mod = Object.values(json.nodes)[0] as {
    symbols?: Array<{
      name: string;
      declarations: Array<{
        location: { filename: string };
        jsDoc?: { doc?: string; tags?: Array<{ kind: string; doc?: string }> };
      }>;
    }>;
  };
  return (mod.symbols ?? []).map((s) => {
    const docs = s.declarations.map((d) => d.jsDoc).filter((d) => d !== undefined);
    return {
      name: s.name,
      file: s.declarations[0].location.filename.replace(ROOT.href, ""),
      doc: docs.map((d) => d?.doc ?? "").join("\n").trim(),
      examples: docs.flatMap((d) =>
        (d?.tags ?? []).filter((t) => t.kind === "example").map((t) => t.doc ?? "")
      ),
    };
  });
}

async function* files(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) {
      if (!SKIP_DIRS.has(e.name)) yield* files(new URL(`${e.name}/`, dir));
    } else if (e.name.endsWith(".ts")) {
      yield new URL(e.name, dir);
    }
  }
}

/** ```ts blocks of `text`, with their fence line. */
function codeBlocks(text: string): Array<{ fence: string; code: string }> {
  return [...text.matchAll(/```(ts[^\n]*)\n([\s\S]*?)```/g)].map((m) => ({
    fence: m[1],
    code: m[2],
  }));
}

/** What counts as testing a name: test files, and doc examples that run. */
async function testCorpus(): Promise<string> {
  const parts: string[] = [];
  for await (const url of files(ROOT)) {
    const path = url.pathname.slice(ROOT.pathname.length);
    if (path === "tests/exports_test.ts") continue;
    const text = await Deno.readTextFile(url);
    if (path.endsWith("_test.ts") || path.startsWith("tests/")) parts.push(text);
    for (const b of codeBlocks(text)) if (!/\bignore\b/.test(b.fence)) parts.push(b.code);
  }
  return parts.join("\n");
}

/** Why an example fails the rule, or undefined when it asserts or says why it does not run. */
export function exampleProblem(example: string): string | undefined {
  const blocks = codeBlocks(example);
  if (blocks.length === 0) return "no ```ts block";
  for (const b of blocks) {
    if (/\bignore\b/.test(b.fence)) {
      if (!/\/\/\s*not run\b/i.test(b.code)) return "ignored without a `// Not run: <reason>` line";
    } else if (!/\bassert\b/.test(b.code)) {
      return "runs but asserts nothing";
    }
  }
  return undefined;
}

Deno.test("exports: the example rule accepts asserting or explained examples only", () => {
  assert.equal(exampleProblem("```ts\nimport assert from 'x';\nassert.ok(1);\n```"), undefined);
  assert.equal(
    exampleProblem("```ts ignore\n// Not run: starts an operator\nrun();\n```"),
    undefined,
  );
  assert.match(exampleProblem("```ts\nconst x: T = {};\n```")!, /asserts nothing/);
  assert.match(exampleProblem("```ts ignore\nrun();\n```")!, /without a/);
});

const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as {
  exports: Record<string, string>;
};

Deno.test("exports: every entry point of deno.json has a rule here", () => {
  const unknown = Object.keys(config.exports).filter((k) =>
    !(k in ENTRY_POINTS) && !GENERATED.test(k)
  );
  assert.deepEqual(unknown, [], "add them to ENTRY_POINTS in tests/exports_test.ts");
});

Deno.test("exports: every export has a doc comment and a test; the root stays small; cli re-exports nothing", async () => {
  const corpus = await testCorpus();
  const problems: string[] = [];
  for (const [entry, file] of Object.entries(config.exports)) {
    const rule = ENTRY_POINTS[entry];
    const generated = !rule && GENERATED.test(entry);
    if (!rule && !generated) continue;
    const symbols = await exportsOf(file);
    if (rule?.max !== undefined && symbols.length > rule.max) {
      problems.push(`${entry}: ${symbols.length} exports, expected at most ${rule.max}`);
    }
    for (const s of symbols) {
      if (!s.doc && s.examples.length === 0) {
        problems.push(`${entry}: ${s.name} has no doc comment`);
      }
      if (rule?.ownDir && !s.file.startsWith(rule.ownDir)) {
        problems.push(`${entry}: ${s.name} is re-exported from ${s.file}`);
      }
      if (
        !generated && !KNOWN_UNTESTED.has(s.name) && !new RegExp(`\\b${s.name}\\b`).test(corpus)
      ) {
        problems.push(`${entry}: ${s.name} is named in no test and no running doc example`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("exports: doc examples assert something or say why they are not run (no new exceptions)", async () => {
  const seen = new Set<string>();
  const pending: string[] = [];
  for (const [entry, file] of Object.entries(config.exports)) {
    if (!ENTRY_POINTS[entry]) continue;
    for (const s of await exportsOf(file)) {
      const id = `${s.file}:${s.name}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const problem = s.examples.length === 0
        ? "no example"
        : s.examples.map(exampleProblem).find((p) => p !== undefined);
      if (problem) pending.push(`${id}: ${problem}`);
    }
  }
  assert.ok(
    pending.length <= EXAMPLES_PENDING,
    `${pending.length} exports lack an asserting example, expected at most ${EXAMPLES_PENDING}:\n${
      pending.join("\n")
    }`,
  );
});

/** Folders whose option docs state defaults with `@default` (add yours). */
const DEFAULT_TAG_DIRS = ["controller/", "informer/", "testing/", "cli/", "client/", "webhook/"];

Deno.test("exports: defaults are stated with @default, not in prose", async () => {
  const prose: string[] = [];
  for (const dir of DEFAULT_TAG_DIRS) {
    for await (const e of Deno.readDir(new URL(dir, ROOT))) {
      if (!e.name.endsWith(".ts") || e.name.startsWith("_") || e.name.endsWith("_test.ts")) {
        continue;
      }
      const lines = (await Deno.readTextFile(new URL(`${dir}${e.name}`, ROOT))).split("\n");
      lines.forEach((l, i) => {
        if (/^\s*(\/\*\*|\*)\s.*\(default\b/.test(l)) prose.push(`${dir}${e.name}:${i + 1}`);
      });
    }
  }
  assert.deepEqual(prose, [], "write `@default {value}` instead of `(default value)`");
});
