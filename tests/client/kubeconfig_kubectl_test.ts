// Cross-checks kubeconfig merging and context selection against kubectl itself: for each
// KUBECONFIG order and context, `kubectl config view --minify` and loadKubeConfig() must pick
// the same server, namespace and credentials.
import assert from "node:assert/strict";
import { loadKubeConfig } from "../../client/mod.ts";

const DIR = new URL("../fixtures/kubeconfig/", import.meta.url).pathname;

async function kubectlView(kubeconfig: string, context?: string) {
  const out = await new Deno.Command("kubectl", {
    args: [
      "config",
      "view",
      "--minify",
      "--raw",
      "-o",
      "json",
      ...(context ? ["--context", context] : []),
    ],
    env: { KUBECONFIG: kubeconfig },
    cwd: DIR,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const v = JSON.parse(new TextDecoder().decode(out.stdout));
  const user = v.users?.[0]?.user ?? {};
  return {
    context: v["current-context"],
    server: String(v.clusters[0].cluster.server).replace(/\/+$/, ""),
    namespace: v.contexts[0].context.namespace ?? "default",
    token: user.token as string | undefined,
    tokenFile: user.tokenFile as string | undefined,
    username: user.username as string | undefined,
  };
}

Deno.test("kubeconfig merging and context selection agree with kubectl", async () => {
  const cases: Array<[string, string | undefined]> = [];
  for (const order of ["a.yaml:b.yaml", "b.yaml:a.yaml"]) {
    for (const ctx of [undefined, "ctx-a", "ctx-b", "ctx-shared", "ctx-basic"]) {
      cases.push([order, ctx]);
    }
  }
  for (const [order, context] of cases) {
    const want = await kubectlView(order, context);
    const abs = order.split(":").map((f) => `${DIR}${f}`).join(":");
    const got = await loadKubeConfig({ env: { KUBECONFIG: abs }, ...(context ? { context } : {}) });
    const label = `${order} ${context ?? "(current)"}`;
    assert.equal(got.context, want.context, label);
    assert.equal(got.server, want.server, label);
    assert.equal(got.namespace, want.namespace, label);
    const a = got.auth;
    assert.equal(a.type === "token" ? a.token : undefined, want.token, label);
    assert.equal(
      a.type === "tokenFile" ? a.path : undefined,
      want.tokenFile && `${DIR}${want.tokenFile}`,
      label,
    );
    assert.equal(a.type === "basic" ? a.username : undefined, want.username, label);
  }
});
