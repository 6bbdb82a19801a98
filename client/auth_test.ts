import assert from "node:assert/strict";
import { Authenticator } from "./auth.ts";
import { ConfigError } from "./errors.ts";
import { loadKubeConfig } from "./kubeconfig.ts";
import { FakeClock } from "../testing/fake_clock.ts";

const PLUGIN = new URL("../tests/fixtures/exec_plugin.sh", import.meta.url).pathname;

async function execConfig(dir: string, env: Record<string, string>, apiVersion?: string) {
  return await loadKubeConfig({
    document: {
      clusters: [{ name: "c", cluster: { server: "http://127.0.0.1:1" } }],
      users: [{
        name: "u",
        user: {
          exec: {
            apiVersion: apiVersion ?? "client.authentication.k8s.io/v1",
            command: PLUGIN,
            provideClusterInfo: true,
            env: Object.entries({ COUNT_FILE: `${dir}/count`, ...env }).map(([name, value]) => ({
              name,
              value,
            })),
          },
        },
      }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    },
  });
}

const count = async (dir: string) => Number((await Deno.readTextFile(`${dir}/count`)).trim());

Deno.test("exec plugin: credential cached until expirationTimestamp, re-run on 401", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));
    const config = await execConfig(dir, {
      EXPIRY: "2026-01-01T00:10:00Z",
      INFO_FILE: `${dir}/info`,
    });
    const auth = new Authenticator(config, { clock });
    const [a, b] = await Promise.all([auth.credentials(), auth.credentials()]);
    assert.equal(a.headers.authorization, "Bearer exec-token-1");
    assert.equal(b.headers.authorization, "Bearer exec-token-1");
    assert.equal(await count(dir), 1); // concurrent callers share one run
    clock.tick(9 * 60_000);
    assert.equal((await auth.credentials()).headers.authorization, "Bearer exec-token-1");
    assert.equal(await count(dir), 1);
    clock.tick(60_000); // expired
    assert.equal((await auth.credentials()).headers.authorization, "Bearer exec-token-2");
    assert.equal(await count(dir), 2);
    assert.equal(auth.invalidate(), true); // a 401
    assert.equal((await auth.credentials()).headers.authorization, "Bearer exec-token-3");
    assert.equal(auth.execCalls, 3);
    const info = JSON.parse(await Deno.readTextFile(`${dir}/info`));
    assert.equal(info.kind, "ExecCredential");
    assert.equal(info.apiVersion, "client.authentication.k8s.io/v1");
    assert.equal(info.spec.interactive, false);
    assert.equal(info.spec.cluster.server, "http://127.0.0.1:1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exec plugin: v1beta1, apiVersion mismatch and failures are ConfigErrors without secrets", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const beta = "client.authentication.k8s.io/v1beta1";
    const ok = new Authenticator(await execConfig(dir, { API_VERSION: beta }, beta));
    assert.equal((await ok.credentials()).headers.authorization, "Bearer exec-token-1");
    const mismatch = new Authenticator(await execConfig(dir, { TOKEN_PREFIX: "topsecret" }, beta));
    await assert.rejects(() => mismatch.credentials(), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /expected apiVersion client.authentication.k8s.io\/v1beta1/);
      assert.doesNotMatch(e.message, /topsecret/);
      return true;
    });
    const failing = new Authenticator(await execConfig(dir, { FAIL: "1" }));
    await assert.rejects(() => failing.credentials(), /exit 0, found exit code 3/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("token file is re-read after the reload interval and after a 401", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/token`, "one\n");
    const clock = new FakeClock(0);
    const auth = new Authenticator({
      server: "http://127.0.0.1:1",
      tls: {},
      auth: { type: "tokenFile", path: `${dir}/token`, reloadIntervalMs: 60_000 },
    }, { clock });
    assert.equal((await auth.credentials()).headers.authorization, "Bearer one");
    await Deno.writeTextFile(`${dir}/token`, "two\n");
    clock.tick(59_999);
    assert.equal((await auth.credentials()).headers.authorization, "Bearer one");
    clock.tick(1);
    assert.equal((await auth.credentials()).headers.authorization, "Bearer two");
    await Deno.writeTextFile(`${dir}/token`, "three\n");
    assert.equal(auth.invalidate(), true);
    assert.equal((await auth.credentials()).headers.authorization, "Bearer three");
    await Deno.writeTextFile(`${dir}/token`, "");
    auth.invalidate();
    await assert.rejects(() => auth.credentials(), /expected a token, found an empty file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("static token, basic auth and none", async () => {
  const basic = new Authenticator({
    server: "http://127.0.0.1:1",
    tls: {},
    auth: { type: "basic", username: "admin", password: "pw" },
  });
  assert.equal((await basic.credentials()).headers.authorization, `Basic ${btoa("admin:pw")}`);
  assert.equal(basic.invalidate(), false);
  const none = new Authenticator({ server: "http://127.0.0.1:1", tls: {}, auth: { type: "none" } });
  assert.deepEqual((await none.credentials()).headers, {});
});

Deno.test("one caller aborting does not fail the others sharing a refresh", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const auth = new Authenticator(await execConfig(dir, {}));
    const ac = new AbortController();
    const a = auth.credentials({ signal: ac.signal });
    const b = auth.credentials();
    ac.abort(new Error("gave up"));
    await assert.rejects(a, /gave up/);
    assert.equal((await b).headers.authorization, "Bearer exec-token-1");
    assert.equal(await count(dir), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
