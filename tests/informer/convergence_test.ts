// Convergence under faults: 1,000 ConfigMaps under random creates, updates and deletes while
// the embedded server drops, silences and compacts watches, fails requests and adds latency.
// At quiescence the informer's store equals a fresh LIST and every handler agrees with it.
// Seeded: INFORMER_SEED=<n> replays a run; the seed is printed on failure.
import assert from "node:assert/strict";
import { type ConfigMap, ConfigMaps } from "../../client/mod.ts";
import { Informer } from "../../informer/mod.ts";
import { requireFaults } from "../../testing/mod.ts";
import { FAULTS as FAULT_INJECTION, needs } from "../_tier.ts";
import { prng, Recorder, seedFrom, setup, sleep, TrackingFetch } from "./_env.ts";

const OBJECTS = 1000;
const OPERATIONS = 3000;
const FAULTS = [
  ..."drop silence compact compact+drop 500 latency".split(" "),
  ..."drop silence compact compact+drop 500 latency".split(" "),
  "stall",
] as const;

for (const streaming of [false, true]) {
  const how = streaming ? "streaming lists" : "paged LISTs";
  Deno.test(
    needs(
      `convergence (${how}): 1,000 ConfigMaps under random writes and random faults`,
      FAULT_INJECTION,
    ),
    async (t) => {
      const seed = seedFrom("INFORMER_SEED");
      try {
        await converge(t, seed, streaming);
      } catch (err) {
        // The seed fixes every random choice (operations, faults, jitter), not the timing.
        console.error(
          `convergence (${how}) failed with seed ${seed} (rerun: INFORMER_SEED=${seed})`,
        );
        throw err;
      }
    },
  );
}

