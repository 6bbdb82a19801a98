import assert from "node:assert/strict";
import { loadKubeConfig } from "./kubeconfig.ts";
import { ConfigError } from "./errors.ts";

const FIX = new URL("../tests/fixtures/", import.meta.url).pathname;
const A = `${FIX}kubeconfig/a.yaml`;
const B = `${FIX}kubeconfig/b.yaml`;

Deno.test("KUBECONFIG merges files: first file to set a value wins", async () => {
  const env = { KUBECONFIG: `${A}:${FIX}kubeconfig/missing.yaml:${B}` };
  const c = await loadKubeConfig({ env });
  // current-context from a.yaml wins over b.yaml's
  assert.equal(c.context, "ctx-a");
  assert.equal(c.server, "http://127.0.0.1:1111"); // c1 from a.yaml, not b.yaml's 2222
  assert.equal(c.namespace, "team-a");
  assert.deepEqual(c.auth, { type: "token", token: "token-a" });
  assert.match(c.tls.caData!, /BEGIN CERTIFICATE/); // relative path resolved against a.yaml
  assert.equal(c.source, `${A}:${B}`);
  // ctx-shared is defined in both: a.yaml's definition wins
  const shared = await loadKubeConfig({ env, context: "ctx-shared" });
  assert.equal(shared.server, "http://127.0.0.1:1111");
  assert.equal(shared.namespace, "default");
});

Deno.test("merged order reversed: b.yaml wins; context override picks entries from any file", async () => {
  const c = await loadKubeConfig({ env: { KUBECONFIG: `${B}:${A}` } });
  assert.equal(c.context, "ctx-b");
  assert.equal(c.server, "https://127.0.0.1:3333");
  assert.equal(c.proxyUrl, "http://127.0.0.1:3128");
  assert.equal(c.namespace, "team-b");
  assert.equal(c.auth.type, "tokenFile");
  assert.equal((c.auth as { path: string }).path, `${FIX}kubeconfig/token_b`);
  const a = await loadKubeConfig({ env: { KUBECONFIG: `${B}:${A}` }, context: "ctx-a" });
  assert.equal(a.server, "http://127.0.0.1:2222"); // c1 now comes from b.yaml
  const basic = await loadKubeConfig({ path: [B], context: "ctx-basic", namespace: "ns-x" });
  assert.deepEqual(basic.auth, { type: "basic", username: "admin", password: "hunter2" });
  assert.equal(basic.namespace, "ns-x");
  const cert = await loadKubeConfig({ path: B, context: "ctx-cert" });
  assert.match(cert.tls.certData!, /BEGIN CERTIFICATE/);
  assert.match(cert.tls.keyData!, /PRIVATE KEY/);
});

Deno.test("~/.kube/config is the default; missing files give a ConfigError", async () => {
  const home = await Deno.makeTempDir();
  try {
    await assert.rejects(() => loadKubeConfig({ env: { HOME: home } }), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /\.kube\/config/);
      return true;
    });
    await Deno.mkdir(`${home}/.kube`);
    await Deno.copyFile(A, `${home}/.kube/config`);
    await Deno.symlink(`${FIX}tls`, `${home}/tls`);
    const c = await loadKubeConfig({ env: { HOME: home } });
    assert.equal(c.server, "http://127.0.0.1:1111");
    await assert.rejects(
      () => loadKubeConfig({ env: { KUBECONFIG: `${home}/nope1:${home}/nope2` } }),
      /expected at least one existing kubeconfig/,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("malformed kubeconfig: ConfigError names the file and the field", async () => {
  const file = `${FIX}kubeconfig/malformed.yaml`;
  await assert.rejects(() => loadKubeConfig({ path: file }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.name, "ConfigError");
    assert.equal(e.file, file);
    assert.equal(e.field, "clusters[0].cluster.server");
    assert.match(e.message, /expected a string, found a number/);
    return true;
  });
  const bad = `${FIX}kubeconfig/bad_syntax.yaml`;
  await assert.rejects(() => loadKubeConfig({ path: bad }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.file, bad);
    assert.match(e.message, /expected valid YAML/);
    assert.doesNotMatch(e.message, /s3cr3t/);
    return true;
  });
});

