// The root entry point: what an operator author imports from "@operatorkit/operatorkit".
import assert from "node:assert/strict";
import {
  Controller,
  type OperatorContext,
  PAUSED_ANNOTATION,
  RoleBindings,
  Roles,
  type RunOperatorOptions,
  StatefulSets,
} from "../mod.ts";

Deno.test("root: built-in kinds it carries resolve to their API paths", () => {
  assert.equal(Roles.apiVersion, "rbac.authorization.k8s.io/v1");
  assert.equal(Roles.plural, "roles");
  assert.equal(RoleBindings.plural, "rolebindings");
  assert.equal(RoleBindings.namespaced, true);
  assert.equal(StatefulSets.apiVersion, "apps/v1");
  assert.equal(StatefulSets.plural, "statefulsets");
});

Deno.test("root: the pause annotation and runOperator's options and context", () => {
  assert.equal(PAUSED_ANNOTATION, "operatorkit.io/paused");
  const built: string[] = [];
  const options: RunOperatorOptions = {
    name: "demo",
    args: ["--help"],
    controllers: (ctx: OperatorContext) => {
      built.push(ctx.flags.logLevel);
      return [new Controller(ctx, { type: Roles, resources: [] })];
    },
  };
  assert.equal(options.name, "demo");
  assert.deepEqual(built, [], "the factory runs only when the operator runs");
});
