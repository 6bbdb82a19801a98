// The operator command line as a user meets it: a bad flag or OPERATORKIT_* value exits 2
// with exactly one stderr line naming the flag, the value and what was expected; `--help`
// lists every flag with its default and its environment variable.
import assert from "node:assert/strict";
import { ROOT } from "./_process.ts";

const MAIN = "examples/website/main.ts";

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    cwd: ROOT,
    // No kubeconfig reachable: a bad flag must fail before any connection is tried.
    env: { NO_COLOR: "1", KUBECONFIG: "/nonexistent/kubeconfig", ...env },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function oneLine(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `Expected exactly one stderr line, found:\n${stderr}`);
  return lines[0];
}

const BAD_FLAGS: Array<{ args: string[]; flag: string; value: string; expected: RegExp }> = [
  {
    args: ["--concurrency", "zero"],
    flag: "--concurrency",
    value: "zero",
    expected: /positive integer/,
  },
  {
    args: ["--log-format", "xml"],
    flag: "--log-format",
    value: "xml",
    expected: /pretty, json, auto/,
  },
  {
    args: ["--log-level", "loud"],
    flag: "--log-level",
    value: "loud",
    expected: /trace, debug, info/,
  },
  {
    args: ["--metrics-bind-address", "nowhere"],
    flag: "--metrics-bind-address",
    value: "nowhere",
    expected: /\[host\]:port/,
  },
  {
    args: ["--resync-period", "soon"],
    flag: "--resync-period",
    value: "soon",
    expected: /duration like 30s/,
  },
  {
    args: ["--leader-election-lease-duration", "forever"],
    flag: "--leader-election-lease-duration",
    value: "forever",
    expected: /duration like 30s/,
  },
];

for (const c of BAD_FLAGS) {
  Deno.test(`flags: ${c.args.join(" ")} exits 2 with one line naming flag, value, expectation`, async () => {
    const r = await run(c.args);
    assert.equal(r.code, 2, r.stderr);
    const line = oneLine(r.stderr);
    assert.ok(line.includes(c.flag), line);
    assert.ok(line.includes(c.value), line);
    assert.match(line, c.expected);
    assert.equal(r.stdout, "");
  });
}

Deno.test("flags: --leader-election-renew-deadline not below the lease duration exits 2", async () => {
  const r = await run([
    "--leader-election-lease-duration",
    "5s",
    "--leader-election-renew-deadline",
    "6s",
  ]);
  assert.equal(r.code, 2, r.stderr);
  const line = oneLine(r.stderr);
  assert.match(
    line,
    /--leader-election-renew-deadline=6000ms is invalid: expected less than --leader-election-lease-duration \(5000ms\)/,
  );
});

const BAD_ENV: Array<{ env: Record<string, string>; flag: string; expected: RegExp }> = [
  { env: { OPERATORKIT_CONCURRENCY: "-3" }, flag: "--concurrency", expected: /positive integer/ },
  { env: { OPERATORKIT_LOG_FORMAT: "xml" }, flag: "--log-format", expected: /pretty, json, auto/ },
  { env: { OPERATORKIT_LEADER_ELECT: "maybe" }, flag: "--leader-elect", expected: /true or false/ },
  {
    env: { OPERATORKIT_HEALTH_PROBE_BIND_ADDRESS: "host:99999" },
    flag: "--health-probe-bind-address",
    expected: /\[host\]:port/,
  },
];

for (const c of BAD_ENV) {
  const [name, value] = Object.entries(c.env)[0];
  Deno.test(`flags: ${name}=${value} exits 2 with one line naming variable, flag, value`, async () => {
    const r = await run([], c.env);
    assert.equal(r.code, 2, r.stderr);
    const line = oneLine(r.stderr);
    assert.ok(line.includes(name), line);
    assert.ok(line.includes(c.flag), line);
    assert.ok(line.includes(JSON.stringify(value)), line);
    assert.match(line, c.expected);
  });
}

Deno.test("flags: a command-line flag wins over its environment variable", async () => {
  // The env value is bad, the flag is good: the flag wins, so parsing succeeds and the run
  // fails later on the missing kubeconfig (exit 1), not with a usage error (exit 2).
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      MAIN,
      "--concurrency",
      "2",
      "--log-format",
      "json",
      "--kubeconfig",
      "/nonexistent/kubeconfig",
      "--metrics-bind-address",
      "0",
      "--health-probe-bind-address",
      "0",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", OPERATORKIT_CONCURRENCY: "zero" },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 1, stderr);
  assert.match(stderr, /"level":"FATAL"/);
  assert.doesNotMatch(stderr, /OPERATORKIT_CONCURRENCY/);
});

Deno.test("flags: --help lists every flag with its default and environment variable", async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const help = r.stdout;
  const expected: Array<[string, string | undefined]> = [
    ["--kubeconfig", undefined],
    ["--context", undefined],
    ["--namespace", "[]"],
    ["--log-level", '"info"'],
    ["--log-format", '"auto"'],
    ["--metrics-bind-address", '"127.0.0.1:8080"'],
    ["--health-probe-bind-address", '":8081"'],
    ["--leader-elect", undefined],
    ["--leader-election-id", '"website-operator-leader"'],
    ["--leader-election-namespace", undefined],
    ["--leader-election-lease-duration", '"15s"'],
    ["--leader-election-renew-deadline", '"10s"'],
    ["--leader-election-retry-period", '"2s"'],
    ["--concurrency", "4"],
    ["--resync-period", '"10m"'],
    ["--cache-sync-timeout", '"2m"'],
    ["--metrics-secure", undefined],
    ["--metrics-cert-dir", undefined],
    ["--shutdown-grace-period", '"30s"'],
  ];
  const lines = help.split("\n");
  for (const [flag, def] of expected) {
    const line = lines.find((l) => l.trimStart().startsWith(`${flag} `));
    assert.ok(line, `Expected ${flag} in --help:\n${help}`);
    const env = `OPERATORKIT_${flag.slice(2).replaceAll("-", "_").toUpperCase()}`;
    assert.ok(line.includes(`[env ${env}]`), `Expected ${env} on the ${flag} line: ${line}`);
    if (def !== undefined) {
      assert.ok(line.includes(`default: ${def}`), `Expected default ${def}: ${line}`);
    }
  }
  assert.match(help, /manifests \[options\]/);
  const m = await run(["manifests", "--help"]);
  assert.equal(m.code, 0);
  const sub = m.stdout.replace(/\s+/g, " "); // commander wraps at 80 columns off a terminal
  assert.match(sub, /--image <image> container image \(default: "website-operator:latest"\)/);
  assert.match(
    sub,
    /--manifest-namespace <ns> namespace to deploy into \(default: "website-operator"\)/,
  );
  assert.match(sub, /--skip-namespace leave out the Namespace object/);
});
