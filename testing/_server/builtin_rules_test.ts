import assert from "node:assert/strict";
import { builtinResources } from "../_schema/builtin.ts";
import { builtinDefaults, builtinOnCreate, builtinRules } from "./builtin_rules.ts";
import { builtinInfo } from "./registry.ts";
import type { Obj } from "./util.ts";

const info = (plural: string, group = "") =>
  builtinInfo(builtinResources().find((r) => r.plural === plural && r.group === group)!);

Deno.test("container imagePullPolicy defaults by tag (SetDefaults_Container)", () => {
  const images = ["nginx", "nginx:latest", "localhost:5000/app", "app:1.0", "app@sha256:abc"];
  const pod: Obj = {
    metadata: { name: "p" },
    spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
  };
  builtinDefaults(info("pods"), pod, "uid");
  const spec = pod.spec as { containers: Obj[] };
  assert.deepEqual(spec.containers.map((c) => c.imagePullPolicy), [
    "Always",
    "Always",
    "Always",
    "IfNotPresent",
    "IfNotPresent",
  ]);
  builtinOnCreate(info("pods"), pod, "uid", { status: {}, controllers: true });
  assert.deepEqual(pod.status, { phase: "Pending", qosClass: "BestEffort" });
});

Deno.test("job defaults: both counts 1 only when both are unset; parallelism alone stays", () => {
  const only: Obj = { metadata: { name: "j" }, spec: { parallelism: 3, template: {} } };
  builtinDefaults(info("jobs", "batch"), only, "u");
  assert.equal((only.spec as Obj).completions, undefined);
  assert.equal((only.spec as Obj).backoffLimit, 6);
  const perIndex: Obj = { metadata: { name: "j" }, spec: { backoffLimitPerIndex: 1 } };
  builtinDefaults(info("jobs", "batch"), perIndex, "u");
  assert.equal((perIndex.spec as Obj).backoffLimit, 2147483647);
});

Deno.test("workload rules: selector must match labels; template restartPolicy Always", () => {
  const d: Obj = {
    metadata: { name: "d" },
    spec: {
      selector: { matchExpressions: [{ key: "app", operator: "In", values: ["a", "b"] }] },
      template: {
        metadata: { labels: { app: "c" } },
        spec: { restartPolicy: "Never", containers: [{ name: "c", image: "x:1" }] },
      },
    },
  };
  const causes = builtinRules(info("deployments", "apps"), d);
  assert.deepEqual(causes.map((c) => c.field), [
    "spec.template.metadata.labels",
    "spec.template.spec.restartPolicy",
  ]);
  assert.equal(
    causes[0].message,
    'Invalid value: {"app":"c"}: `selector` does not match template `labels`',
  );
  assert.equal(causes[1].message, 'Unsupported value: "Never": supported values: "Always"');
});
