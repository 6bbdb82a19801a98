// Logging of the operator process: JSON lines when stderr is not a terminal (auto) or with
// --log-format json, readable text with --log-format pretty (no colour under NO_COLOR), and
// no bearer token in any line, even when the server rejects it.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import { ROOT } from "./_process.ts";

const RIGHT = "right-token-operatorkit-91ab";
const WRONG = "wrong-token-operatorkit-27cd";

async function runOnce(
  kubeconfig: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; lines: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "examples/website/main.ts",
      "--kubeconfig",
      kubeconfig,
      "--metrics-bind-address",
      "0",
      "--health-probe-bind-address",
      "0",
      ...args,
    ],
    cwd: ROOT,
    // The caller decides about NO_COLOR: the inherited environment must not.
    env: {
      ...Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([k]) => k !== "NO_COLOR")),
      ...env,
    },
    clearEnv: true,
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  return { code: out.code, lines: text.split("\n").filter((l) => l !== "") };
}

Deno.test("logging: a rejected token is reported (401) without appearing in any line, at debug level", async () => {
  await using server = await startApiServer({ token: RIGHT });
  const dir = await Deno.makeTempDir({ prefix: "okt-log-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    await Deno.writeTextFile(kubeconfig, server.kubeconfigYaml.replace(RIGHT, WRONG));
    assert.ok((await Deno.readTextFile(kubeconfig)).includes(WRONG));
    const r = await runOnce(kubeconfig, ["--log-format", "json", "--log-level", "trace"], {
      NO_COLOR: "1",
    });
    assert.equal(r.code, 1);
    const records = r.lines.map((l) => JSON.parse(l) as { level: string; message: string });
    const fatal = records.find((x) => x.level === "FATAL");
    assert.ok(fatal, r.lines.join("\n"));
    assert.match(fatal.message, /401 Unauthorized/);
    for (const l of r.lines) {
      assert.ok(!l.includes(WRONG) && !l.includes(RIGHT), `a token leaked: ${l}`);
    }
    // Even at trace level nothing says "connected": the credentials were refused.
    assert.ok(!records.some((x) => x.message.startsWith("connected to")), r.lines.join("\n"));

    // --log-level error: the SDK's info lines ("connected to ...") are gone, the fatal stays.
    const quiet = await runOnce(kubeconfig, ["--log-format", "json", "--log-level", "error"], {
      NO_COLOR: "1",
    });
    assert.equal(quiet.code, 1);
    const levels = quiet.lines.map((l) => (JSON.parse(l) as { level: string }).level);
    assert.deepEqual(levels, ["FATAL"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logging: auto is JSON lines off a terminal; pretty is text, coloured unless NO_COLOR", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-log-" });
  try {
    const kubeconfig = `${dir}/kubeconfig.yaml`;
    // A missing context fails at once, with one FATAL line.
    await server.writeKubeconfig(kubeconfig);
    const fail = ["--context", "no-such-context"];

    const auto = await runOnce(kubeconfig, [...fail], { NO_COLOR: "1" });
    assert.equal(auto.code, 1);
    assert.ok(auto.lines.length >= 1);
    for (const l of auto.lines) {
      const rec = JSON.parse(l);
      assert.equal(rec.level, "FATAL");
      assert.match(rec.message, /no-such-context/);
    }

    const plain = await runOnce(kubeconfig, [...fail, "--log-format", "pretty"], { NO_COLOR: "1" });
    assert.equal(plain.code, 1);
    for (const l of plain.lines) {
      assert.throws(() => JSON.parse(l));
      assert.ok(
        !l.includes("\x1b["),
        `Expected no ANSI escapes under NO_COLOR: ${JSON.stringify(l)}`,
      );
    }
    assert.ok(plain.lines.some((l) => /FTL|FATAL/.test(l) && l.includes("no-such-context")));

    const coloured = await runOnce(kubeconfig, [...fail, "--log-format", "pretty"]);
    assert.equal(coloured.code, 1);
    assert.ok(coloured.lines.some((l) => l.includes("\x1b[")), coloured.lines.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
