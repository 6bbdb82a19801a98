import assert from "node:assert/strict";
import { defaultUserAgent, Transport } from "./transport.ts";
import { ApiError, ConfigError } from "./errors.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { json, serve, status, until } from "../tests/client/_serve.ts";

const FIX = new URL("../tests/fixtures/tls/", import.meta.url).pathname;

Deno.test("request: user agent, auth header, query and JSON body", async () => {
  await using srv = serve(() => json({ ok: true }, 201));
  using t = new Transport(srv.config({ auth: { type: "token", token: "tok" } }));
  const out = await t.json<{ ok: boolean }>({
    method: "POST",
    path: "/api/v1/namespaces/default/configmaps",
    query: { fieldManager: "me", dryRun: undefined, limit: 5 },
    body: { a: 1 },
  });
  assert.deepEqual(out, { ok: true });
  const r = srv.requests[0];
  assert.equal(r.headers.get("user-agent"), `operatorkit/0.1.0 (deno/${Deno.version.deno})`);
  assert.equal(defaultUserAgent(), r.headers.get("user-agent"));
  assert.equal(r.headers.get("authorization"), "Bearer tok");
  assert.equal(r.headers.get("content-type"), "application/json");
  assert.equal(r.query.toString(), "fieldManager=me&limit=5");
  assert.equal(r.body, '{"a":1}');
});

Deno.test("errors: a Status body and a plain-text body both become ApiError", async () => {
  await using srv = serve((_req, rec) =>
    rec.path === "/status"
      ? status(409, "AlreadyExists", 'configmaps "a" already exists')
      : new Response("404 page not found\n", { status: 404 })
  );
  using t = new Transport(srv.config(), { retries: 0 });
  await assert.rejects(() => t.json({ method: "POST", path: "/status", body: {} }), (e: Error) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.isAlreadyExists(), true);
    assert.equal(e.status.message, 'configmaps "a" already exists');
    return true;
  });
  await assert.rejects(() => t.json({ method: "GET", path: "/nope" }), (e: Error) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.isNotFound(), true);
    assert.equal(e.status.message, "404 page not found");
    return true;
  });
});

Deno.test("429 is retried on every verb, honouring Retry-After on the injected clock", async () => {
  let n = 0;
  await using srv = serve(() =>
    ++n <= 2
      ? new Response("Too many requests, please try again later.", {
        status: 429,
        headers: { "retry-after": "7" },
      })
      : json({ done: true }, 201)
  );
  const clock = new FakeClock(0);
  using t = new Transport(srv.config(), { clock, qps: 0 });
  const p = t.json({ method: "POST", path: "/x", body: {} });
  for (let i = 0; i < 2; i++) {
    await until(() => clock.pending > 0);
    assert.equal(clock.nextDeadline()! - clock.now(), 7000); // Retry-After: 7
    await clock.tickAsync(7000);
  }
  assert.deepEqual(await p, { done: true });
  assert.equal(srv.requests.length, 3);
});

Deno.test("5xx and connection errors are retried on idempotent verbs only", async () => {
  let n = 0;
  await using srv = serve(() => (++n % 2 === 1 ? status(503, "ServiceUnavailable") : json({})));
  using t = new Transport(srv.config(), { backoffMs: 1, qps: 0 });
  await t.json({ method: "GET", path: "/a" });
  assert.equal(srv.requests.length, 2);
  await assert.rejects(
    () => t.json({ method: "POST", path: "/b", body: {} }),
    (e: ApiError) => e.code === 503,
  );
  assert.equal(srv.requests.length, 3);
  let always = 0;
  await using down = serve(() => (always++, status(500, "InternalError")));
  using t2 = new Transport(down.config(), { backoffMs: 1, retries: 2, qps: 0 });
  await assert.rejects(
    () => t2.json({ method: "DELETE", path: "/c" }),
    (e: ApiError) => e.code === 500,
  );
  assert.equal(always, 3);
  // Connection refused: retried for GET, then the network error surfaces.
  const port = down.port;
  await down.close();
  using t3 = new Transport({ ...down.config(), server: `http://127.0.0.1:${port}` }, {
    backoffMs: 1,
    retries: 1,
    qps: 0,
  });
  await assert.rejects(() => t3.json({ method: "GET", path: "/d" }), TypeError);
});