async function converge(t: Deno.TestContext, seed: number, streaming: boolean): Promise<void> {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const tracker = new TrackingFetch();
  await using env = await setup({
    bookmarkIntervalMs: 300,
    history: 2000,
    // The informer sees every injected 500 itself instead of having the transport retry it.
    reader: { retries: 0, fetch: tracker.fetch },
  });
  const faults = requireFaults(t, env.cluster);
  const ns = env.namespace;
  const cms = env.writer.resource(ConfigMaps);

  // Half the objects exist before the informer starts, so the initial list is paged.
  const live = new Map<string, number>(); // name -> writes so far
  let created = 0;
  const createOne = async () => {
    const name = `cm-${created++}`;
    await cms.create({ metadata: { name, namespace: ns }, data: { v: "0" } });
    live.set(name, 0);
  };
  for (let i = 0; i < OBJECTS / 2; i += 50) {
    await Promise.all(Array.from({ length: 50 }, createOne));
  }

  const informer = new Informer(env.reader.resource(ConfigMaps), {
    namespace: ns,
    pageSize: 100,
    idleTimeoutMs: 1000,
    watchTimeoutSeconds: 30,
    backoff: { initialMs: 20, maxMs: 400, resetAfterMs: 2000 },
    useStreamingList: streaming,
    random,
  });
  const early = new Recorder<ConfigMap>();
  informer.addHandler(early.handler);
  informer.start();
  const late = new Recorder<ConfigMap>();
  let lateOff: (() => void) | undefined;

  // One update of a live object, counted as the workers count theirs.
  const patchOne = async () => {
    const name = pick([...live.keys()]);
    const n = live.get(name)! + 1;
    live.set(name, n); // the name came from `live` in this same tick, so it is still there
    await cms.patch(name, { type: "merge", namespace: ns, body: { data: { v: String(n) } } })
      .catch((e) => {
        if (live.has(name)) throw e; // deleted meanwhile by another worker is fine
      });
  };

  // Faults fire at random while the writers run.
  let writing = true;
  const tally: Record<string, number> = {};
  let injected = 0;
  const stalls: boolean[] = []; // per stall of an open watch: was it detected?
  let closedStalls = 0;
  let staleResumeOnWatch: boolean | undefined;
  const injector = (async () => {
    while (writing) {
      await sleep(20 + Math.floor(random() * 80));
      if (!writing) break;
      // The fifth fault is always a stale resume: the watch stalls while writes go on, the
      // history is compacted, then the watch drops, so the informer must relist (410).
      const fault = ++injected === 5 ? "stale-resume" : pick(FAULTS);
      tally[fault] = (tally[fault] ?? 0) + 1;
      switch (fault) {
        case "drop":
          faults.dropWatches();
          break;
        case "silence":
          faults.silenceWatches();
          break;
        case "stale-resume": {
          // Only an open watch past its list can resume stale: the informer may still be in
          // its initial (paged or streaming) list, or backing off. A streaming list's watch
          // counts once its initial events ended. Wait for one.
          // The resume is stale by construction, not by the writers' timing (they may be done):
          // while the watch is silenced the injector writes once itself, so the history the
          // compaction forgets is one the informer has not seen. A request in between (an idle
          // timeout reopened the watch, which then saw the write) spoils it: do it again.
          for (let attempt = 0; attempt < 5 && !staleResumeOnWatch; attempt++) {
            const deadline = Date.now() + 10_000;
            while (!_watchingPastList(informer, tracker) && Date.now() < deadline) await sleep(5);
            const requests = tracker.urls.length;
            const open = _watchingPastList(informer, tracker);
            faults.silenceWatches();
            await patchOne();
            faults.compact();
            staleResumeOnWatch = open && tracker.urls.length === requests;
            faults.dropWatches();
          }
          break;
        }
        case "stall": {
          // A silence that nothing else ends: only the informer's idle timeout can. It only
          // counts when a watch was open (the informer may be backing off from a failed LIST).
          const idleBefore = _idle(informer);
          const open = tracker.openWatches > 0;
          faults.silenceWatches();
          await sleep(1300);
          if (open) stalls.push(_idle(informer) > idleBefore);
          else closedStalls++;
          break;
        }
        case "compact":
          faults.compact();
          break;
        case "compact+drop":
          faults.compact();
          faults.dropWatches();
          break;
        case "500": {
          // Failures of the requests the informer makes. A streaming informer never LISTs
          // (its list is a watch): 500s queued for "list" would pile up unconsumed, and the
          // fresh LIST at quiescence would have to burn through all of them (dozens, with the
          // writer's retry backoff, took longer than the 20 s bound).
          const n = 1 + Math.floor(random() * 3);
          const verb = pick(["list", "watch"]);
          faults.failNext(n, {
            status: 500,
            verb: streaming ? "watch" : verb,
            resource: "configmaps",
          });
          break;
        }
        case "latency":
          faults.setLatency(pick([0, 0, 2, 10]));
          break;
      }
    }
  })();

  // Creates up to OBJECTS in total, updates and deletes, eight at a time.
  const deletedUids = new Set<string>();
  let ops = 0;
  const worker = async () => {
    while (ops < OPERATIONS) {
      const op = ++ops;
      // Paced so that the writes span several seconds of faults.
      await sleep(Math.floor(random() * 30));
      if (op === OPERATIONS / 3) {
        await informer.ready();
        lateOff = informer.addHandler(late.handler);
      }
      const r = random();
      const names = [...live.keys()];
      if ((r < 0.25 && created < OBJECTS) || names.length === 0) {
        if (created < OBJECTS) await createOne();
      } else if (r < 0.8) {
        await patchOne();
      } else {
        const name = pick(names);
        if (!live.delete(name)) continue;
        const gone = await cms.delete(name, { namespace: ns }) as {
          metadata?: { uid?: string };
          details?: { uid?: string };
        };
        const uid = gone.metadata?.uid ?? gone.details?.uid;
        if (uid) deletedUids.add(uid);
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: 8 }, worker));
  const writesMs = Date.now() - started;
  writing = false;
  await injector;
  faults.setLatency(0);

  // Quiescence: the store and both handlers agree with a fresh LIST.
  const fresh = new Map<string, { uid: string; rv: string }>();
  const deadline = Date.now() + 20_000;
  let freshFailed = 0;
  let agreed = false;
  while (Date.now() < deadline) {
    fresh.clear();
    try {
      for await (const cm of cms.listAll({ namespace: ns, limit: 500 })) {
        fresh.set(`${ns}/${cm.metadata.name}`, {
          uid: cm.metadata.uid!,
          rv: cm.metadata.resourceVersion!,
        });
      }
    } catch {
      freshFailed++;
      continue; // an injected 500 left over from the fault phase
    }
    await informer.idle();
    if (_same(_storeView(informer), fresh) && _same(early.view, fresh) && _same(late.view, fresh)) {
      agreed = true;
      break;
    }
    await sleep(100);
  }
  const h = informer.health();
  console.log(
    `seed ${seed}${streaming ? " (streaming)" : ""}: ${ops} writes in ${
      Date.now() - started
    } ms; faults ${JSON.stringify(tally)}; ` +
      `relists ${JSON.stringify(h.relistReasons)}, reconnects ${
        JSON.stringify(h.reconnectReasons)
      }, ` +
      `errors ${h.counters.errors}, duplicates dropped ${h.counters.duplicates}; ` +
      `writes done after ${writesMs} ms, fresh LISTs failed ${freshFailed}; ` +
      `stalls of an open watch detected ${
        JSON.stringify(stalls)
      }, with no watch open ${closedStalls}`,
  );
  await informer.stop();
  lateOff?.();

  assert.ok(lateOff, "the late handler was added");
  assert.ok(agreed, `expected the store and handlers to match a fresh LIST within 20 s`);
  assert.equal(fresh.size, live.size, "the test's own bookkeeping matches the server");
  for (const [name, rec] of [["early", early], ["late", late]] as const) {
    assert.deepEqual(rec.problems, [], `${name} handler saw inconsistent events`);
    assert.deepEqual(rec.duplicates(), [], `${name} handler got a (uid, resourceVersion) twice`);
    const freshUids = new Set([...fresh.values()].map((v) => v.uid));
    for (const uid of rec.seenUids) {
      if (!freshUids.has(uid)) {
        assert.ok(rec.deletedUids.has(uid), `${name} handler never got a delete for ${uid}`);
      }
    }
    for (const uid of deletedUids) {
      if (rec.seenUids.has(uid)) assert.ok(rec.deletedUids.has(uid));
    }
  }
  // The faults really happened and were recovered from.
  assert.ok(
    h.relistReasons.expired > 0,
    `the stale resume relisted after a 410 (a watch past its list was open and saw no request in between: ${staleResumeOnWatch})`,
  );
  assert.ok(h.counters.reconnects > 0, "at least one reconnect");
  if (stalls.length) assert.ok(stalls.some((x) => x), `a stall detected (${stalls})`);
}

/**
 * True when the informer is watching past its list (a resumed watch, or a streaming list's
 * watch after its initial events) and the stream is still open.
 */
function _watchingPastList(informer: Informer<ConfigMap>, tracker: TrackingFetch): boolean {
  const h = informer.health();
  return h.phase === "watching" && h.watching === true && tracker.openWatches > 0;
}

function _idle(informer: Informer<ConfigMap>): number {
  const h = informer.health();
  return (h.reconnectReasons.idle ?? 0) + (h.relistReasons.idle ?? 0);
}

function _storeView(informer: Informer<ConfigMap>): Map<string, { uid: string; rv: string }> {
  const m = new Map<string, { uid: string; rv: string }>();
  for (const key of informer.store.keys()) {
    const o = informer.store.getByKey(key)!;
    m.set(key, { uid: o.metadata.uid!, rv: o.metadata.resourceVersion! });
  }
  return m;
}

function _same(
  a: Map<string, { uid: string; rv: string }>,
  b: Map<string, { uid: string; rv: string }>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.uid !== v.uid || w.rv !== v.rv) return false;
  }
  return true;
}
