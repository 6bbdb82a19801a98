// crudResource and the shipped middlewares (retry, metrics, logging, timeout) inside a running
// controller, against the cluster from testCluster().
import assert from "node:assert/strict";
import type { ConfigMap } from "../../client/builtin_types.ts";
import { ConfigMaps } from "../../client/builtins.ts";
import { isAlreadyExists, isNotFound } from "../../client/errors.ts";
import { crudResource } from "../../controller/crud_resource.ts";
import {
  logging,
  metrics,
  ResourceMetrics,
  ResourceTimeoutError,
  retry,
  timeout,
} from "../../controller/middlewares.ts";
import { wrap } from "../../controller/wrap.ts";
import {
  countingResource,
  type Env,
  eventually,
  keyOf,
  RecordingLogger,
  setup,
  type Widget,
} from "./_helpers.ts";

// A ConfigMap `<widget>-data` with data.value = spec.value, kept by crudResource.
function configMapResource(env: Env, log: string[]) {
  const cms = env.client.resource(ConfigMaps);
  return crudResource<Widget, ConfigMap | undefined>({
    name: "configmap",
    async getCurrentState(w, ctx) {
      try {
        return await cms.get(`${w.metadata.name}-data`, {
          namespace: w.metadata.namespace,
          signal: ctx.signal,
        });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    getDesiredState: (w) =>
      Promise.resolve({
        metadata: { name: `${w.metadata.name}-data`, namespace: w.metadata.namespace },
        data: { value: w.spec.value },
      }),
    newUpdatePatch(_w, { current, desired }) {
      if (!current) return Promise.resolve({ create: desired });
      if (current.data?.value !== desired!.data!.value) {
        return Promise.resolve({ update: { ...current, data: desired!.data } });
      }
      return Promise.resolve({});
    },
    newDeletePatch: (_w, { current }) => Promise.resolve(current ? { delete: current } : {}),
    async applyCreateChange(_w, { change, ctx }) {
      try {
        await cms.create(change!, { signal: ctx.signal });
        log.push(`create ${change!.data!.value}`);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    },
    async applyUpdateChange(_w, { change, ctx }) {
      await cms.replace(change!, { signal: ctx.signal });
      log.push(`update ${change!.data!.value}`);
    },
    async applyDeleteChange(_w, { change, ctx }) {
      try {
        await cms.delete(change!.metadata.name!, {
          namespace: change!.metadata.namespace,
          signal: ctx.signal,
        });
        log.push("delete");
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  });
}

Deno.test("crudResource: creates, updates on a spec change, deletes on ensureDeleted", async () => {
  await using env = await setup();
  const log: string[] = [];
  const controller = env.controller({ resources: [configMapResource(env, log)] });
  await controller.start();
  const cms = env.client.resource(ConfigMaps);
  const value = async () =>
    (await cms.get("a-data", { namespace: env.namespace }).catch(() => undefined))?.data?.value;
  await env.create("a", { value: "one" });
  await eventually("created", async () => (await value()) === "one");
  await env.widgets.patch("a", {
    namespace: env.namespace,
    type: "merge",
    body: { spec: { value: "two" } },
  });
  await eventually("updated", async () => (await value()) === "two");
  await env.widgets.delete("a", { namespace: env.namespace });
  await eventually("the Widget gone", async () => (await env.get("a")) === undefined);
  assert.equal(await value(), undefined);
  assert.deepEqual(log, ["create one", "update two", "delete"]);
  assert.equal(controller.stats.errors, 0);
});

Deno.test("wrappers: retry, metrics and logging around a flaky resource in a controller", async () => {
  await using env = await setup();
  const registry = new ResourceMetrics();
  const logger = new RecordingLogger();
  let calls = 0;
  const flaky = countingResource("flaky", {
    created: () => {
      // Fails twice per reconcile-attempt series, then succeeds: retry absorbs it.
      if (++calls % 3 !== 0) throw new Error("transient");
    },
  });
  const res = wrap(
    flaky,
    logging(),
    metrics(registry),
    retry({ attempts: 3, baseDelayMs: 5 }),
  );
  const controller = env.controller({ resources: [res], logger });
  await controller.start();
  await env.create("a", { finalizers: ["operatorkit.io/widget-test"] });
  await eventually("succeeded through retry", () => calls >= 3);
  await eventually("idle", () => controller.queue.length + controller.queue.processing === 0);
  assert.equal(controller.stats.errors, 0, "retry kept the failures inside one reconcile");
  const [sample] = registry.samples();
  assert.equal(sample.resource, "flaky");
  assert.equal(sample.operation, "ensureCreated");
  // metrics sits inside logging and outside retry: one observation per reconcile.
  assert.equal(sample.count, calls / 3);
  assert.equal(sample.errors, 0);
  assert.ok(sample.durationSumMs >= 10, "two retry delays of >= 5 ms were measured");
  assert.match(
    registry.toPrometheus(),
    /operatorkit_resource_operations_total\{resource="flaky",operation="ensureCreated"\} \d/,
  );
  const lines = logger.lines.filter((l) => l.properties.resource === "flaky");
  assert.ok(lines.some((l) => /ensureCreated flaky started/.test(l.message)));
  assert.ok(lines.some((l) => /ensureCreated flaky finished in/.test(l.message)));
  assert.equal(lines[0].properties.key, keyOf(env, "a"));
});

Deno.test("wrappers: timeout aborts a hanging operation, the reconcile fails and is retried", async () => {
  await using env = await setup();
  let attempts = 0;
  let abortedWith: unknown;
  const hanging = countingResource("hanging", {
    created: async (_obj, ctx) => {
      attempts++;
      if (attempts > 2) return;
      await new Promise<void>((resolve) => {
        ctx.signal.addEventListener("abort", () => {
          abortedWith = ctx.signal.reason;
          resolve();
        }, { once: true });
      });
    },
  });
  const registry = new ResourceMetrics();
  const controller = env.controller({
    resources: [wrap(hanging, metrics(registry), timeout(50))],
    backoff: { baseDelayMs: 5 },
  });
  await controller.start();
  await env.create("a", { finalizers: ["operatorkit.io/widget-test"] });
  await eventually("third attempt", () => attempts >= 3);
  await eventually("idle", () => controller.queue.length + controller.queue.processing === 0);
  assert.ok(abortedWith instanceof ResourceTimeoutError);
  assert.equal(controller.stats.errors, 2);
  const [sample] = registry.samples();
  assert.equal(sample.errors, 2);
  assert.ok(sample.durationMaxMs >= 45);
});
