import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { configureOperatorLogging } from "./logging.ts";
import { LeaderElector, type LeaseApi, type LeaseObject, microTime } from "./leader_election.ts";

/** An in-memory Lease store with resourceVersion conflicts, like the API server's. */
class LeaseStore {
  lease?: LeaseObject;
  rv = 0;
  writes: string[] = [];
  api(who: string, broken: { on: boolean }): LeaseApi {
    const err = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });
    const guard = () => {
      if (broken.on) throw err(503);
    };
    return {
      get: (_name) => {
        guard();
        return this.lease ? Promise.resolve(structuredClone(this.lease)) : Promise.reject(err(404));
      },
      create: (obj) => {
        guard();
        if (this.lease) return Promise.reject(err(409));
        this.lease = {
          ...structuredClone(obj),
          metadata: { ...obj.metadata, resourceVersion: String(++this.rv) },
        };
        this.writes.push(`${who}:create`);
        return Promise.resolve(structuredClone(this.lease));
      },
      replace: (obj) => {
        guard();
        if (obj.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) {
          return Promise.reject(err(409));
        }
        this.lease = {
          ...structuredClone(obj),
          metadata: { ...obj.metadata, resourceVersion: String(++this.rv) },
        };
        this.writes.push(`${who}:${obj.spec?.holderIdentity || "release"}`);
        return Promise.resolve(structuredClone(this.lease));
      },
    };
  }
}

Deno.test("leader election: one leader; a leader that cannot renew steps down before another takes over; release on stop", async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const brokenA = { on: false };
  const opts = {
    name: "op-leader",
    namespace: "default",
    clock,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
  };
  const a = new LeaderElector({ ...opts, api: store.api("a", brokenA), identity: "a" });
  const b = new LeaderElector({ ...opts, api: store.api("b", { on: false }), identity: "b" });
  const leading = new Set<string>();
  const timeline: string[] = [];
  const attempts: string[] = [];
  const run = (e: LeaderElector, id: string, signal: AbortSignal) =>
    e.run({
      signal,
      onAttempt: (acquired) => {
        attempts.push(`${id}:${acquired}`);
        // Told before leading starts, so a caller can stay not-ready until then.
        assert.equal(leading.has(id), false);
      },
      onStartedLeading: (s) => {
        assert.equal(leading.size, 0, `${id} started leading while ${[...leading]} leads`);
        leading.add(id);
        timeline.push(`${id}+${clock.now()}`);
        return new Promise<void>((resolve) =>
          s.addEventListener("abort", () => {
            leading.delete(id);
            timeline.push(`${id}-${clock.now()}`);
            resolve();
          }, { once: true })
        );
      },
    });
  const stopA = new AbortController();
  const stopB = new AbortController();
  const runA = run(a, "a", stopA.signal);
  await clock.tickAsync(0);
  const runB = run(b, "b", stopB.signal);
  for (let i = 0; i < 20; i++) await clock.tickAsync(1_000);
  assert.deepEqual([...leading], ["a"]);
  assert.deepEqual(attempts.slice(0, 2), ["a:true", "b:false"]);
  assert.equal(attempts.filter((x) => x.startsWith("a")).length, 1, "renewals are not attempts");
  assert.equal(a.isLeader, true);
  assert.equal(b.isLeader, false);
  assert.equal(store.lease?.spec?.holderIdentity, "a");
  assert.equal(store.lease?.spec?.renewTime?.endsWith("000Z"), true);

  brokenA.on = true;
  const brokeAt = clock.now();
  for (let i = 0; i < 40; i++) await clock.tickAsync(1_000);
  const aLost = Number(timeline.find((x) => x.startsWith("a-"))!.slice(2));
  const bWon = Number(timeline.find((x) => x.startsWith("b+"))!.slice(2));
  assert.ok(
    aLost - brokeAt <= 10_000 + 2_000,
    `a stepped down ${aLost - brokeAt} ms after failing`,
  );
  assert.ok(bWon > aLost, "b leads only after a stepped down");
  assert.ok(
    bWon - brokeAt >= 15_000 - 2_000,
    `b took over ${bWon - brokeAt} ms after a's last renew`,
  );
  assert.equal(store.lease?.spec?.holderIdentity, "b");
  assert.equal(store.lease?.spec?.leaseTransitions, 1);

  stopA.abort();
  stopB.abort();
  await clock.tickAsync(0);
  await Promise.all([runA, runB]);
  assert.equal(store.lease?.spec?.holderIdentity, "", "b released the lease on stop");
  assert.equal(store.writes.at(-1), "b:release");
  assert.equal(clock.pending, 0);
});