Deno.test("401 re-reads a token file once and retries", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/token`, "old");
    await using srv = serve((req) =>
      req.headers.get("authorization") === "Bearer new"
        ? json({ ok: 1 })
        : status(401, "Unauthorized")
    );
    using t = new Transport(srv.config({ auth: { type: "tokenFile", path: `${dir}/token` } }));
    await assert.rejects(
      () => t.json({ method: "GET", path: "/a" }),
      (e: ApiError) => e.code === 401,
    );
    assert.equal(srv.requests.length, 2); // one refresh, then the 401 stands
    await Deno.writeTextFile(`${dir}/token`, "new");
    assert.deepEqual(await t.json({ method: "GET", path: "/a" }), { ok: 1 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rate limiter: qps and burst on the injected clock", async () => {
  await using srv = serve(() => json({}));
  const clock = new FakeClock(0);
  using t = new Transport(srv.config(), { clock, qps: 2, burst: 2 });
  await t.json({ method: "GET", path: "/1" });
  await t.json({ method: "GET", path: "/2" });
  let third = false;
  const p = t.json({ method: "GET", path: "/3" }).then(() => (third = true));
  await until(() => clock.pending > 0);
  assert.equal(clock.nextDeadline()! - clock.now(), 500); // 1 token at 2 qps
  assert.equal(third, false);
  await clock.tickAsync(500);
  await p;
  assert.equal(srv.requests.length, 3);
  // An aborted wait gives its token back and rejects with the reason.
  const ac = new AbortController();
  const q = t.json({ method: "GET", path: "/4", signal: ac.signal });
  ac.abort(new Error("stop"));
  await assert.rejects(q, /stop/);
});

Deno.test("TLS: the cluster CA verifies the server; insecure-skip-tls-verify is a ConfigError", async () => {
  const tls = {
    cert: await Deno.readTextFile(`${FIX}server.crt`),
    key: await Deno.readTextFile(`${FIX}server.key`),
  };
  const ca = await Deno.readTextFile(`${FIX}ca.crt`);
  await using srv = serve(() => json({ gitVersion: "v1" }), { tls });
  using ok = new Transport(srv.config({ tls: { caData: ca } }));
  assert.deepEqual(await ok.json({ method: "GET", path: "/version" }), { gitVersion: "v1" });
  // An untrusted certificate is not retried (it would fail the same way every time).
  const before = srv.requests.length;
  using noCa = new Transport(srv.config(), { backoffMs: 10_000 });
  await assert.rejects(() => noCa.json({ method: "GET", path: "/version" }), TypeError);
  assert.equal(srv.requests.length, before);
  using insecure = new Transport(srv.config({ tls: { insecureSkipTlsVerify: true } }), {
    retries: 0,
  });
  await assert.rejects(() => insecure.json({ method: "GET", path: "/version" }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /--unsafely-ignore-certificate-errors=127\.0\.0\.1/);
    assert.doesNotMatch(e.message, /BEGIN/);
    return true;
  });
});

Deno.test("proxy-url: requests go through the proxy", async () => {
  await using proxy = serve(() => json({ via: "proxy" }));
  // Nothing listens on the target: only the proxy can answer.
  using t = new Transport({
    ...proxy.config(),
    server: "http://127.0.0.1:59999",
    proxyUrl: proxy.url,
  });
  assert.deepEqual(await t.json({ method: "GET", path: "/api/v1/namespaces" }), { via: "proxy" });
  assert.equal(proxy.requests[0].path, "/api/v1/namespaces");
});

Deno.test("client certificate and key from the kubeconfig go into the HTTP client", async () => {
  const tls = {
    cert: await Deno.readTextFile(`${FIX}server.crt`),
    key: await Deno.readTextFile(`${FIX}server.key`),
  };
  await using srv = serve(() => json({ ok: true }), { tls });
  using t = new Transport(srv.config({
    tls: {
      caData: await Deno.readTextFile(`${FIX}ca.crt`),
      certData: await Deno.readTextFile(`${FIX}client.crt`),
      keyData: await Deno.readTextFile(`${FIX}client.key`),
    },
  }));
  // Deno.serve does not ask for client certificates; this proves the client accepts the
  // PEM pair. Verification by a server is tested against a real kube-apiserver (envtest).
  assert.deepEqual(await t.json({ method: "GET", path: "/version" }), { ok: true });
});
