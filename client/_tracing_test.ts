import assert from "node:assert/strict";
import {
  currentRequestScope,
  describeRequest,
  traceRequest,
  withRequestScope,
} from "./_tracing.ts";

Deno.test("describeRequest reads verb, resource, namespace and name as kube-apiserver does", () => {
  const d = (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, query = {}) =>
    describeRequest({ method, path, query });
  assert.deepEqual(d("GET", "/api/v1/namespaces/default/configmaps/a"), {
    verb: "get",
    resource: "configmaps",
    namespace: "default",
    name: "a",
  });
  assert.deepEqual(d("GET", "/apis/apps/v1/deployments"), {
    verb: "list",
    resource: "deployments.apps",
  });
  assert.equal(d("GET", "/apis/apps/v1/namespaces/x/deployments", { watch: 1 }).verb, "watch");
  assert.deepEqual(
    d("PATCH", "/apis/demo.operatorkit.io/v1alpha1/namespaces/default/websites/blog/status"),
    {
      verb: "patch",
      resource: "websites.demo.operatorkit.io",
      subresource: "status",
      namespace: "default",
      name: "blog",
    },
  );
  assert.deepEqual(d("PUT", "/api/v1/namespaces/team-a/finalize"), {
    verb: "update",
    resource: "namespaces",
    name: "team-a",
    subresource: "finalize",
  });
  assert.equal(d("DELETE", "/api/v1/namespaces/x/pods").verb, "deletecollection");
  assert.equal(d("POST", "/api/v1/namespaces/x/pods").verb, "create");
  assert.deepEqual(d("GET", "/version"), { verb: "get", resource: "/version" });
});

Deno.test("traceRequest counts successful writes into the innermost request scope only", async () => {
  const ok = () => Promise.resolve(new Response(null, { status: 200 }));
  const outer = { writes: 0 };
  const inner = { writes: 0 };
  await withRequestScope(outer, async () => {
    await traceRequest({ method: "POST", path: "/api/v1/namespaces/x/configmaps" }, ok);
    await withRequestScope(inner, async () => {
      assert.equal(currentRequestScope(), inner);
      await traceRequest({ method: "PATCH", path: "/api/v1/namespaces/x/configmaps/a" }, ok);
      await traceRequest({ method: "GET", path: "/api/v1/namespaces/x/configmaps/a" }, ok);
      await assert.rejects(
        traceRequest(
          { method: "PUT", path: "/api/v1/namespaces/x/configmaps/a" },
          () => Promise.reject(new Error("409")),
        ),
      );
    });
  });
  assert.deepEqual([outer.writes, inner.writes], [1, 1]);
  assert.equal(currentRequestScope(), undefined);
});
