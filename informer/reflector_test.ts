import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { FakeCluster } from "./_fake_cluster_test.ts";
import { Informer } from "./informer.ts";
import { Reflector, REFLECTOR_TRANSITIONS } from "./reflector.ts";

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

/** A sink that takes everything and is never full. */
const NULL_SINK = {
  replace() {},
  event() {},
  full: () => false,
  waitForRoom: () => Promise.resolve(),
};

/** Advances the fake clock second by second, sending a bookmark every `everyMs` like a server. */
async function run(
  clock: FakeClock,
  cluster: FakeCluster,
  ms: number,
  opts: { everyMs?: number; until?: () => boolean } = {},
): Promise<number> {
  const start = clock.now();
  while (clock.now() - start < ms) {
    await clock.tickAsync(1000);
    if (opts.everyMs && clock.now() % opts.everyMs === 0) cluster.bookmark();
    await settle();
    if (opts.until?.()) break;
  }
  return clock.now() - start;
}

Deno.test("liveness (defaults): a live watch with a bookmark a minute is never closed", async () => {
  const cluster = new FakeCluster();
  const clock = new FakeClock(0);
  const informer = new Informer(cluster, { clock, random: () => 0 });
  informer.start();
  await informer.ready();
  await settle();
  await run(clock, cluster, 300_000, { everyMs: 60_000 });
  const h = informer.health();
  assert.deepEqual(h.reconnectReasons, {});
  assert.equal(cluster.watchCalls.length, 1);
  assert.equal(h.phase, "watching");
  assert.equal(h.watching, true);
  assert.equal(h.watchStaleMs, undefined);
  await informer.stop();
});

Deno.test("liveness (defaults): a silenced watch is resumed from its resourceVersion and the missed change arrives within 120 s", async () => {
  const cluster = new FakeCluster();
  cluster.create("ns", "a");
  const clock = new FakeClock(0);
  const informer = new Informer(cluster, { clock, random: () => 0 });
  const added: string[] = [];
  informer.addHandler({ onAdd: (o) => void added.push(o.metadata.name!) });
  informer.start();
  await informer.ready();
  await run(clock, cluster, 60_000, { everyMs: 60_000 }); // the bookmark at 60 s arrives
  const rv = informer.resourceVersion;
  // Half-open right after a bookmark: the worst case for detection.
  cluster.silenceWatches();
  cluster.create("ns", "missed");
  const took = await run(clock, cluster, 200_000, {
    everyMs: 60_000,
    until: () => added.includes("missed"),
  });
  assert.ok(added.includes("missed"), "the missed change was delivered");
  assert.ok(took > 60_000, `not before a bookmark was overdue (took ${took} ms)`);
  assert.ok(took <= 120_000, `expected the missed change within 120 s, took ${took} ms`);
  const h = informer.health();
  assert.equal(h.reconnectReasons.idle, 1);
  assert.deepEqual(h.relistReasons, { initial: 1 }, "resumed, not relisted");
  assert.equal(cluster.watchCalls.at(-1)?.resourceVersion, rv);
  // One full LIST; the silenced watch also made one bookmark nudge (a LIST of one object).
  assert.deepEqual(cluster.listCalls.map((c) => c.limit), [500, 1]);
  await informer.stop();
});

Deno.test("liveness: a watch quiet for half a bookmark interval makes one consistent LIST of one object, once per connection", async () => {
  const cluster = new FakeCluster();
  const clock = new FakeClock(0);
  const informer = new Informer(cluster, {
    clock,
    random: () => 0,
    namespace: "ns",
    labelSelector: "app=a",
  });
  informer.start();
  await informer.ready();
  await settle();
  await run(clock, cluster, 29_000);
  assert.equal(cluster.listCalls.length, 1, "no nudge before 30 s");
  await run(clock, cluster, 1000);
  assert.equal(cluster.listCalls.length, 2, "a nudge at 30 s");
  const nudge = cluster.listCalls[1];
  assert.equal(nudge.limit, 1);
  assert.equal(nudge.namespace, "ns");
  assert.equal(nudge.labelSelector, "app=a");
  assert.equal(nudge.resourceVersion, undefined, "a consistent read");
  cluster.bookmark();
  await run(clock, cluster, 240_000, { everyMs: 60_000 });
  assert.equal(cluster.listCalls.length, 2, "none once the connection delivered a bookmark");
  assert.deepEqual(informer.health().reconnectReasons, {});
  await informer.stop();
});

Deno.test("the liveness bound follows the server's bookmark interval and can be set", async () => {
  for (
    const [opts, expected] of [[{}, 90_000], [{ bookmarkIntervalMs: 2000 }, 3000], [{
      idleTimeoutMs: 5000,
    }, 5000]] as const
  ) {
    const cluster = new FakeCluster();
    const clock = new FakeClock(0);
    const informer = new Informer(cluster, { clock, random: () => 0, ...opts });
    informer.start();
    await informer.ready();
    await settle();
    await clock.tickAsync(expected - 1);
    await settle();
    assert.equal(cluster.watchCalls.length, 1, `no reconnect before ${expected} ms`);
    await clock.tickAsync(1);
    await settle();
    assert.equal(cluster.watchCalls.length, 2, `a reconnect at ${expected} ms`);
    assert.equal(informer.health().reconnectReasons.idle, 1);
    await informer.stop();
  }
});

