/**
 * The envtest launcher itself: missing binaries, abort during start-up, idempotent close, and
 * the CLI stopping both processes on SIGTERM and SIGINT.
 */
import assert from "node:assert/strict";
import {
  ensureEnvtestBinaries,
  EnvtestError,
  envtestKubernetesVersion,
  startEnvtest,
} from "../../testing/envtest.ts";
import { resolveRealTarget } from "./_target.ts";

const target = await resolveRealTarget();
// These tests start their own processes; a kubeconfig from outside is not enough.
const canStart = await ensureEnvtestBinaries({ build: false }).then(() => true, () => false);
const skipStart = !canStart && target.kind !== "fail";
if (skipStart) console.log("SKIP envtest launcher tests: the binaries are not built");

Deno.test("ensureEnvtestBinaries without build names the missing directory", async () => {
  const empty = await Deno.makeTempDir({ prefix: "operatorkit-envtest-empty-" });
  try {
    const version = await envtestKubernetesVersion();
    assert.match(version, /^v1\.\d+\.\d+$/);
    await assert.rejects(
      ensureEnvtestBinaries({ build: false, cacheDir: empty }),
      (error: Error) => {
        assert.ok(error instanceof EnvtestError);
        assert.equal(error.name, "EnvtestError");
        assert.ok(error.message.includes(`${empty}/${version}`), error.message);
        return true;
      },
    );
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test({
  name: "startEnvtest: an abort during start-up leaves no process or directory behind",
  ignore: skipStart,
  async fn() {
    const parent = await Deno.makeTempDir({ prefix: "operatorkit-envtest-test-" });
    try {
      // Early (certificates) and late (processes running, waiting for readiness).
      for (const delayMs of [200, 1_500]) {
        const controller = new AbortController();
        const starting = startEnvtest({ signal: controller.signal, tempDir: parent });
        const timer = setTimeout(() => controller.abort(), delayMs);
        await assert.rejects(starting);
        clearTimeout(timer);
        const left = await Array.fromAsync(Deno.readDir(parent));
        assert.deepEqual(left.map((entry) => entry.name), [], `after ${delayMs} ms`);
      }
    } finally {
      await Deno.remove(parent, { recursive: true });
    }
  },
});

Deno.test({
  name: "startEnvtest: close is idempotent and stops the server",
  ignore: skipStart,
  async fn() {
    const envtest = await startEnvtest();
    const port = Number(new URL(envtest.url).port);
    await envtest.close();
    await envtest.close();
    await assert.rejects(Deno.stat(envtest.dir), Deno.errors.NotFound);
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port }),
      Deno.errors.ConnectionRefused,
    );
  },
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test({
    name: `envtest CLI prints the kubeconfig path and stops on ${signal}`,
    ignore: skipStart,
    async fn() {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          new URL("../../testing/envtest_cli.ts", import.meta.url).pathname,
          "--no-build",
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const stderr = new Response(child.stderr).text();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      try {
        while (!out.includes("\n")) {
          const { value, done } = await reader.read();
          if (done) break;
          out += value;
        }
        const kubeconfigPath = out.split("\n")[0];
        assert.match(kubeconfigPath, /\/kubeconfig$/);
        const config = JSON.parse(await Deno.readTextFile(kubeconfigPath));
        assert.deepEqual(
          config.contexts.map((c: { name: string }) => c.name),
          ["envtest", "envtest-token"],
        );
        const port = Number(new URL(config.clusters[0].cluster.server).port);
        child.kill(signal);
        const status = await child.status;
        assert.equal(status.code, 0, await stderr);
        assert.match(await stderr, /envtest: stopping/);
        await assert.rejects(Deno.stat(kubeconfigPath), Deno.errors.NotFound);
        await assert.rejects(
          Deno.connect({ hostname: "127.0.0.1", port }),
          Deno.errors.ConnectionRefused,
        );
      } finally {
        await reader.cancel().catch(() => {});
        try {
          child.kill("SIGKILL");
        } catch { /* already exited */ }
        await child.status;
        await stderr;
      }
    },
  });
}
