import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { printCrds } from "../../tools/print_crds.ts";
import { Website } from "../../examples/website/website.ts";

Deno.test("printCrds: prints the CRD of every exported custom resource type", async () => {
  const text = await printCrds(["examples/website/website.ts"]);
  assert.deepEqual(parseAllDocuments(text).map((d) => d.toJS()), [Website.crd]);
  // The same module twice prints each CRD once.
  const twice = await printCrds(["examples/website/website.ts", "./examples/website/website.ts"]);
  assert.equal(twice, text);
});

Deno.test("printCrds: a module without custom resource types is an error naming it", async () => {
  await assert.rejects(
    printCrds(["client/types.ts"]),
    /expected client\/types\.ts to export at least one defineCustomResource\(\) type, found exports: objectKey/,
  );
});

Deno.test("tools/print_crds.ts: the command prints YAML, exits 1 on a bad module, 2 without args", async () => {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tools/print_crds.ts", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };
  const ok = await run("examples/website/website.ts");
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(parseAllDocuments(ok.stdout).map((d) => d.toJS()), [Website.crd]);
  const bad = await run("client/types.ts");
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /print_crds: expected client\/types\.ts to export/);
  const none = await run();
  assert.equal(none.code, 2);
  assert.match(none.stderr, /usage:/);
});
