import assert from "node:assert/strict";
import { z } from "zod";
import { defineResource } from "./define_resource.ts";
import * as builtins from "./builtins.ts";

Deno.test("defineResource splits apiVersion and infers from a schema", () => {
  const schema = z.object({
    metadata: z.object({ name: z.string().optional() }),
    spec: z.object({ url: z.string() }),
  });
  const W = defineResource({
    apiVersion: "demo.io/v1",
    kind: "Website",
    plural: "websites",
    namespaced: false,
    schema,
  });
  assert.equal(W.group, "demo.io");
  assert.equal(W.version, "v1");
  assert.equal(W.namespaced, false);
  assert.equal(W.schema, schema);
  const core = defineResource({ apiVersion: "v1", kind: "ConfigMap", plural: "configmaps" });
  assert.equal(core.group, "");
  assert.throws(
    () => defineResource({ apiVersion: "demo/v1/x", kind: "W", plural: "ws" }),
    /expected apiVersion/,
  );
  assert.throws(
    () => defineResource({ apiVersion: "v1", kind: "W", plural: "Websites" }),
    /lowercase plural/,
  );
});

Deno.test("built-in resource types", () => {
  assert.equal(Object.keys(builtins).length, 17);
  assert.equal(builtins.Deployments.apiVersion, "apps/v1");
  assert.equal(builtins.ClusterRoleBindings.namespaced, false);
  assert.equal(builtins.Leases.group, "coordination.k8s.io");
});
