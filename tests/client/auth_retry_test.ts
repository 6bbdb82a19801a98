// Authentication, TLS and retries against the embedded API server.
//
// Embedded-only on purpose: each test configures the server itself (the one token it accepts,
// its TLS certificate and CA, a certificate the client must not trust), which a given real
// cluster cannot be made to do. Their real-server counterparts (client certificate, bearer
// token, CA verification) are tests/client/real_server_test.ts and tests/envtest/. The retry
// test needs fault injection and runs on testCluster(), reported as ignored (reason in its name) on
// the real tier.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import { requireFaults, testCluster } from "../../testing/test_cluster.ts";
import { FAULTS, needs } from "../_tier.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { ApiError, ConfigError, ConfigMaps, KubeClient, loadKubeConfig } from "../../client/mod.ts";

const FIX = new URL("../fixtures/", import.meta.url).pathname;
const tlsFiles = async () => ({
  cert: await Deno.readTextFile(`${FIX}tls/server.crt`),
  key: await Deno.readTextFile(`${FIX}tls/server.key`),
  ca: await Deno.readTextFile(`${FIX}tls/ca.crt`),
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

Deno.test("token auth: the kubeconfig's token is sent; a wrong one is a 401 ApiError", async () => {
  await using server = await startApiServer({ token: "s3cret-token" });
  using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
  await client.resource(ConfigMaps).create({ metadata: { name: "a" } });
  const cfg = await loadKubeConfig({ document: server.kubeconfig });
  using wrong = new KubeClient({ ...cfg, auth: { type: "token", token: "nope" } }, { retries: 0 });
  await assert.rejects(() => wrong.resource(ConfigMaps).get("a"), (e: Error) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 401);
    assert.doesNotMatch(e.message, /s3cret|nope/);
    return true;
  });
});

Deno.test("TLS with a CA, and a bearer token over TLS, from a kubeconfig file", async () => {
  const { cert, key, ca } = await tlsFiles();
  await using server = await startApiServer({ tls: { cert, key, ca }, token: "tls-token" });
  assert.ok(server.url.startsWith("https://127.0.0.1:"));
  const dir = await Deno.makeTempDir();
  try {
    await server.writeKubeconfig(`${dir}/config`);
    using client = await KubeClient.fromKubeConfig({ env: { KUBECONFIG: `${dir}/config` } });
    assert.equal(client.config.tls.caData, ca);
    const cm = await client.resource(ConfigMaps).create({ metadata: { name: "over-tls" } });
    assert.equal(cm.metadata.name, "over-tls");
    // Without the CA the server's certificate is not trusted.
    using untrusted = new KubeClient({ ...client.config, tls: {} }, { retries: 0 });
    await assert.rejects(() => untrusted.resource(ConfigMaps).get("over-tls"), TypeError);
    // insecure-skip-tls-verify without Deno's flag: a ConfigError naming the flag.
    using insecure = new KubeClient(
      { ...client.config, tls: { insecureSkipTlsVerify: true } },
      { retries: 0 },
    );
    await assert.rejects(
      () => insecure.resource(ConfigMaps).get("over-tls"),
      (e: Error) =>
        e instanceof ConfigError &&
        /--unsafely-ignore-certificate-errors=127\.0\.0\.1/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("insecure-skip-tls-verify works when deno runs with --unsafely-ignore-certificate-errors", async () => {
  const { cert, key } = await tlsFiles();
  await using server = await startApiServer({ tls: { cert, key } });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config`,
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server.url}", insecure-skip-tls-verify: true } }]
contexts: [{ name: x, context: { cluster: c } }]
current-context: x
`,
    );
    const script = `
      import { KubeClient, Namespaces } from "${
      new URL("../../client/mod.ts", import.meta.url).href
    }";
      using client = await KubeClient.fromKubeConfig({ path: Deno.args[0] });
      console.log((await client.resource(Namespaces).get("default")).metadata.name);
    `;
    await Deno.writeTextFile(`${dir}/probe.ts`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--unsafely-ignore-certificate-errors=127.0.0.1",
        `--config=${new URL("../../deno.json", import.meta.url).pathname}`,
        `${dir}/probe.ts`,
        `${dir}/config`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(stdout, "default");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exec plugin: one run serves many requests; a 401 re-runs it", async () => {
  // The plugin prints "<prefix>-<n>" for its n-th run; the server accepts only run 2's token,
  // so the first request is refused, the plugin re-runs, and then the cache holds.
  await using server = await startApiServer({ token: "exec-2" });
  const dir = await Deno.makeTempDir();
  try {
    using client = await KubeClient.fromKubeConfig({
      document: {
        clusters: [{ name: "c", cluster: { server: server.url } }],
        users: [{
          name: "u",
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: `${FIX}exec_plugin.sh`,
              env: [
                { name: "COUNT_FILE", value: `${dir}/count` },
                { name: "TOKEN_PREFIX", value: "exec" },
                { name: "API_VERSION", value: "client.authentication.k8s.io/v1beta1" },
              ],
            },
          },
        }],
        contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
        "current-context": "x",
      },
    });
    const cms = client.resource(ConfigMaps);
    await cms.create({ metadata: { name: "a" } });
    for (let i = 0; i < 5; i++) await cms.get("a");
    assert.equal((await Deno.readTextFile(`${dir}/count`)).trim(), "2");
    assert.equal(client.transport.auth.execCalls, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  needs("429 with Retry-After is retried (fault: failNext), on the injected clock", FAULTS),
  async (t) => {
    await using server = await testCluster();
    const faults = requireFaults(t, server);
    const clock = new FakeClock(0);
    using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig }, {
      clock,
      qps: 0,
    });
    const cms = client.resource(ConfigMaps);
    faults.failNext(2, { status: 429, retryAfterSeconds: 3, verb: "create" });
    let done = false;
    const p = cms.create({ metadata: { name: "a" } }).then((o) => (done = true, o));
    for (let i = 0; i < 2; i++) {
      await until(() => clock.pending > 0);
      assert.equal(clock.nextDeadline()! - clock.now(), 3000, "waits Retry-After");
      assert.equal(done, false);
      await clock.tickAsync(3000);
    }
    assert.equal((await p).metadata.name, "a");
    // 500 is retried for GET (idempotent) but not for POST.
    faults.failNext(1, { status: 500, verb: "get" });
    const g = cms.get("a");
    await until(() => clock.pending > 0);
    await clock.runAll();
    assert.equal((await g).metadata.name, "a");
    faults.failNext(1, { status: 500, verb: "create" });
    await assert.rejects(
      () => cms.create({ metadata: { name: "b" } }),
      (e: ApiError) => e.code === 500,
    );
    // Retries exhausted: the 429 surfaces as an ApiError.
    using once = await KubeClient.fromKubeConfig({ document: server.kubeconfig }, { retries: 0 });
    faults.failNext(1, { status: 429, retryAfterSeconds: 1 });
    await assert.rejects(() => once.resource(ConfigMaps).get("a"), (e: ApiError) => {
      assert.equal(e.isTooManyRequests(), true);
      assert.equal(e.retryAfterSeconds, 1);
      return true;
    });
  },
);
