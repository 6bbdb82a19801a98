import assert from "node:assert/strict";
import { FlagError, parseBindAddress, parseDuration, parseOperatorFlags } from "./flags.ts";

const parse = (argv: string[], env: Record<string, string> = {}) =>
  parseOperatorFlags(argv, { name: "website", env });

Deno.test("flags: defaults: metrics on loopback 127.0.0.1:8080, probes on :8081", async () => {
  const { command, flags } = await parse([]);
  assert.equal(command, "run");
  assert.deepEqual(flags.metricsBindAddress, { hostname: "127.0.0.1", port: 8080 });
  assert.deepEqual(flags.healthProbeBindAddress, { hostname: "0.0.0.0", port: 8081 });
  assert.equal(flags.logLevel, "info");
  assert.equal(flags.logFormat, "auto");
  assert.equal(flags.leaderElect, false);
  assert.equal(flags.leaderElectionId, "website-leader");
  assert.equal(flags.concurrency, 4);
  assert.equal(flags.resyncPeriodMs, 600_000);
  assert.deepEqual(flags.namespaces, []);
});

Deno.test("flags: every flag parses, 0 disables a listener, namespaces repeat", async () => {
  const { flags } = await parse([
    "--kubeconfig=/tmp/kc",
    "--context",
    "dev",
    "--namespace",
    "a",
    "--namespace=b,c",
    "--log-level",
    "debug",
    "--log-format",
    "json",
    "--metrics-bind-address",
    "0",
    "--health-probe-bind-address",
    "127.0.0.1:9000",
    "--leader-elect",
    "--leader-election-id",
    "lock",
    "--leader-election-namespace",
    "ops",
    "--concurrency",
    "9",
    "--resync-period",
    "90s",
  ]);
  assert.equal(flags.kubeconfig, "/tmp/kc");
  assert.equal(flags.context, "dev");
  assert.deepEqual(flags.namespaces, ["a", "b", "c"]);
  assert.equal(flags.logLevel, "debug");
  assert.equal(flags.logFormat, "json");
  assert.equal(flags.metricsBindAddress, undefined);
  assert.deepEqual(flags.healthProbeBindAddress, { hostname: "127.0.0.1", port: 9000 });
  assert.equal(flags.leaderElect, true);
  assert.equal(flags.leaderElectionId, "lock");
  assert.equal(flags.leaderElectionNamespace, "ops");
  assert.equal(flags.concurrency, 9);
  assert.equal(flags.resyncPeriodMs, 90_000);
});

Deno.test("flags: OPERATORKIT_* variables fill flags, and a given flag wins", async () => {
  const env = {
    OPERATORKIT_CONCURRENCY: "7",
    OPERATORKIT_LEADER_ELECT: "true",
    OPERATORKIT_NAMESPACE: "x,y",
    OPERATORKIT_LOG_LEVEL: "warning",
  };
  const { flags } = await parse(["--log-level", "error"], env);
  assert.equal(flags.concurrency, 7);
  assert.equal(flags.leaderElect, true);
  assert.deepEqual(flags.namespaces, ["x", "y"]);
  assert.equal(flags.logLevel, "error");
});

Deno.test("flags: a bad value is one line naming the flag, the value and the expectation", async () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [["--concurrency", "zero"], {}, /--concurrency.*'zero'.*positive integer/],
    [["--log-format", "xml"], {}, /--log-format.*'xml'.*pretty, json, auto/],
    [["--resync-period", "soon"], {}, /--resync-period.*'soon'.*duration/],
    [
      ["--metrics-bind-address", "host:port"],
      {},
      /--metrics-bind-address.*'host:port'.*\[host\]:port/,
    ],
    [["--bogus"], {}, /unknown option '--bogus'/],
    [
      [],
      { OPERATORKIT_CONCURRENCY: "-1" },
      /OPERATORKIT_CONCURRENCY="-1" \(--concurrency\).*positive integer/,
    ],
    [[], { OPERATORKIT_LEADER_ELECT: "maybe" }, /OPERATORKIT_LEADER_ELECT="maybe".*true or false/],
  ];
  for (const [argv, env, re] of cases) {
    let err: unknown;
    try {
      await parse(argv, env);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof FlagError, `${argv} ${JSON.stringify(env)}`);
    assert.equal(err.exitCode, 2);
    assert.match(err.message, re);
    assert.ok(!err.message.includes("\n"), `one line: ${err.message}`);
  }
});

Deno.test("flags: --help lists every flag with its default and variable", async () => {
  const parsed = await parse(["--help"]);
  assert.ok(parsed.output);
  for (
    const flag of [
      "--kubeconfig",
      "--context",
      "--namespace",
      "--log-level",
      "--log-format",
      "--metrics-bind-address",
      "--health-probe-bind-address",
      "--leader-elect",
      "--leader-election-id",
      "--leader-election-namespace",
      "--concurrency",
      "--resync-period",
      "manifests",
    ]
  ) assert.ok(parsed.output.includes(flag), flag);
  assert.match(parsed.output, /default: "127.0.0.1:8080"/);
  assert.match(parsed.output, /OPERATORKIT_RESYNC_PERIOD/);
});

Deno.test("flags: users add their own flags; manifests is a subcommand", async () => {
  const parsed = await parseOperatorFlags(
    ["manifests", "--image", "web:2", "--replicas-hint", "3"],
    {
      name: "website",
      env: {},
      configure: (cmd) => void cmd.option("--replicas-hint <n>", "a user flag"),
    },
  );
  assert.equal(parsed.command, "manifests");
  assert.equal(parsed.manifests.image, "web:2");
  assert.equal(parsed.flags.extra.replicasHint, "3");
});

