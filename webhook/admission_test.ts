import assert from "node:assert/strict";
import { z } from "zod";
import { defineCustomResource } from "../client/custom_resource.ts";
import {
  allow,
  deny,
  handleAdmissionReview,
  mutatingWebhook,
  validatingWebhook,
} from "./admission.ts";
import { _applyPatch, type _PatchOp } from "./_json_patch.ts";

const Website = defineCustomResource({
  group: "demo.operatorkit.io",
  version: "v1alpha1",
  kind: "Website",
  scope: "Namespaced",
  spec: z.object({ html: z.string(), replicas: z.int().min(1).max(10).default(1) }),
});

function review(object: unknown, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "uid-1",
      kind: { group: "demo.operatorkit.io", version: "v1alpha1", kind: "Website" },
      resource: { group: "demo.operatorkit.io", version: "v1alpha1", resource: "websites" },
      name: "site",
      namespace: "default",
      operation: "CREATE",
      userInfo: { username: "alice" },
      object,
      ...extra,
    },
  };
}

const site = (spec: Record<string, unknown>) => ({
  apiVersion: "demo.operatorkit.io/v1alpha1",
  kind: "Website",
  metadata: { name: "site", namespace: "default" },
  spec,
});

const decodePatch = (b64: string): _PatchOp[] => JSON.parse(atob(b64));

Deno.test("validating: allow with warnings, deny with message and code, typed decoded object", async () => {
  const hook = validatingWebhook(Website, {
    validate: ({ request }) => {
      const s = request.object!.spec;
      if (s.html.trim() === "") return deny("spec.html must not be empty", { code: 422 });
      return s.replicas > 5 ? allow("more than 5 replicas") : allow();
    },
  });
  const ok = await handleAdmissionReview(hook, review(site({ html: "<h1/>", replicas: 6 })));
  assert.deepEqual(ok, {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    response: { uid: "uid-1", allowed: true, warnings: ["more than 5 replicas"] },
  });
  const no = await handleAdmissionReview(hook, review(site({ html: " " })));
  assert.equal(no.response?.allowed, false);
  assert.equal(no.response?.uid, "uid-1");
  assert.deepEqual(no.response?.status, {
    code: 422,
    message: "spec.html must not be empty",
    status: "Failure",
  });
});

Deno.test("validating: UPDATE sees the old object; DELETE has only oldObject", async () => {
  const seen: unknown[] = [];
  const hook = validatingWebhook(Website, {
    operations: ["UPDATE", "DELETE"],
    validate: ({ request }) => {
      seen.push([request.operation, request.object?.spec.html, request.oldObject?.spec.html]);
      return request.object && request.oldObject &&
          request.object.spec.html !== request.oldObject.spec.html
        ? deny("spec.html is immutable")
        : allow();
    },
  });
  const upd = await handleAdmissionReview(
    hook,
    review(site({ html: "b" }), { operation: "UPDATE", oldObject: site({ html: "a" }) }),
  );
  assert.equal(upd.response?.status?.message, "spec.html is immutable");
  const del = await handleAdmissionReview(
    hook,
    review(null, { operation: "DELETE", oldObject: site({ html: "a" }) }),
  );
  assert.equal(del.response?.allowed, true);
  assert.deepEqual(seen, [["UPDATE", "b", "a"], ["DELETE", undefined, "a"]]);
  // CREATE is not among the operations: allowed without calling the handler.
  const create = await handleAdmissionReview(hook, review(site({ html: "" })));
  assert.equal(create.response?.allowed, true);
  assert.equal(seen.length, 2);
});

