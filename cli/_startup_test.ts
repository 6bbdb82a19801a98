import assert from "node:assert/strict";
import { ApiError, ConfigError } from "../client/errors.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { _describeStartupError, _GaveUp, _isTransient, _retryTransient } from "./_startup.ts";

const server = "https://127.0.0.1:6443";

Deno.test("start-up errors: 403 keeps the server's message on one line", () => {
  const err = new ApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    code: 403,
    reason: "Forbidden",
    message:
      'leases.coordination.k8s.io is forbidden: User "system:serviceaccount:ops:op" cannot create resource "leases"',
  }, { method: "POST", path: "/apis/coordination.k8s.io/v1/namespaces/ops/leases" });
  assert.equal(
    _describeStartupError(err, { server }),
    `403 Forbidden from ${server}: leases.coordination.k8s.io is forbidden: User "system:serviceaccount:ops:op" cannot create resource "leases"`,
  );
});

Deno.test("start-up errors: a kubeconfig error keeps its file and field; a chain joins on one line", () => {
  const cfg = new ConfigError("expected a context named dev, found none", {
    file: "/tmp/kc",
    field: "current-context",
  });
  assert.match(
    _describeStartupError(cfg),
    /\/tmp\/kc: current-context: expected a context named dev/,
  );
  const chained = new Error("installing CRDs failed", { cause: new Error("line one\nline two") });
  assert.equal(_describeStartupError(chained), "installing CRDs failed: line one line two");
});

Deno.test("start-up errors: a NotCapable anywhere in the chain names the Deno flag", () => {
  const denied = new Deno.errors.NotCapable(
    'Requires net access to "127.0.0.1:6443", run again with the --allow-net flag',
  );
  const wrapped = new TypeError("fetch failed", { cause: denied });
  assert.equal(
    _describeStartupError(wrapped, { server }),
    'missing Deno permission: Requires net access to "127.0.0.1:6443": run deno with --allow-net',
  );
});

function _status(code: number): ApiError {
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    code,
    message: `answered ${code}`,
  }, { method: "POST", path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" });
}

const refused = new TypeError(
  "error sending request for url (http://127.0.0.1:1/apis): client error (Connect): tcp connect error: Connection refused (os error 111)",
);

Deno.test("start-up retries: 5xx, 429, refused, reset and timeouts are transient; 401, 403, TLS, DNS, Deno permissions are not", () => {
  for (const e of [_status(500), _status(503), _status(429), refused]) {
    assert.equal(_isTransient(e), true, String(e));
  }
  assert.equal(_isTransient(new Deno.errors.ConnectionReset("reset")), true);
  assert.equal(_isTransient(new Error("outer", { cause: new Deno.errors.TimedOut("t") })), true);
  const definite = [
    _status(401),
    _status(403),
    _status(404),
    new TypeError("client error (Connect): invalid peer certificate: UnknownIssuer"),
    new TypeError("client error (Connect): dns error: failed to lookup address information"),
    new Deno.errors.NotCapable('Requires net access to "127.0.0.1:6443"'),
    new Error("missing 2 permission(s) (grant them): get leases in namespace ops"),
  ];
  for (const e of definite) assert.equal(_isTransient(e), false, String(e));
});

Deno.test("start-up retries: transient failures are retried with growing backoff until one succeeds", async () => {
  const clock = new FakeClock(0);
  const failures = [_status(500), refused, _status(429)];
  const delays: number[] = [];
  let calls = 0;
  const done = _retryTransient(() => {
    calls++;
    const f = failures.shift();
    return f ? Promise.reject(f) : Promise.resolve("ok");
  }, {
    deadlineMs: 120_000,
    signal: new AbortController().signal,
    clock,
    random: () => 1, // no jitter: the nominal waits
    onRetry: ({ delayMs }) => delays.push(delayMs),
  });
  await clock.runAll();
  assert.equal(await done, "ok");
  assert.equal(calls, 4);
  assert.deepEqual(delays, [250, 500, 1000]);
  assert.equal(clock.now(), 1750);
});

Deno.test("start-up retries: a definite failure is thrown at once, unchanged", async () => {
  const clock = new FakeClock(0);
  const forbidden = _status(403);
  let calls = 0;
  await assert.rejects(
    _retryTransient(() => {
      calls++;
      return Promise.reject(forbidden);
    }, { deadlineMs: 120_000, signal: new AbortController().signal, clock }),
    (e) => e === forbidden,
  );
  assert.equal(calls, 1);
  assert.equal(clock.now(), 0);
});

Deno.test("start-up retries: a failure lasting past the deadline ends with its own line and how long it was retried", async () => {
  const clock = new FakeClock(0);
  let calls = 0;
  const done = _retryTransient(() => {
    calls++;
    return Promise.reject(refused);
  }, { deadlineMs: 10_000, signal: new AbortController().signal, clock, random: () => 1 });
  const seen = done.catch((e) => e);
  await clock.runAll();
  const err = await seen;
  assert.ok(err instanceof _GaveUp);
  assert.equal(err.cause, refused);
  // 250 + 500 + 1000 + 2000 + 4000 = 7750 ms of waits; the next (5000) would pass 10 s.
  assert.equal(calls, 6);
  assert.ok(clock.now() < 10_000);
  assert.equal(
    _describeStartupError(err, { server: "http://127.0.0.1:1" }),
    "connection refused by http://127.0.0.1:1: is the API server running there, and is the " +
      "kubeconfig's cluster.server right? (6 attempt(s) failed within the 10 s start-up " +
      "deadline, --cache-sync-timeout)",
  );
});

Deno.test("start-up retries: an attempt with no answer is aborted at the deadline", async () => {
  const clock = new FakeClock(0);
  let aborted: unknown;
  const done = _retryTransient(
    (signal) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(aborted = signal.reason), { once: true })
      ),
    { deadlineMs: 5_000, signal: new AbortController().signal, clock },
  );
  const seen = done.catch((e) => e);
  await clock.tickAsync(5_000);
  const err = await seen;
  assert.ok(err instanceof _GaveUp);
  assert.ok(aborted instanceof Error);
  assert.match(_describeStartupError(err), /^no answer from the API server: .*timed out.*5 s/);
});

Deno.test("start-up retries: stopping aborts the attempt and the wait", async () => {
  const clock = new FakeClock(0);
  const stop = new AbortController();
  let calls = 0;
  const done = _retryTransient(() => {
    calls++;
    return Promise.reject(_status(500));
  }, { deadlineMs: 120_000, signal: stop.signal, clock });
  const seen = done.catch((e) => e);
  await clock.tickAsync(0);
  stop.abort(new Error("signal"));
  assert.equal((await seen).message, "signal");
  assert.equal(calls, 1);
  assert.equal(clock.pending, 0);
});
