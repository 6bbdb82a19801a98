// The webhook flags of runOperator: a bad value exits 2 naming the flag, before anything
// connects; operators without webhooks do not have them.
import assert from "node:assert/strict";
import { OperatorRuntime } from "../../cli/run_operator.ts";
import { Website } from "../../examples/website/website.ts";
import { websiteWebhooks } from "../../examples/website/webhooks.ts";

async function run(args: string[], withWebhooks = true) {
  const errors: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => void errors.push(a.join(" "));
  let printed = "";
  try {
    const code = await new OperatorRuntime({
      name: "website-operator",
      customResources: [Website],
      ...(withWebhooks ? { webhooks: websiteWebhooks } : {}),
      controllers: () => [],
      args,
      env: {},
      print: (t) => void (printed += t),
    }).run();
    return { code, errors: errors.join("\n"), printed };
  } finally {
    console.error = error;
  }
}

Deno.test("webhook flags: a bad --webhook-url or --webhook-bind-address exits 2 naming it", async () => {
  const url = await run(["--webhook-url", "http://127.0.0.1:9443"]);
  assert.equal(url.code, 2);
  assert.match(
    url.errors,
    /--webhook-url: expected an https:\/\/ URL, found http:\/\/127\.0\.0\.1:9443/,
  );
  const bind = await run(["--webhook-bind-address", "nope"]);
  assert.equal(bind.code, 2);
  assert.match(bind.errors, /--webhook-bind-address: expected \[host\]:port/);
});

Deno.test("webhook flags: listed in --help with the webhooks, absent without", async () => {
  const withHooks = await run(["--help"]);
  assert.equal(withHooks.code, 0);
  for (const f of ["--webhook-bind-address", "--webhook-cert-dir", "--webhook-url"]) {
    assert.ok(withHooks.printed.includes(f), f);
  }
  // Website's v1 needs conversion, so even without admission webhooks the flags are there;
  // a type without versions has none.
  const { defineCustomResource } = await import("../../client/custom_resource.ts");
  const { z } = await import("zod");
  const Plain = defineCustomResource({
    group: "plain.operatorkit.io",
    version: "v1",
    kind: "Plain",
    scope: "Cluster",
    spec: z.object({}),
  });
  const printed: string[] = [];
  const code = await new OperatorRuntime({
    name: "plain",
    customResources: [Plain],
    controllers: () => [],
    args: ["--help"],
    env: {},
    print: (t) => void printed.push(t),
  }).run();
  assert.equal(code, 0);
  assert.ok(!printed.join("").includes("--webhook"), printed.join(""));
});
