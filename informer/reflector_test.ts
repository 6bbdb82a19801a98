import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { FakeCluster } from "./_fake_cluster_test.ts";
import { Informer } from "./informer.ts";

async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 0));
}

Deno.test("a reflector paused for a slow handler is not mistaken for a silent watch", async () => {
  const cluster = new FakeCluster();
  const clock = new FakeClock(0);
  const informer = new Informer(cluster, {
    clock,
    random: () => 0,
    maxBuffered: 2,
    idleTimeoutMs: 1000,
  });
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  let seen = 0;
  informer.addHandler({
    onAdd: async () => {
      await gate;
      seen++;
    },
  });
  informer.start();
  await informer.ready();
  await settle();
  for (let i = 0; i < 10; i++) cluster.create("ns", `o${i}`);
  await settle();
  const watches = cluster.watchCalls.length;
  // The handler holds the reflector for far longer than the idle timeout.
  await clock.tickAsync(5000);
  await settle();
  assert.equal(cluster.watchCalls.length, watches, "no reconnect while waiting for room");
  assert.equal(informer.health().reconnectReasons.idle, undefined);
  release();
  await settle(20);
  await informer.idle();
  assert.equal(seen, 10);
  // Once the reflector reads again, a real silence is still detected.
  await clock.tickAsync(1000);
  await settle();
  assert.equal(informer.health().reconnectReasons.idle, 1);
  await informer.stop();
});
