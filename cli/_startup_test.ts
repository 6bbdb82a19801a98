import assert from "node:assert/strict";
import { ApiError, ConfigError } from "../client/errors.ts";
import { _describeStartupError } from "./_startup.ts";

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
