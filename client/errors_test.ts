import assert from "node:assert/strict";
import {
  ApiError,
  ConfigError,
  DecodeError,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isTooManyRequests,
  WatchIdleError,
  WatchLineError,
} from "./errors.ts";
import type { Status } from "./types.ts";

const status = (code: number, reason: string): Status => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  reason,
  message: "m",
  code,
});

Deno.test("ApiError guards classify Status codes and reasons", () => {
  const cases: Array<[number, string, (e: unknown) => boolean]> = [
    [404, "NotFound", isNotFound],
    [409, "Conflict", isConflict],
    [409, "AlreadyExists", isAlreadyExists],
    [410, "Expired", isGone],
    [422, "Invalid", isInvalid],
    [403, "Forbidden", isForbidden],
    [429, "TooManyRequests", isTooManyRequests],
  ];
  const all = cases.map((c) => c[2]);
  for (const [code, reason, guard] of cases) {
    const err = ApiError.fromStatus(status(code, reason), { method: "GET", path: "/api/v1/x" });
    assert.equal(err.name, "ApiError");
    assert.equal(guard(err), true, `${reason}`);
    assert.equal(all.filter((g) => g(err)).length, 1, `${reason} matches one guard`);
    assert.match(
      err.message,
      new RegExp(`GET /api/v1/x: expected success, found ${code} ${reason}`),
    );
  }
  assert.equal(isNotFound(new Error("404")), false);
  // A watch ERROR event with Expired and a bare HTTP 410 look the same.
  assert.equal(ApiError.fromStatus({ ...status(410, "Expired") }).isGone(), true);
  assert.equal(ApiError.fromHttp(410, "").isGone(), true);
});

Deno.test("ApiError.fromHttp keeps the code of a plain-text body", () => {
  const e = ApiError.fromHttp(429, "Too many requests, please try again later.\n", {
    retryAfterSeconds: 3,
  });
  assert.equal(e.code, 429);
  assert.equal(e.reason, "TooManyRequests");
  assert.equal(e.retryAfterSeconds, 3);
  assert.equal(e.status.message, "Too many requests, please try again later.");
  assert.equal(ApiError.fromHttp(404, "404 page not found").isNotFound(), true);
  assert.match(ApiError.fromHttp(500, "x".repeat(1000)).message, /\(1000 chars\)/);
});

Deno.test("ConfigError, DecodeError and watch errors carry their data", () => {
  const c = new ConfigError("expected x, found y", { file: "/f", field: "a.b", cause: "c" });
  assert.equal(c.message, "/f: a.b: expected x, found y");
  assert.equal(c.cause, "c");
  const d = new DecodeError({ metadata: { name: "n", namespace: "ns", uid: "u" } }, [
    { path: ["spec", "x"], message: "Required" },
  ], { kind: "Website" });
  assert.equal(d.key, "ns/n");
  assert.equal(d.uid, "u");
  assert.equal(d.message, "Website ns/n: spec.x: Required");
  const w = new WatchLineError("y".repeat(500), { reason: "invalid JSON" });
  assert.equal(w.name, "WatchLineError");
  assert.ok(w.line.startsWith("y".repeat(200)));
  assert.ok(w.line.length < 250);
  assert.equal(new WatchIdleError(5).name, "WatchIdleError");
});
