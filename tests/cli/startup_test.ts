// Start-up failures of the operator process, in process (OperatorRuntime.run() resolves to
// the exit code): each is exit code 1 and one fatal log line carrying its cause.
import assert from "node:assert/strict";
import { OperatorRuntime } from "../../cli/run_operator.ts";
import { websiteController } from "../../examples/website/operator.ts";
import { Website } from "../../examples/website/website.ts";
import { startApiServer } from "../../testing/api_server.ts";
import { TEST_FLAGS } from "./_process.ts";

/** Runs the Website operator in process; resolves to its exit code and log lines. */
async function runWebsite(
  args: string[],
  options: { installCrd?: boolean } = {},
): Promise<{ code: number; lines: string[]; fatal: string[] }> {
  const lines: string[] = [];
  const code = await new OperatorRuntime({
    name: "website-operator",
    customResources: [Website],
    installCustomResources: options.installCrd ?? true,
    args: [...TEST_FLAGS, ...args],
    env: {},
    logWrite: (line) => lines.push(line),
    controllers: (ctx) => [websiteController({ client: ctx.client, informers: ctx.informers })],
  }).run();
  const fatal = lines.filter((l) => JSON.parse(l).level === "FATAL")
    .map((l) => JSON.parse(l).message as string);
  return { code, lines, fatal };
}

for (const leaderElect of [false, true]) {
  Deno.test(`start-up: an unserved resource fails after --cache-sync-timeout, naming it and its last error${leaderElect ? " (leader elected)" : ""}`, async () => {
    await using server = await startApiServer();
    const dir = await Deno.makeTempDir({ prefix: "okt-sync-" });
    try {
      const kubeconfig = `${dir}/kubeconfig.yaml`;
      await server.writeKubeconfig(kubeconfig);
      // The Website CRD is not installed: its LIST answers 404 and never syncs.
      const { code, lines, fatal } = await runWebsite([
        "--kubeconfig",
        kubeconfig,
        "--cache-sync-timeout",
        "1s",
        "--namespace",
        "default",
        ...(leaderElect ? ["--leader-elect"] : []),
      ], { installCrd: false });
      assert.equal(code, 1, lines.join(""));
      assert.equal(fatal.length, 1, lines.join(""));
      assert.match(
        fatal[0],
        /caches did not sync within 1 s \(--cache-sync-timeout\): websites\.demo\.operatorkit\.io in namespace default \(last error: .*(not found|could not find)/i,
      );
      // The informers of the synced types are not named.
      assert.doesNotMatch(fatal[0], /configmaps/);
      assert.doesNotMatch(fatal[0], /\n/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
