/**
 * The embedded API server calls admission webhooks only on loopback: a configuration naming any
 * other host fails like an unreachable webhook, before any connection is made, so a test can
 * never send traffic off the machine.
 */
import assert from "node:assert/strict";
import { call, cmPath, configMap, withServer } from "./_helpers.ts";

function validating(url: string, failurePolicy: "Fail" | "Ignore") {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: `guard-${failurePolicy.toLowerCase()}` },
    webhooks: [{
      name: "guard.example.com",
      clientConfig: { url },
      rules: [{
        apiGroups: [""],
        apiVersions: ["v1"],
        operations: ["CREATE"],
        resources: ["configmaps"],
      }],
      failurePolicy,
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      timeoutSeconds: 1,
    }],
  };
}

Deno.test("embedded server: a webhook URL off loopback is refused without dialling it (Fail denies, Ignore admits)", async () => {
  await withServer(async (server) => {
    const path = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";
    const hook = await call(server, "POST", path, {
      body: validating("https://10.0.0.1:443/validate", "Fail"),
    });
    assert.equal(hook.status, 201, hook.text);

    const denied = await call(server, "POST", cmPath(), { body: configMap("a") });
    assert.equal(denied.status, 500, denied.text);
    assert.match(denied.body.message, /only calls webhooks on loopback/);
    assert.match(denied.body.message, /10\.0\.0\.1/);

    const removed = await call(server, "DELETE", `${path}/guard-fail`);
    assert.equal(removed.status, 200, removed.text);
    const ignored = await call(server, "POST", path, {
      body: validating("https://192.168.1.1/validate", "Ignore"),
    });
    assert.equal(ignored.status, 201, ignored.text);
    const admitted = await call(server, "POST", cmPath(), { body: configMap("b") });
    assert.equal(admitted.status, 201, admitted.text);
  });
});