Deno.test("flags: durations and bind addresses", () => {
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("15"), 15_000);
  assert.throws(() => parseDuration("10 minutes"), /expected a duration/);
  assert.deepEqual(parseBindAddress("[::1]:80"), { hostname: "::1", port: 80 });
  assert.deepEqual(parseBindAddress("9090"), { hostname: "0.0.0.0", port: 9090 });
  assert.equal(parseBindAddress("0"), undefined);
  assert.throws(() => parseBindAddress(":99999"), /\[host\]:port/);
});

Deno.test("flags: lease timings default to 15s/10s/2s and can be shortened by flag or env", async () => {
  const d = (await parse([])).flags;
  assert.deepEqual([d.leaseDurationMs, d.renewDeadlineMs, d.retryPeriodMs], [
    15_000,
    10_000,
    2_000,
  ]);
  const f = (await parse(
    ["--leader-election-lease-duration", "3s", "--leader-election-renew-deadline", "2s"],
    { OPERATORKIT_LEADER_ELECTION_RETRY_PERIOD: "250ms" },
  )).flags;
  assert.deepEqual([f.leaseDurationMs, f.renewDeadlineMs, f.retryPeriodMs], [3_000, 2_000, 250]);
  await assert.rejects(
    () => parse(["--leader-election-renew-deadline", "15s"]),
    (err: unknown) =>
      err instanceof FlagError &&
      /renew-deadline=15000ms is invalid: expected less than --leader-election-lease-duration \(15000ms\)/
        .test(err.message),
  );
  await assert.rejects(
    () => parse(["--leader-election-retry-period", "10s"]),
    /retry-period=10000ms is invalid: expected more than 0 and less than/,
  );
  await assert.rejects(
    () => parse([], { OPERATORKIT_LEADER_ELECTION_LEASE_DURATION: "long" }),
    FlagError,
  );
});

Deno.test("flags: --version takes no environment variable", async () => {
  const parsed = await parseOperatorFlags(["--help"], {
    name: "website",
    version: "1.0.0",
    env: { OPERATORKIT_VERSION: "true" },
  });
  assert.ok(!parsed.output?.includes("OPERATORKIT_VERSION"));
  assert.ok(!parsed.output?.includes("OPERATORKIT_HELP"));
  assert.equal((await parse([], { OPERATORKIT_VERSION: "true" })).output, undefined);
});

Deno.test("flags: --cache-sync-timeout (2m) and --shutdown-grace-period (30s, or the runtime's default)", async () => {
  const d = (await parse([])).flags;
  assert.equal(d.cacheSyncTimeoutMs, 120_000);
  assert.equal(d.shutdownGracePeriodMs, 30_000);
  const given = (await parse(["--cache-sync-timeout", "45s", "--shutdown-grace-period=1m"])).flags;
  assert.equal(given.cacheSyncTimeoutMs, 45_000);
  assert.equal(given.shutdownGracePeriodMs, 60_000);
  const env = (await parse([], {
    OPERATORKIT_CACHE_SYNC_TIMEOUT: "5s",
    OPERATORKIT_SHUTDOWN_GRACE_PERIOD: "2s",
  })).flags;
  assert.equal(env.cacheSyncTimeoutMs, 5_000);
  assert.equal(env.shutdownGracePeriodMs, 2_000);
  const runtimeDefault = (await parseOperatorFlags([], {
    name: "website",
    env: {},
    shutdownGracePeriodMs: 1_500,
  })).flags;
  assert.equal(runtimeDefault.shutdownGracePeriodMs, 1_500);
  await assert.rejects(() => parse(["--cache-sync-timeout", "0s"]), (err: unknown) => {
    assert.ok(err instanceof FlagError);
    assert.match(err.message, /^--cache-sync-timeout=0ms is invalid: expected more than 0$/);
    return true;
  });
  await assert.rejects(() => parse(["--shutdown-grace-period", "soon"]), /--shutdown-grace-period/);
});

Deno.test("--debug-bind-address is off by default, loopback by default host, and refuses other hosts", async () => {
  const parse = async (args: string[], env: Record<string, string> = {}) =>
    (await parseOperatorFlags(args, { name: "op", env })).flags.debugBindAddress;
  assert.equal(await parse([]), undefined);
  assert.deepEqual(await parse(["--debug-bind-address", ":8082"]), {
    hostname: "127.0.0.1",
    port: 8082,
  });
  assert.deepEqual(await parse(["--debug-bind-address", "[::1]:9"]), { hostname: "::1", port: 9 });
  assert.deepEqual(await parse([], { OPERATORKIT_DEBUG_BIND_ADDRESS: "localhost:7" }), {
    hostname: "localhost",
    port: 7,
  });
  for (const bad of ["0.0.0.0:8082", "10.0.0.1:8082", "pod:8082"]) {
    await assert.rejects(
      () => parse(["--debug-bind-address", bad]),
      (err: unknown) =>
        err instanceof FlagError && err.exitCode === 2 && /loopback/.test(err.message) &&
        err.message.includes(bad),
    );
  }
});

Deno.test("flags: --metrics-secure and --metrics-cert-dir (off by default)", async () => {
  assert.equal((await parse([])).flags.metricsSecure, false);
  assert.equal((await parse([])).flags.metricsCertDir, undefined);
  const { flags } = await parse(["--metrics-secure", "--metrics-cert-dir", "/certs"]);
  assert.equal(flags.metricsSecure, true);
  assert.equal(flags.metricsCertDir, "/certs");
  assert.equal((await parse([], { OPERATORKIT_METRICS_SECURE: "true" })).flags.metricsSecure, true);
});