Deno.test("bad requests answer a denial review, never throw", async () => {
  const hook = validatingWebhook(Website, { validate: () => allow() });
  const cases: Array<[unknown, RegExp]> = [
    [null, /expected an AdmissionReview object/],
    ["text", /expected an AdmissionReview object/],
    [
      { apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview", request: { uid: "x" } },
      /expected apiVersion admission.k8s.io\/v1 .*found admission.k8s.io\/v1beta1/,
    ],
    [{ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }, /expected request with a uid/],
    [review(site({ html: 3 })), /object is not a valid Website: spec.html: /],
    [review("not an object"), /expected object to be an object/],
  ];
  for (const [body, message] of cases) {
    const r = await handleAdmissionReview(hook, body);
    assert.equal(r.apiVersion, "admission.k8s.io/v1");
    assert.equal(r.response?.allowed, false, JSON.stringify(body));
    assert.equal(r.response?.status?.code, 400);
    assert.match(r.response?.status?.message ?? "", message);
  }
  const bad = await handleAdmissionReview(hook, review(site({ html: 3 })));
  assert.equal(bad.response?.uid, "uid-1");
});

Deno.test("a throwing handler denies with its message; a slow one is cut off at its timeout", async () => {
  const throwing = validatingWebhook(Website, {
    validate: () => {
      throw new Error("lookup of the quota failed");
    },
  });
  const r1 = await handleAdmissionReview(throwing, review(site({ html: "a" })));
  assert.equal(r1.response?.allowed, false);
  assert.equal(r1.response?.status?.message, "lookup of the quota failed");

  let aborted = false;
  const slow = validatingWebhook(Website, {
    handlerTimeoutMs: 30,
    validate: ({ signal }) =>
      new Promise((resolve) => {
        const t = setTimeout(() => resolve(allow()), 5_000);
        signal.addEventListener("abort", () => {
          aborted = true;
          clearTimeout(t);
        });
      }),
  });
  const r2 = await handleAdmissionReview(slow, review(site({ html: "a" })));
  assert.equal(r2.response?.allowed, false);
  assert.match(r2.response?.status?.message ?? "", /did not answer within 30 ms/);
  assert.equal(aborted, true);

  const wrongShape = validatingWebhook(Website, { validate: () => "yes" as never });
  const r3 = await handleAdmissionReview(wrongShape, review(site({ html: "a" })));
  assert.match(r3.response?.status?.message ?? "", /expected the validating handler to return/);
});

Deno.test("mutating: the JSONPatch touches only what the handler changed", async () => {
  const hook = mutatingWebhook(Website, {
    mutate: ({ object }) => {
      object.metadata.labels = { ...object.metadata.labels, "demo/tier": "web" };
      object.spec.html = object.spec.html.trim();
      return { object, warnings: ["html trimmed"] };
    },
  });
  // `extra` is unknown to the schema and `replicas` is defaulted by it: neither is patched.
  const raw = site({ html: "  <h1/>  ", extra: { keep: true } });
  const r = await handleAdmissionReview(hook, review(raw));
  assert.equal(r.response?.allowed, true);
  assert.equal(r.response?.patchType, "JSONPatch");
  assert.deepEqual(r.response?.warnings, ["html trimmed"]);
  const ops = decodePatch(r.response!.patch!);
  assert.deepEqual(ops, [
    { op: "add", path: "/metadata/labels", value: { "demo/tier": "web" } },
    { op: "replace", path: "/spec/html", value: "<h1/>" },
  ]);
  assert.deepEqual(_applyPatch(raw, ops), {
    ...raw,
    metadata: { ...raw.metadata, labels: { "demo/tier": "web" } },
    spec: { html: "<h1/>", extra: { keep: true } },
  });
});

Deno.test("mutating: no change and undefined answer without a patch; deny() denies", async () => {
  const same = mutatingWebhook(Website, { mutate: ({ object }) => object });
  const r1 = await handleAdmissionReview(same, review(site({ html: "a" })));
  assert.deepEqual(r1.response, { uid: "uid-1", allowed: true });
  const none = mutatingWebhook(Website, { mutate: () => undefined });
  assert.deepEqual((await handleAdmissionReview(none, review(site({ html: "a" })))).response, {
    uid: "uid-1",
    allowed: true,
  });
  const no = mutatingWebhook(Website, { mutate: () => deny("frozen") });
  const r3 = await handleAdmissionReview(no, review(site({ html: "a" })));
  assert.equal(r3.response?.status?.message, "frozen");
});

Deno.test("mutating: defaulted field changed, key with / and ~, array and removal", async () => {
  const hook = mutatingWebhook(Website, {
    mutate: ({ object }) => {
      object.spec.replicas = 3; // absent in the raw object (a zod default)
      object.metadata.annotations = { "a/b~c": "1" };
      delete (object.metadata as Record<string, unknown>).finalizers;
      object.metadata.ownerReferences = [];
      return object;
    },
  });
  const raw = {
    ...site({ html: "x" }),
    metadata: { name: "site", finalizers: ["f"], ownerReferences: [{ uid: "1" }] },
  };
  const r = await handleAdmissionReview(hook, review(raw));
  const ops = decodePatch(r.response!.patch!);
  const out = _applyPatch(raw, ops) as Record<string, Record<string, unknown>>;
  assert.equal(out.spec.replicas, 3);
  assert.deepEqual(out.metadata.annotations, { "a/b~c": "1" });
  assert.equal("finalizers" in out.metadata, false);
  assert.deepEqual(out.metadata.ownerReferences, []);
  assert.ok(ops.some((o) => o.path === "/metadata/annotations"));
});

Deno.test("declarations: controller-runtime paths and names; bad options are refused", () => {
  const v = validatingWebhook(Website, { validate: () => allow() });
  assert.equal(v.path, "/validate-demo-operatorkit-io-v1alpha1-website");
  assert.equal(v.name, "vwebsite.demo.operatorkit.io");
  assert.throws(
    () => validatingWebhook(Website, { validate: () => allow(), timeoutSeconds: 31 }),
    /expected timeoutSeconds between 1 and 30, found 31/,
  );
  assert.throws(
    () => mutatingWebhook(Website, { mutate: () => undefined, operations: ["PATCH" as never] }),
    /operations among CREATE/,
  );
});
