// Controller.inspect() and the reconcile log line against the embedded API server: why each
// reconcile ran (event with resourceVersion, owned object, backoff retry), what it changed
// (resources that wrote, the finalizer patch), keys in backoff with their next attempt, the
// oldest queued key's age; info for a reconcile that changed something, debug for a no-op.
import assert from "node:assert/strict";
import { ConfigMaps } from "../client/builtins.ts";
import type { KubeObject } from "../client/types.ts";
import { InformerFactory } from "../informer/factory.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { Controller } from "./controller.ts";
import type { ContextLogger, Resource } from "./resource.ts";
import { startServerEnv, Thing, until } from "./_server_test_util.ts";

interface Line {
  level: string;
  message: string;
  props: Record<string, unknown>;
}

function recordingLogger(lines: Line[], base: Record<string, unknown> = {}): ContextLogger {
  const at = (level: string) => (message: string, props: Record<string, unknown> = {}) =>
    void lines.push({ level, message, props: { ...base, ...props } });
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    with: (p) => recordingLogger(lines, { ...base, ...p }),
  };
}

Deno.test("inspect() tells why each reconcile ran and what it changed; info only when something changed", async () => {
  await using env = await startServerEnv({ gc: false });
  const clock = new FakeClock(1_000);
  await using factory = new InformerFactory({ listWatch: (t) => env.client.resource(t) });
  const cms = env.client.resource(ConfigMaps);
  let failures = 0;
  const configMap: Resource = {
    name: "configmap",
    ensureCreated: async (o, ctx) => {
      if (failures > 0) {
        failures--;
        throw new Error("backend unavailable");
      }
      const name = `${o.metadata.name}-cm`;
      if (ctx.cache.get(ConfigMaps)?.get(`default/${name}`)) return;
      await cms.create({
        metadata: {
          name,
          namespace: "default",
          ownerReferences: [{
            apiVersion: Thing.apiVersion,
            kind: Thing.kind,
            name: o.metadata.name!,
            uid: o.metadata.uid!,
            controller: true,
          }],
        },
      }).catch((e) => {
        if (e.code !== 409) throw e;
      });
    },
    ensureDeleted: async () => {},
  };
  const lines: Line[] = [];
  const controller = new Controller<KubeObject>({ client: env.client, informers: factory }, {
    name: "things",
    type: Thing as never,
    resources: [configMap],
    namespace: "default",
    owns: [ConfigMaps],
    clock,
    resyncPeriodMs: 0,
    logger: recordingLogger(lines),
  });
  await using _stop = { [Symbol.asyncDispose]: () => controller.stop() };
  const idle = () =>
    until(() => controller.queue.length + controller.queue.processing === 0, 10_000);

  // Before start: a key added by hand waits; its age follows the clock.
  controller.queue.add("default/none");
  clock.tick(250);
  let q = controller.inspect().queue;
  assert.equal(q.depth, 1);
  assert.equal(q.oldestAgeMs, 250);
  assert.equal(controller.inspect().state, "new");

  const a = await env.create("a");
  await controller.start();
  await until(() => controller.inspect().recent.some((r) => r.key === "default/a"), 10_000);
  await until(() => controller.inspect().recent.some((r) => r.acted.includes("configmap")), 10_000);
  await idle();
  // A change to the owned ConfigMap maps to its owner (events arriving while the key already
  // waits are coalesced into the first trigger, so this waits for quiet first).
  const cm = await cms.patch("a-cm", {
    namespace: "default",
    type: "merge",
    body: { metadata: { labels: { touched: "yes" } } },
  });
  await until(() => controller.inspect().recent.some((r) => r.trigger.type === "mapped"), 10_000);
  await idle();
  const recent = controller.inspect().recent.filter((r) => r.key === "default/a").reverse();
  const first = recent[0];
  assert.deepEqual(first.trigger, {
    type: "event",
    event: "add",
    resourceVersion: a.metadata.resourceVersion,
  });
  assert.equal(first.outcome, "created");
  assert.equal(first.attempt, 1);
  assert.deepEqual(first.acted.sort(), ["configmap", "finalizer"]);
  const mapped = recent.find((r) => r.trigger.type === "mapped")!;
  assert.deepEqual(mapped.trigger, {
    type: "mapped",
    via: "owns",
    event: "update",
    kind: "ConfigMap",
    object: "default/a-cm",
    resourceVersion: cm.metadata.resourceVersion,
  });
  // Later reconciles (the finalizer patch's echo, the owned ConfigMap) change nothing.
  for (const r of recent.slice(1)) assert.deepEqual(r.acted, [], JSON.stringify(r));
  const handByHand = controller.inspect().recent.find((r) => r.key === "default/none")!;
  assert.deepEqual(handByHand.trigger, { type: "unknown" });
  assert.equal(handByHand.outcome, "gone");
  assert.equal(handByHand.queueWaitMs, 250);

  const reconciled = lines.filter((l) => l.message.startsWith("reconciled {key}"));
  const info = reconciled.filter((l) => l.level === "info");
  assert.equal(info.length, 1, JSON.stringify(reconciled));
  assert.equal(info[0].props.key, "default/a");
  assert.deepEqual((info[0].props.acted as string[]).sort(), ["configmap", "finalizer"]);
  assert.equal(info[0].props.trigger, `add (rv ${a.metadata.resourceVersion})`);
  assert.ok(reconciled.filter((l) => l.level === "debug").length >= 2);

  // A failing reconcile: the key waits in backoff, shown with its next attempt.
  failures = 1;
  controller.queue.add("default/a");
  // The record lands when the worker's turn ends (after its Warning Event is written).
  await until(
    () => controller.queue.delayed === 1 && controller.inspect().recent[0].outcome === "error",
    10_000,
  );
  q = controller.inspect().queue;
  assert.deepEqual(q.delayed, [{
    key: "default/a",
    reason: "backoff",
    attempts: 1,
    nextAttemptAt: clock.now() + 5,
  }]);
  const failed = controller.inspect().recent[0];
  assert.equal(failed.outcome, "error");
  assert.match(failed.error ?? "", /backend unavailable/);
  failures = 2; // two more failures: attempts 2 and 3 fail, 4 succeeds
  await clock.tickAsync(5);
  await until(() => controller.inspect().recent[0].attempt === 2, 10_000);
  await until(() => controller.queue.delayed === 1, 10_000);
  await clock.tickAsync(10);
  await until(() => controller.inspect().recent[0].attempt === 3, 10_000);
  await until(() => controller.queue.delayed === 1, 10_000);
  await clock.tickAsync(20);
  await until(() => controller.inspect().recent[0].attempt === 4, 10_000);
  await idle();
  const retries = controller.inspect().recent.slice(0, 3);
  assert.deepEqual(
    retries.map((r) => [r.attempt, r.trigger.type, r.outcome]),
    [[4, "requeue", "created"], [3, "requeue", "error"], [2, "requeue", "error"]],
  );
  assert.equal(controller.inspect().state, "running");
});
