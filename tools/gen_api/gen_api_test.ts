// The committed api/ modules, the server's schema table and deno.json's exports are exactly what
// the generator writes from the OpenAPI documents of the Kubernetes version tools/envtest/
// builds. Reads the Go module cache only (GOPROXY=off, no network): where the module is not
// cached (a fresh CI machine before tools/envtest/build.sh) the test is ignored, unless
// OPERATORKIT_REQUIRE_OPENAPI=1 (.ci/run sets it after building envtest) makes that a failure.
import assert from "node:assert/strict";
import { exportEntries, generate, ROOT } from "./main.ts";
import { descriptorName, firstSentence, moduleOf } from "./emit_ts.ts";
import { readSpecInput } from "./spec.ts";

const input = await readSpecInput(true);
const required = Deno.env.get("OPERATORKIT_REQUIRE_OPENAPI") === "1";

Deno.test({
  name: `gen:api: the Kubernetes OpenAPI documents are in the Go module cache${
    required ? "" : " [ignored: checked only with OPERATORKIT_REQUIRE_OPENAPI=1]"
  }`,
  ignore: !required,
  fn() {
    assert.ok(
      input,
      "k8s.io/kubernetes is not in the Go module cache (run tools/envtest/build.sh)",
    );
  },
});

Deno.test({
  name: `gen:api: committed api/ files and the schema table are not stale${
    input ? "" : " [ignored: the k8s.io/kubernetes module is not in the Go module cache]"
  }`,
  ignore: !input,
  async fn() {
    const files = generate(input!);
    const stale: string[] = [];
    for (const [path, text] of files) {
      const committed = await Deno.readTextFile(new URL(path, ROOT)).catch(() => undefined);
      if (committed !== text) stale.push(path);
    }
    const present: string[] = [];
    for await (const group of Deno.readDir(new URL("api/", ROOT))) {
      if (!group.isDirectory) continue;
      for await (const v of Deno.readDir(new URL(`api/${group.name}/`, ROOT))) {
        for await (const f of Deno.readDir(new URL(`api/${group.name}/${v.name}/`, ROOT))) {
          present.push(`api/${group.name}/${v.name}/${f.name}`);
        }
      }
    }
    const extra = present.filter((p) => !files.has(p));
    assert.deepEqual(
      { stale, extra },
      { stale: [], extra: [] },
      "run `deno task gen:api` and commit the result",
    );
    const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
    const apiExports = Object.fromEntries(
      Object.entries(denoJson.exports as Record<string, string>).filter(([k]) =>
        k.startsWith("./api/")
      ),
    );
    assert.deepEqual(apiExports, exportEntries(files));
  },
});

Deno.test("gen:api: first sentences, descriptor names and module paths", () => {
  assert.equal(
    firstSentence("Number of desired pods. This is a pointer. Defaults to 1."),
    "Number of desired pods.",
  );
  assert.equal(firstSentence("Use a name, e.g. foo. Then more."), "Use a name, e.g. foo.");
  assert.equal(firstSentence("Ends */ badly"), "Ends *\\/ badly");
  assert.equal(firstSentence(undefined), "");
  const r = { kind: "NetworkPolicy", plural: "networkpolicies" };
  assert.equal(descriptorName(r as Parameters<typeof descriptorName>[0]), "NetworkPolicies");
  assert.deepEqual(moduleOf("io.k8s.api.apps.v1.Deployment"), {
    module: "apps/v1",
    name: "Deployment",
  });
  assert.deepEqual(moduleOf("io.k8s.apimachinery.pkg.api.resource.Quantity"), {
    module: "meta/v1",
    name: "Quantity",
  });
  assert.deepEqual(
    moduleOf("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"),
    { module: "apiextensions/v1", name: "JSONSchemaProps" },
  );
});