Deno.test("field errors: unknown context, missing cluster, bad base64, bad exec", async () => {
  const doc = (over: Record<string, unknown>) => ({
    clusters: [{ name: "c", cluster: { server: "http://127.0.0.1:1" } }],
    users: [{ name: "u", user: {} }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    "current-context": "x",
    ...over,
  });
  await assert.rejects(
    () => loadKubeConfig({ document: doc({}), context: "nope" }),
    /expected a context named "nope", found only: x/,
  );
  await assert.rejects(
    () => loadKubeConfig({ document: doc({ clusters: [] }) }),
    (e: ConfigError) => e.field === "contexts[0].context.cluster",
  );
  await assert.rejects(
    () =>
      loadKubeConfig({
        document: doc({ users: [{ name: "u", user: { "client-key-data": "%%%secret" } }] }),
      }),
    (e: ConfigError) => {
      assert.equal(e.field, "users[0].user.client-key-data");
      assert.doesNotMatch(e.message, /secret/);
      return true;
    },
  );
  await assert.rejects(
    () =>
      loadKubeConfig({
        document: doc({ users: [{ name: "u", user: { exec: { command: "x" } } }] }),
      }),
    (e: ConfigError) => e.field === "users[0].user.exec.apiVersion",
  );
  await assert.rejects(
    () =>
      loadKubeConfig({
        document: doc({ users: [{ name: "u", user: { "auth-provider": { name: "gcp" } } }] }),
      }),
    /exec plugin/,
  );
  await assert.rejects(
    () => loadKubeConfig({ document: doc({ contexts: "nope" }) }),
    (e: ConfigError) => e.field === "contexts" && e.file === "<object>",
  );
});

Deno.test("inline certificate data is decoded to PEM", async () => {
  const pem = await Deno.readTextFile(`${FIX}tls/ca.crt`);
  const c = await loadKubeConfig({
    yaml: `
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443", certificate-authority-data: ${
      btoa(pem)
    }, insecure-skip-tls-verify: true } }]
contexts: [{ name: x, context: { cluster: c } }]
current-context: x
`,
  });
  assert.equal(c.tls.caData, pem);
  assert.equal(c.tls.insecureSkipTlsVerify, true);
  assert.deepEqual(c.auth, { type: "none" });
});

Deno.test("in-cluster configuration from a service-account folder and the environment", async () => {
  const env = { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: "6443" };
  const dir = `${FIX}in_cluster`;
  const c = await loadKubeConfig({ env, serviceAccountDir: dir }); // auto mode detects the pod
  assert.equal(c.source, "in-cluster");
  assert.equal(c.server, "https://127.0.0.1:6443");
  assert.equal(c.namespace, "operators");
  assert.match(c.tls.caData!, /BEGIN CERTIFICATE/);
  assert.deepEqual(c.auth, { type: "tokenFile", path: `${dir}/token`, reloadIntervalMs: 60_000 });
  const v6 = await loadKubeConfig({
    mode: "in-cluster",
    env: { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" },
    serviceAccountDir: dir,
  });
  assert.equal(v6.server, "https://[fd00::1]:443");
  await assert.rejects(
    () => loadKubeConfig({ mode: "in-cluster", env: {}, serviceAccountDir: dir }),
    /expected KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT/,
  );
  await assert.rejects(
    () => loadKubeConfig({ mode: "in-cluster", env, serviceAccountDir: `${FIX}nope` }),
    (e: ConfigError) => e instanceof ConfigError && e.file === `${FIX}nope/token`,
  );
  // Outside a pod (no token), auto mode falls back to the kubeconfig.
  const k = await loadKubeConfig({ env: { ...env, KUBECONFIG: A }, serviceAccountDir: dir });
  assert.equal(k.context, "ctx-a");
});

Deno.test("a JSON kubeconfig is read as JSON; YAML flow style starting with { still parses", async () => {
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server: "http://127.0.0.1:6443" } }],
    users: [{ name: "u", user: { token: "t0k" } }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u", namespace: "ns" } }],
    "current-context": "x",
  };
  const fromJson = await loadKubeConfig({ yaml: JSON.stringify(doc, null, 2) });
  assert.equal(fromJson.server, "http://127.0.0.1:6443");
  assert.equal(fromJson.namespace, "ns");
  // Not strict JSON (unquoted keys): the YAML parser reads it.
  const flow = await loadKubeConfig({
    yaml: `{clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}], ` +
      `contexts: [{name: x, context: {cluster: c}}], current-context: x}`,
  });
  assert.equal(flow.server, "http://127.0.0.1:1");
  await assert.rejects(
    () => loadKubeConfig({ yaml: JSON.stringify({ ...doc, kind: "Pod" }) }),
    (e: Error) => e instanceof ConfigError && /expected kind Config, found "Pod"/.test(e.message),
  );
  await assert.rejects(
    () => loadKubeConfig({ yaml: '{"clusters": [' }),
    (e: Error) => e instanceof ConfigError && /expected valid YAML/.test(e.message),
  );
});
