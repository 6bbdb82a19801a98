// Fault controls, bearer-token auth and TLS.
import assert from "node:assert/strict";
import { startApiServer } from "../../testing/api_server.ts";
import { call, cmPath, configMap, WatchReader, withServer } from "./_helpers.ts";

Deno.test("faults.dropWatches ends every open watch cleanly", async () => {
  await withServer(async (s) => {
    const w = await WatchReader.open(s, `${cmPath()}?watch=1&resourceVersion=1`);
    try {
      s.faults.dropWatches();
      assert.equal(await w.next(), undefined);
    } finally {
      await w.close();
    }
  });
});

Deno.test("faults.silenceWatches keeps the connection open but sends nothing", async () => {
  await withServer(async (s) => {
    const w = await WatchReader.open(s, `${cmPath()}?watch=1&resourceVersion=1`);
    try {
      s.faults.silenceWatches();
      await call(s, "POST", cmPath(), { body: configMap("a") });
      assert.ok(await w.quiet(200));
      const fresh = await WatchReader.open(s, `${cmPath()}?watch=1&resourceVersion=1`);
      try {
        assert.equal(
          (await fresh.next())?.object.metadata.name,
          "a",
          "new watches are not silenced",
        );
      } finally {
        await fresh.close();
      }
    } finally {
      await w.close();
    }
  });
});

Deno.test("0.4/12.1 faults.failNext answers 429 with Retry-After, or 500, filtered by verb and resource", async () => {
  await withServer(async (s) => {
    s.faults.failNext(2, { retryAfterSeconds: 3 });
    const a = await call(s, "GET", cmPath());
    assert.equal(a.status, 429);
    assert.equal(a.headers.get("retry-after"), "3");
    assert.equal(a.body.details.retryAfterSeconds, 3);
    assert.equal((await call(s, "GET", "/version")).status, 429);
    assert.equal((await call(s, "GET", cmPath())).status, 200);
    s.faults.failNext(1, { status: 500, verb: "create", resource: "configmaps" });
    assert.equal((await call(s, "GET", cmPath())).status, 200, "verb filter");
    assert.equal(
      (await call(s, "POST", "/api/v1/namespaces/default/secrets", {
        body: { metadata: { name: "s" } },
      })).status,
      201,
    );
    const f = await call(s, "POST", cmPath(), { body: configMap("a") });
    assert.equal(f.status, 500);
    assert.equal(f.body.reason, "InternalError");
    assert.equal((await call(s, "POST", cmPath(), { body: configMap("a") })).status, 201);
  });
});

Deno.test("faults.setLatency delays every response", async () => {
  await withServer(async (s) => {
    s.faults.setLatency(150);
    const t0 = performance.now();
    await call(s, "GET", "/version");
    assert.ok(performance.now() - t0 >= 140);
    s.faults.setLatency(0);
  });
});

Deno.test("faults.restart keeps or drops state on the same port and ends watches", async () => {
  await withServer(async (s) => {
    const a = await call(s, "POST", cmPath(), { body: configMap("a") });
    const w = await WatchReader.open(s, `${cmPath()}?watch=1&resourceVersion=1`);
    await w.next();
    await s.faults.restart({ keepState: true });
    assert.equal(await w.next(), undefined);
    await w.close();
    const got = await call(s, "GET", cmPath("default", "a"));
    assert.equal(got.body.metadata.uid, a.body.metadata.uid);
    await s.faults.restart({ keepState: false });
    assert.equal((await call(s, "GET", cmPath("default", "a"))).status, 404);
    assert.equal((await call(s, "GET", "/api/v1/namespaces/default")).status, 200);
    const resume = await WatchReader.open(
      s,
      `${cmPath()}?watch=1&resourceVersion=${a.body.metadata.resourceVersion}`,
    );
    try {
      assert.equal(
        (await resume.next())?.type,
        "ERROR",
        "old RVs are expired after dropping state",
      );
    } finally {
      await resume.close();
    }
  });
});

Deno.test("auth: with a token every request needs the bearer token (401 Status otherwise)", async () => {
  await withServer(async (s) => {
    const no = await call(s, "GET", cmPath());
    assert.equal(no.status, 401);
    assert.equal(no.body.kind, "Status");
    assert.equal(no.body.reason, "Unauthorized");
    const wrong = await call(s, "GET", cmPath(), { headers: { authorization: "Bearer nope" } });
    assert.equal(wrong.status, 401);
    const ok = await call(s, "GET", cmPath(), { headers: { authorization: "Bearer s3cret" } });
    assert.equal(ok.status, 200);
    const users = s.kubeconfig.users as Array<{ user: { token?: string } }>;
    assert.equal(users[0].user.token, "s3cret");
  }, { token: "s3cret" });
});

Deno.test("kubeconfig: object, YAML and file forms name the server and context embedded", async () => {
  await withServer(async (s) => {
    const kc = s.kubeconfig as Record<string, unknown>;
    assert.equal(kc["current-context"], "embedded");
    const clusters = kc.clusters as Array<{ cluster: { server: string } }>;
    assert.equal(clusters[0].cluster.server, s.url);
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const dir = await Deno.makeTempDir();
    try {
      await s.writeKubeconfig(`${dir}/config`);
      const text = await Deno.readTextFile(`${dir}/config`);
      assert.equal(text, s.kubeconfigYaml);
      assert.match(text, /namespace: default/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

async function openssl(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

Deno.test("tls: with cert and key the server speaks https and the kubeconfig carries the CA", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "1",
      "-subj",
      "/CN=test-ca",
    ], dir);
    await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    await openssl([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "srv.key",
      "-out",
      "srv.csr",
      "-subj",
      "/CN=127.0.0.1",
    ], dir);
    await openssl([
      "x509",
      "-req",
      "-in",
      "srv.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "srv.crt",
      "-days",
      "1",
      "-extfile",
      "ext.cnf",
    ], dir);
    const ca = await Deno.readTextFile(`${dir}/ca.crt`);
    const server = await startApiServer({
      tls: {
        cert: await Deno.readTextFile(`${dir}/srv.crt`),
        key: await Deno.readTextFile(`${dir}/srv.key`),
        ca,
      },
    });
    const client = Deno.createHttpClient({ caCerts: [ca] });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/version`, { client });
      assert.equal(res.status, 200);
      assert.equal((await res.json()).major, "1");
      const clusters = server.kubeconfig.clusters as Array<{ cluster: Record<string, string> }>;
      assert.equal(atob(clusters[0].cluster["certificate-authority-data"]), ca);
    } finally {
      client.close();
      await server.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("close() via AbortSignal and await using leaves nothing running", async () => {
  const ctrl = new AbortController();
  const server = await startApiServer({ signal: ctrl.signal });
  const w = await WatchReader.open(server, `${cmPath()}?watch=1`);
  ctrl.abort();
  await server.close();
  assert.equal(await w.next(), undefined);
  await w.close();
  await assert.rejects(fetch(`${server.url}/version`));
});

Deno.test("startApiServer: a port in use is a clear error", async () => {
  await withServer(async (s) => {
    await assert.rejects(
      startApiServer({ port: s.port }),
      (e: Error) => e.name === "ApiServerStartError" && e.message.includes(`127.0.0.1:${s.port}`),
    );
  });
  await assert.rejects(startApiServer({ port: 70000 }), RangeError);
  await assert.rejects(startApiServer({ history: -1 }), RangeError);
});
