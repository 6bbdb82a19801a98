// Start-up failures of the operator process, in process (OperatorRuntime.run() resolves to
// the exit code): each is exit code 1 and one fatal log line carrying its cause.
import assert from "node:assert/strict";
import { OperatorRuntime } from "../../cli/run_operator.ts";
import { websiteController } from "../../examples/website/operator.ts";
import { Website } from "../../examples/website/website.ts";
import { startApiServer } from "../../testing/api_server.ts";
import { eventually, ROOT, TEST_FLAGS } from "./_process.ts";

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

const TLS = `${ROOT}tests/fixtures/tls/`;
const pem = (f: string) => Deno.readTextFileSync(`${TLS}${f}`);

/** A kubeconfig document for `server`, with a CA and a token when given. */
function kubeconfig(server: string, options: { ca?: string; token?: string } = {}) {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{
      name: "c",
      cluster: {
        server,
        ...(options.ca ? { "certificate-authority-data": btoa(options.ca) } : {}),
      },
    }],
    users: [{ name: "u", user: options.token ? { token: options.token } : {} }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    "current-context": "x",
  };
}

/** Runs the Website operator against `doc`; asserts exit 1, one fatal line, no "connected". */
async function failsToStart(doc: Record<string, unknown>, args: string[] = []): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "okt-start-" });
  try {
    await Deno.writeTextFile(`${dir}/kubeconfig`, JSON.stringify(doc));
    const { code, lines, fatal } = await runWebsite([
      "--kubeconfig",
      `${dir}/kubeconfig`,
      ...args,
    ]);
    assert.equal(code, 1, lines.join(""));
    assert.equal(fatal.length, 1, lines.join(""));
    assert.ok(!lines.some((l) => l.includes("connected to")), lines.join(""));
    assert.doesNotMatch(fatal[0], /\n/);
    return fatal[0];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A loopback port nothing listens on (bound, then closed). */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("start-up: a server certificate from an unknown authority is one TLS line", async () => {
  await using server = await startApiServer({
    tls: { cert: pem("server.crt"), key: pem("server.key"), ca: pem("ca.crt") },
  });
  const line = await failsToStart(kubeconfig(server.url, { ca: pem("other_ca.crt") }));
  assert.match(
    line,
    /TLS: the server certificate of https:\/\/127\.0\.0\.1:\d+ is signed by an unknown authority/,
  );
  assert.match(line, /certificate-authority/);
});

Deno.test("start-up: a server certificate for another host is one TLS line naming both names", async () => {
  await using server = await startApiServer({
    tls: { cert: pem("wrong_host.crt"), key: pem("wrong_host.key"), ca: pem("ca.crt") },
  });
  const line = await failsToStart(kubeconfig(server.url, { ca: pem("ca.crt") }));
  assert.match(
    line,
    /TLS: .* is not valid for host 127\.0\.0\.1 \(it is valid for wrong-host\.example\)/,
  );
});

Deno.test("start-up: an unresolvable host is one DNS line naming it", async () => {
  // `.invalid` never resolves (RFC 6761): nothing is contacted.
  const line = await failsToStart(kubeconfig("https://no-such-host.invalid:6443"));
  assert.match(
    line,
    /^operator "website-operator" failed: "DNS: cannot resolve no-such-host\.invalid/,
  );
});

Deno.test("start-up: a refused connection is one line naming the server", async () => {
  const url = `http://127.0.0.1:${closedPort()}`;
  // A refused connection may be a server restarting: retried until --cache-sync-timeout.
  const line = await failsToStart(kubeconfig(url), ["--cache-sync-timeout", "2s"]);
  assert.ok(line.includes(`connection refused by ${url}`), line);
  assert.match(
    line,
    /\d+ attempt\(s\) failed within the 2 s start-up deadline, --cache-sync-timeout/,
  );
});

Deno.test("start-up: 500s on SelfSubjectReview and SelfSubjectAccessReview are retried, then the operator runs", async () => {
  await using server = await startApiServer();
  server.faults.failNext(2, { status: 500, verb: "create", resource: "selfsubjectreviews" });
  server.faults.failNext(3, { status: 500, verb: "create", resource: "selfsubjectaccessreviews" });
  const lines = await runsUntilRunning(kubeconfig(server.url));
  const retries = lines.map((l) => JSON.parse(l).message as string)
    .filter((m) => / failed \(.*\); retry /.test(m));
  assert.ok(
    retries.some((m) => m.includes("connecting to the cluster")),
    `the SelfSubjectReview 500s were retried: ${lines.join("")}`,
  );
  assert.ok(
    retries.some((m) => m.includes("checking permissions")),
    `the SelfSubjectAccessReview 500s were retried: ${lines.join("")}`,
  );
  assert.ok(retries.every((m) => /500|Internal error/.test(m)), lines.join(""));
  assert.ok(lines.some((l) => l.includes("connected to")), lines.join(""));
});

Deno.test("start-up: a rejected token is one 401 line, and nothing says connected", async () => {
  await using server = await startApiServer({ token: "the-right-token" });
  const line = await failsToStart(kubeconfig(server.url, { token: "a-wrong-token" }));
  assert.match(
    line,
    /401 Unauthorized from http:\/\/127\.0\.0\.1:\d+: the credentials were rejected/,
  );
  assert.ok(!line.includes("a-wrong-token"), "the token never reaches the log");
});

Deno.test("start-up: 'connected ... as' is logged once an authenticated request succeeded", async () => {
  await using server = await startApiServer({ token: "the-right-token" });
  const lines = await runsUntilRunning(kubeconfig(server.url, { token: "the-right-token" }));
  const connected = lines.findIndex((l) => l.includes("connected to"));
  assert.ok(connected >= 0, lines.join(""));
  assert.match(lines[connected], /connected to \\"http:\/\/127\.0\.0\.1:\d+\\" as/);
});

/** Runs the Website operator against `doc` until its controllers run; asserts exit 0. */
async function runsUntilRunning(doc: Record<string, unknown>): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "okt-start-" });
  try {
    await Deno.writeTextFile(`${dir}/kubeconfig`, JSON.stringify(doc));
    const stop = new AbortController();
    const lines: string[] = [];
    const done = new OperatorRuntime({
      name: "website-operator",
      customResources: [Website],
      args: [...TEST_FLAGS, "--kubeconfig", `${dir}/kubeconfig`],
      env: {},
      signal: stop.signal,
      logWrite: (line) => {
        lines.push(line);
        if (line.includes("controller(s) running")) stop.abort();
      },
      controllers: (ctx) => [websiteController({ client: ctx.client, informers: ctx.informers })],
    }).run();
    assert.equal(await done, 0, lines.join(""));
    return lines;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs the first operator with only the given Deno permissions. */
async function withPermissions(
  permissions: string[],
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, "examples/first_operator.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("start-up: a missing Deno permission is one line naming the flag to add", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-perm-" });
  try {
    const kc = `${dir}/kubeconfig`;
    await server.writeKubeconfig(kc);
    const args = ["--kubeconfig", kc, "--log-format", "json", ...TEST_FLAGS];
    const cases: Array<[string[], string]> = [
      [["--allow-read", "--allow-net"], "--allow-env"],
      [["--allow-env", "--allow-net"], "--allow-read"],
      [["--allow-env", "--allow-read", "--allow-net=127.0.0.1:1"], "--allow-net"],
    ];
    for (const [permissions, flag] of cases) {
      const { code, stderr } = await withPermissions(permissions, args);
      const lines = stderr.split("\n").filter((l) => l.trim() !== "");
      assert.equal(code, 1, stderr);
      const last = lines[lines.length - 1];
      assert.ok(!/^\s+at /m.test(stderr), `no stack trace: ${stderr}`);
      assert.match(last, /missing Deno permission/, stderr);
      assert.ok(last.includes(`run deno with ${flag}`), `${flag}: ${stderr}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("metrics: --metrics-secure serves HTTPS (given or self-signed certificate) and refuses a scrape without a token (401); probes stay plain HTTP", async () => {
  await using server = await startApiServer();
  const dir = await Deno.makeTempDir({ prefix: "okt-secure-" });
  using trusting = Deno.createHttpClient({ caCerts: [pem("ca.crt")] });
  try {
    await server.writeKubeconfig(`${dir}/kubeconfig`);
    await Deno.copyFile(`${TLS}server.crt`, `${dir}/tls.crt`);
    await Deno.copyFile(`${TLS}server.key`, `${dir}/tls.key`);
    for (const certDir of [[`--metrics-cert-dir`, dir], []]) {
      const stop = new AbortController();
      const lines: string[] = [];
      const done = new OperatorRuntime({
        name: "website-operator",
        customResources: [Website],
        args: [...TEST_FLAGS, "--kubeconfig", `${dir}/kubeconfig`, "--metrics-secure", ...certDir],
        env: {},
        signal: stop.signal,
        logWrite: (line) => lines.push(line),
        controllers: (ctx) => [websiteController({ client: ctx.client, informers: ctx.informers })],
      }).run();
      try {
        await eventually(
          "the controllers",
          () => lines.some((l) => l.includes("controller(s) running")),
        );
        const urls = lines.map((l) => JSON.parse(l)).filter((r) =>
          r.message.startsWith("serving probes/metrics on")
        ).map((r) => r.properties.url as string);
        const metricsUrl = urls.find((u) => u.startsWith("https://"));
        const probeUrl = urls.find((u) => u.startsWith("http://"));
        assert.ok(metricsUrl && probeUrl, urls.join(" "));
        assert.equal(await (await fetch(`${probeUrl}/readyz`)).text(), "ok");
        if (certDir.length) {
          const res = await fetch(`${metricsUrl}/metrics`, { client: trusting });
          assert.equal(res.status, 401);
          assert.match(await res.text(), /bearer token is required/);
        } else {
          // Self-signed: curl -k, as a scraper configured with insecure_skip_verify would.
          const out = await new Deno.Command("curl", {
            args: ["-sk", "-o", "/dev/null", "-w", "%{http_code}", `${metricsUrl}/metrics`],
          }).output();
          assert.equal(new TextDecoder().decode(out.stdout), "401");
          await assert.rejects(fetch(`${metricsUrl}/metrics`), TypeError, "not trusted by default");
        }
      } finally {
        stop.abort();
        assert.equal(await done, 0, lines.join(""));
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