for (const mode of ["fail", "hang"] as const) {
  Deno.test(`leader election: a leader whose renewals ${mode} steps down exactly at the renew deadline`, async () => {
    // A retry period that does not divide the deadline: the last failed attempt before the
    // deadline is followed by a sleep that ends after it; leadership must not wait for it.
    const clock = new FakeClock(0);
    const store = new LeaseStore();
    const api = store.api("a", { on: false });
    let broken = false;
    const guarded: LeaseApi = {
      get: (name, o) => {
        if (!broken) return api.get(name, o);
        if (mode === "fail") return Promise.reject(Object.assign(new Error("503"), { code: 503 }));
        return new Promise((_, reject) =>
          o.signal?.addEventListener("abort", () => reject(o.signal!.reason), { once: true })
        );
      },
      create: (obj, o) => api.create(obj, o),
      replace: (obj, o) => api.replace(obj, o),
    };
    const a = new LeaderElector({
      api: guarded,
      name: "op-leader",
      namespace: "default",
      identity: "a",
      clock,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 3_000,
    });
    let stoppedAt: number | undefined;
    const stop = new AbortController();
    const running = a.run({
      signal: stop.signal,
      onStartedLeading: (s) =>
        new Promise<void>((resolve) =>
          s.addEventListener("abort", () => {
            stoppedAt ??= clock.now();
            resolve();
          }, { once: true })
        ),
    });
    for (let i = 0; i < 7; i++) await clock.tickAsync(1_000);
    assert.equal(a.isLeader, true);
    broken = true;
    const lastRenew = Date.parse(store.lease!.spec!.renewTime!);
    for (let i = 0; i < 20; i++) await clock.tickAsync(500);
    assert.equal(stoppedAt, lastRenew + 10_000, `stepped down ${stoppedAt! - lastRenew} ms after`);
    stop.abort();
    await clock.tickAsync(0);
    await running;
    assert.equal(clock.pending, 0);
  });
}

Deno.test("leader election: renewDeadline must be shorter than the lease", () => {
  assert.throws(
    () =>
      new LeaderElector({
        api: new LeaseStore().api("x", { on: false }),
        name: "l",
        namespace: "d",
        leaseDurationMs: 5_000,
        renewDeadlineMs: 5_000,
      }),
    /renewDeadlineMs < leaseDurationMs/,
  );
  assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), "2026-01-02T03:04:05.678000Z");
});

Deno.test("leader election: a standby logs its candidacy once and the holder once per change", async () => {
  const lines: Array<{ message: string; properties: Record<string, unknown> }> = [];
  await using _logging = await configureOperatorLogging({
    level: "info",
    format: "json",
    write: (l) => void lines.push(JSON.parse(l)),
  });
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const opts = {
    name: "op-leader",
    namespace: "default",
    clock,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
  };
  const holdUntilAbort = (s: AbortSignal) =>
    new Promise<void>((r) => s.addEventListener("abort", () => r(), { once: true }));
  const a = new LeaderElector({ ...opts, api: store.api("a", { on: false }), identity: "a" });
  const c = new LeaderElector({ ...opts, api: store.api("c", { on: false }), identity: "c" });
  const b = new LeaderElector({ ...opts, api: store.api("b", { on: false }), identity: "b" });
  const stopA = new AbortController();
  const stopB = new AbortController();
  const stopC = new AbortController();
  const runA = a.run({ signal: stopA.signal, onStartedLeading: holdUntilAbort });
  await clock.tickAsync(0);
  const runB = b.run({ signal: stopB.signal, onStartedLeading: holdUntilAbort });
  for (let i = 0; i < 20; i++) await clock.tickAsync(1_000); // ~10 attempts by b
  assert.equal(b.holder, "a");
  assert.equal(b.lease, "default/op-leader");
  // a steps down and releases; c takes the lease before b's next attempt.
  stopA.abort();
  await clock.tickAsync(0);
  await runA;
  const runC = c.run({ signal: stopC.signal, onStartedLeading: holdUntilAbort });
  await clock.tickAsync(0);
  for (let i = 0; i < 10; i++) await clock.tickAsync(1_000);
  assert.equal(c.isLeader, true);
  assert.equal(b.holder, "c");
  stopB.abort();
  stopC.abort();
  await clock.tickAsync(0);
  await Promise.all([runB, runC]);
  const mine = lines.filter((l) => l.properties.identity === "b").map((l) =>
    l.message.replaceAll('"', "")
  );
  assert.deepEqual(mine, [
    "b is a candidate for lease default/op-leader",
    "b is standby: lease default/op-leader is held by a",
    "b is standby: lease default/op-leader is held by c",
  ]);
});

Deno.test("leader election: a renewal written but cut short by the shutdown does not stop the release", async () => {
  const clock = new FakeClock(0);
  const store = new LeaseStore();
  const a = new LeaderElector({
    api: store.api("a", { on: false }),
    name: "op-leader",
    namespace: "default",
    identity: "a",
    clock,
  });
  const stop = new AbortController();
  const run = a.run({
    signal: stop.signal,
    onStartedLeading: (s) =>
      new Promise<void>((r) => s.addEventListener("abort", () => r(), { once: true })),
  });
  await clock.tickAsync(0);
  assert.equal(a.isLeader, true);
  // The server stored a renewal whose answer never arrived: a newer resourceVersion.
  store.lease!.metadata.resourceVersion = String(++store.rv);
  stop.abort();
  await clock.tickAsync(0);
  await run;
  assert.equal(store.lease?.spec?.holderIdentity, "");
  assert.equal(store.writes.at(-1), "a:release");
});
