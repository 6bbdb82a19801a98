// README.md shows examples/first_operator.ts (tested by tests/cli/first_operator_test.ts) with
// the package's own specifiers; this keeps the two from drifting apart.
import assert from "node:assert/strict";

// deno fmt may wrap a longer import and add a trailing comma; compare without either.
const squash = (s: string) => s.replace(/\s+/g, "").replace(/,([}\])])/g, "$1");

Deno.test("README: 'Write your first operator' is examples/first_operator.ts", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("## Write your first operator"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "expected a ts code block in the section");
  const file = (await Deno.readTextFile(new URL("../examples/first_operator.ts", import.meta.url)))
    .replaceAll('"../client/mod.ts"', '"@operatorkit/operatorkit/client"')
    .replaceAll('"../controller/mod.ts"', '"@operatorkit/operatorkit/controller"')
    .replaceAll('"../cli/mod.ts"', '"@operatorkit/operatorkit/cli"')
    .replace("examples/first_operator.ts", "greeting.ts");
  assert.equal(squash(block), squash(file));
});
