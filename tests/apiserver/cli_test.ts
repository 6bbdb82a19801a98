// `deno task apiserver` (testing/cli.ts): flags, the ready line, the kubeconfig, exit 0 on signals.
import assert from "node:assert/strict";

const CLI = new URL("../../testing/cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

async function firstLine(
  stream: ReadableStream<Uint8Array>,
): Promise<{ line: string; rest: Promise<string> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  while (!buf.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
  }
  const rest = (async () => {
    let more = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return more;
      more += value;
    }
  })();
  return { line: buf.split("\n")[0], rest: rest.then((r) => buf.slice(buf.indexOf("\n") + 1) + r) };
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`cli: prints one ready line, writes the kubeconfig, needs the token, exits 0 on ${signal}`, async () => {
    const dir = await Deno.makeTempDir();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--config",
        CONFIG,
        CLI,
        "--port",
        "0",
        "--kubeconfig",
        `${dir}/kc`,
        "--history",
        "5",
        "--token",
        "tok",
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    try {
      const { line, rest } = await firstLine(child.stdout);
      const m = line.match(/^apiserver listening on (http:\/\/127\.0\.0\.1:(\d+))$/);
      assert.ok(m, `ready line, found ${JSON.stringify(line)}`);
      const kc = await Deno.readTextFile(`${dir}/kc`);
      assert.match(kc, new RegExp(`server: ${m[1]}`));
      assert.match(kc, /token: tok/);
      const denied = await fetch(`${m[1]}/version`);
      assert.equal(denied.status, 401);
      await denied.body?.cancel();
      const ok = await fetch(`${m[1]}/version`, { headers: { authorization: "Bearer tok" } });
      assert.equal(ok.status, 200);
      await ok.body?.cancel();
      child.kill(signal);
      const status = await child.status;
      assert.equal(status.code, 0, await stderr);
      assert.equal(await rest, "", "exactly one line on stdout");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await child.status;
      await stderr;
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("cli: a bad flag value exits non-zero with a message", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--config", CONFIG, CLI, "--port", "abc"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.notEqual(out.code, 0);
  assert.match(new TextDecoder().decode(out.stderr), /--port must be a non-negative integer/);
});

Deno.test("cli: an unwritable kubeconfig path exits 1 with a message and leaves no server", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--config", CONFIG, CLI, "--kubeconfig", "/nonexistent-dir/kc"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  assert.match(
    new TextDecoder().decode(out.stderr),
    /expected to write the kubeconfig to \/nonexistent-dir\/kc/,
  );
  assert.equal(new TextDecoder().decode(out.stdout), "");
});
