// The package root loads only what an operator process runs (issue #17: idle RSS within 8 MB of
// a bare Deno script). zod, yaml and commander each cost a process about 5 to 6 MB, LogTape about
// 4.5 MB (any npm package brings Deno's npm and Node compatibility code), the OpenTelemetry API
// about 1.8 MB; the SDK's loggers reach LogTape through the root logger it leaves on globalThis
// once the application has loaded it (client/_log.ts); the others load by dynamic import where
// they are needed (custom resources bring zod with the operator's own schemas; the OpenTelemetry
// API loads when a tracer provider is registered). This walks the root's static import graph as
// `deno info` reports it.
import assert from "node:assert/strict";

type InfoModule = {
  specifier: string;
  dependencies?: Array<{ code?: { specifier?: string }; isDynamic?: boolean }>;
};

async function staticClosure(root: URL): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root.href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: InfoModule[];
    redirects: Record<string, string>;
  };
  const byId = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const stack = [...info.roots];
  while (stack.length > 0) {
    let s = stack.pop()!;
    s = info.redirects[s] ?? s;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of byId.get(s)?.dependencies ?? []) {
      if (!d.isDynamic && d.code?.specifier) stack.push(d.code.specifier);
    }
  }
  return seen;
}

Deno.test("the package root statically loads no npm package (zod, yaml, commander, LogTape, x509, the OpenTelemetry API) nor the operator process", async () => {
  const seen = [...await staticClosure(new URL("../mod.ts", import.meta.url))];
  // Any npm specifier (npm:pkg@range or the resolved npm:/pkg@version) is listed by name.
  assert.deepEqual(seen.filter((s) => s.startsWith("npm:")), []);
  for (
    const file of [
      "cli/_operator_process.ts",
      "cli/flags.ts",
      "cli/manifests.ts",
      "webhook/server.ts",
      "testing/mod.ts",
    ]
  ) {
    assert.ok(!seen.some((s) => s.endsWith(`/${file}`)), `${file} is loaded by the root`);
  }
  // The walk itself works: it reaches the informer and the client, and npm imports off the
  // static graph (LogTape's configure in cli/logging.ts, behind run()) are still seen by it.
  const all = [...await staticClosure(new URL("../cli/logging.ts", import.meta.url))];
  assert.ok(all.some((s) => /^npm:\/?@logtape\/logtape@/.test(s)), all.join(" "));
  assert.ok(seen.some((s) => s.endsWith("/informer/informer.ts")));
  assert.ok(seen.some((s) => s.endsWith("/client/kube_client.ts")));
});