Deno.test("staleness: a synced informer whose watch fails on every attempt is stale after staleAfterMs, and recovers", async () => {
  const cluster = new FakeCluster();
  const clock = new FakeClock(0);
  const informer = new Informer(cluster, {
    clock,
    random: () => 0,
    backoff: { initialMs: 1000, maxMs: 5000 },
  });
  informer.start();
  await informer.ready();
  await settle();
  assert.equal(informer.health().watching, true);
  cluster.failNext(1000, 500, "watch");
  cluster.bookmark(); // not a watch that closed at once
  cluster.endWatches();
  await settle();
  let h = informer.health();
  assert.equal(h.phase, "backoff");
  assert.equal(h.lastFailureReason, "http-500");
  await run(clock, cluster, 59_000);
  assert.equal(informer.health().watchStaleMs, undefined, "not stale before 60 s");
  await run(clock, cluster, 2_000);
  h = informer.health();
  assert.ok(h.watchStaleMs !== undefined && h.watchStaleMs >= 60_000, `stale: ${h.watchStaleMs}`);
  assert.equal(h.synced, true);
  cluster.clearFailures();
  await run(clock, cluster, 10_000, { until: () => informer.health().watching === true });
  h = informer.health();
  assert.equal(h.watching, true);
  assert.ok(h.watchStaleMs !== undefined, "a watch that just opened does not end staleness yet");
  await run(clock, cluster, 5_000);
  assert.equal(informer.health().watchStaleMs, undefined, "open for 5 s: a working watch");
  // Once more, ended by the first bookmark instead.
  cluster.failNext(1000, 500, "watch");
  cluster.endWatches();
  await run(clock, cluster, 61_000);
  assert.ok(informer.health().watchStaleMs !== undefined);
  cluster.clearFailures();
  await run(clock, cluster, 10_000, { until: () => informer.health().watching === true });
  cluster.bookmark();
  await settle();
  assert.equal(informer.health().watchStaleMs, undefined, "a bookmark ends staleness at once");
  await informer.stop();
});

Deno.test("the reflector's phases follow its transition table", async () => {
  const cluster = new FakeCluster();
  const clock = new FakeClock(0);
  const phases: string[] = [];
  const r = new Reflector(cluster, {
    clock,
    random: () => 0,
    backoff: { initialMs: 100 },
    log: { debug() {}, info() {}, warn() {}, error() {} },
    onPhase: (next, prev) => {
      assert.ok(REFLECTOR_TRANSITIONS[prev].includes(next), `${prev} -> ${next}`);
      phases.push(next);
    },
  });
  const ac = new AbortController();
  const done = r.run(NULL_SINK, ac.signal);
  await settle();
  cluster.failNext(1, 500, "watch");
  cluster.bookmark();
  cluster.endWatches();
  await settle();
  await clock.tickAsync(100);
  await settle();
  cluster.compact();
  await settle();
  ac.abort();
  await done;
  assert.deepEqual(phases, [
    "listing",
    "watching",
    "backoff",
    "watching",
    "listing",
    "watching",
    "stopped",
  ]);
});

Deno.test("every failed watch attempt logs one warning with its real reason", async () => {
  const { WatchLineError } = await import("../client/errors.ts");
  const cluster = new FakeCluster();
  const clock = new FakeClock(0);
  const warnings: Array<Record<string, unknown> | undefined> = [];
  const r = new Reflector(cluster, {
    clock,
    random: () => 0,
    idleTimeoutMs: 10_000,
    watchTimeoutSeconds: 300,
    backoff: { initialMs: 100 },
    log: { debug() {}, info() {}, warn: (_m, p) => void warnings.push(p), error() {} },
  });
  const ac = new AbortController();
  const done = r.run(NULL_SINK, ac.signal);
  await settle();
  const step = async (fault: () => void, ms = 0) => {
    cluster.bookmark(); // the attempt delivered something: not a watch closed at once
    await settle();
    fault();
    await settle();
    await clock.tickAsync(ms);
    await settle();
  };
  await step(() => cluster.endWatches()); // closed by the server long before its timeout
  await step(() => cluster.breakWatches(new WatchLineError("{x", { reason: "invalid JSON" })), 100);
  await step(() => {
    cluster.failNext(1, 500, "watch"); // the next attempt is refused
    cluster.endWatches(); // this one ends early: logged as server-closed
  }, 0);
  await clock.tickAsync(200);
  await settle();
  await step(() => {}, 10_000); // silence: the idle timeout
  ac.abort();
  await done;
  assert.deepEqual(warnings.map((w) => w?.reason), [
    "server-closed",
    "decode-error",
    "server-closed",
    "http-500",
    "idle",
  ]);
  assert.equal(warnings[3]?.stage, "watch");
});
