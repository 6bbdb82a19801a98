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
import { type Need, needs } from "../_tier.ts";

const target = await resolveRealTarget();
// These tests start their own processes; a kubeconfig from outside is not enough.
const canStart = await ensureEnvtestBinaries({ build: false }).then(() => true, () => false);
const START: Need = {
  missing: !canStart && target.kind !== "fail",
  reason: "the envtest binaries are not built (tools/envtest/build.sh)",
};

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

/** Command lines of the running processes that mention `text` (none where /proc is absent). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(entry.name) || entry.name === String(Deno.pid)) continue;
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`).catch(() => "");
      if (cmdline.includes(text)) found.push(`${entry.name}: ${cmdline.replaceAll("\0", " ")}`);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found;
}

/** Resolves once some directory in `parent` holds `file` (polled; fails after 60 s). */
async function whenWritten(parent: string, file: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for await (const entry of Deno.readDir(parent)) {
      if (await Deno.stat(`${parent}/${entry.name}/${file}`).then(() => true, () => false)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`Expected ${file} in ${parent} within 60 s`);
}

Deno.test({
  ...needs("startEnvtest: an abort during start-up leaves no process or directory behind", START),
  async fn() {
    const parent = await Deno.makeTempDir({ prefix: "operatorkit-envtest-test-" });
    try {
      // Early (certificates), right after the certificates are written (before etcd is
      // spawned), and late (processes running, waiting for readiness).
      const aborts: [string, (abort: () => void) => Promise<void>][] = [
        ["after 200 ms", (abort) => delay(200).then(abort)],
        ["once sa.pub is written", (abort) => whenWritten(parent, "sa.pub").then(abort)],
        ["once tokens.csv is written", (abort) => whenWritten(parent, "tokens.csv").then(abort)],
        ["after 1500 ms", (abort) => delay(1_500).then(abort)],
      ];
      for (const [when, trigger] of aborts) {
        const controller = new AbortController();
        const starting = startEnvtest({ signal: controller.signal, tempDir: parent });
        const aborted = trigger(() => controller.abort());
        await assert.rejects(starting, (error) => error === controller.signal.reason, when);
        await aborted;
        const left = await Array.fromAsync(Deno.readDir(parent));
        assert.deepEqual(left.map((entry) => entry.name), [], `abort ${when}`);
        assert.deepEqual(await processesMentioning(parent), [], `abort ${when}`);
        // A process that escaped close() would show up (or recreate its directory) later.
        await delay(300);
        assert.deepEqual(await processesMentioning(parent), [], `abort ${when}, later`);
        assert.deepEqual(await Array.fromAsync(Deno.readDir(parent)), [], `abort ${when}, later`);
      }
    } finally {
      await Deno.remove(parent, { recursive: true });
    }
  },
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test({
  ...needs("startEnvtest: close is idempotent and stops the server", START),
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
    ...needs(`envtest CLI prints the kubeconfig path and stops on ${signal}`, START),
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
        if (!/\/kubeconfig$/.test(kubeconfigPath)) {
          const status = await child.status;
          assert.fail(
            `expected the kubeconfig path on stdout, found ${JSON.stringify(out)} (exit ` +
              `${status.code}); stderr: ${await stderr}`,
          );
        }
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
