// Watch and LIST agree under a random mix of writes (rules 1.2, 6.4, 7.4, 7.6): a watcher that
// applies every event ends with exactly the state a LIST returns, paged or not, and resuming
// from any RV in history replays the rest.
import assert from "node:assert/strict";
import { call, cmPath, configMap, type Event, WatchReader, withServer } from "./_helpers.ts";

function apply(state: Map<string, string>, e: Event): void {
  const key = e.object.metadata.name;
  if (e.type === "DELETED") state.delete(key);
  else state.set(key, e.object.metadata.resourceVersion);
}

Deno.test("watch state equals LIST state after 300 random writes; paged LIST agrees", async () => {
  await withServer(async (s) => {
    const start = (await call(s, "GET", cmPath())).body.metadata.resourceVersion;
    const w = await WatchReader.open(s, `${cmPath()}?watch=1&resourceVersion=${start}`);
    const midRvs: string[] = [];
    let seed = 42;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    let writes = 0;
    try {
      for (let i = 0; i < 300; i++) {
        const name = `c${rand(20)}`;
        const op = rand(3);
        let r;
        if (op === 0) {
          r = await call(s, "POST", cmPath(), {
            body: configMap(name, { data: { i: String(i) } }),
          });
        } else if (op === 1) {
          r = await call(s, "PATCH", cmPath("default", name), {
            raw: JSON.stringify({ data: { i: String(i) } }),
            headers: { "content-type": "application/merge-patch+json" },
          });
        } else r = await call(s, "DELETE", cmPath("default", name));
        if (r.status < 300) writes++;
        if (i % 50 === 0) {
          midRvs.push((await call(s, "GET", cmPath())).body.metadata.resourceVersion);
        }
      }
      const list = await call(s, "GET", cmPath());
      const expected = new Map<string, string>(
        list.body.items.map((o: { metadata: { name: string; resourceVersion: string } }) => [
          o.metadata.name,
          o.metadata.resourceVersion,
        ]),
      );
      const state = new Map<string, string>();
      let lastRv = "";
      for (let n = 0; n < writes; n++) {
        const e = (await w.next())!;
        apply(state, e);
        lastRv = e.object.metadata.resourceVersion;
      }
      assert.deepEqual(state, expected);
      assert.ok(await w.quiet(50), "no extra events");
      const paged = new Map<string, string>();
      let cont = "";
      do {
        const p = await call(
          s,
          "GET",
          `${cmPath()}?limit=7${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`,
        );
        for (const o of p.body.items) paged.set(o.metadata.name, o.metadata.resourceVersion);
        cont = p.body.metadata.continue ?? "";
      } while (cont);
      assert.deepEqual(paged, expected);
      for (const rv of midRvs) {
        const snap = await call(
          s,
          "GET",
          `${cmPath()}?resourceVersion=${rv}&resourceVersionMatch=Exact`,
        );
        const resumed = new Map<string, string>(
          snap.body.items.map((o: { metadata: { name: string; resourceVersion: string } }) => [
            o.metadata.name,
            o.metadata.resourceVersion,
          ]),
        );
        const r = await WatchReader.open(s, `${cmPath()}?watch=1&resourceVersion=${rv}`);
        try {
          // The replay ends with the last write's event; reading up to it (not until a
          // moment of silence, which a busy machine can produce mid-replay) is exact.
          for (;;) {
            const e = await r.next(10_000);
            assert.ok(e, `resume from ${rv}: the watch ended before the event at ${lastRv}`);
            apply(resumed, e);
            if (e.object.metadata.resourceVersion === lastRv) break;
          }
        } finally {
          await r.close();
        }
        assert.deepEqual(resumed, expected, `resume from ${rv}`);
      }
    } finally {
      await w.close();
    }
  });
});
