import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { EventLoopMonitor, serveProbes } from "./probes.ts";

Deno.test("probes: healthz, readyz and metrics on one listener; 404 elsewhere", async () => {
  let ready: string | undefined = "websites not synced";
  await using server = serveProbes({
    address: { hostname: "127.0.0.1", port: 0 },
    liveness: { eventloop: () => undefined },
    readiness: { informers: () => ready },
    metrics: () => "# HELP x y\n# TYPE x gauge\nx 1\n",
  });
  const get = async (path: string) => {
    const res = await fetch(server.url + path);
    return { status: res.status, body: await res.text(), type: res.headers.get("content-type") };
  };
  assert.deepEqual((await get("/healthz")).status, 200);
  const notReady = await get("/readyz");
  assert.equal(notReady.status, 500);
  assert.match(notReady.body, /\[-\]informers failed: websites not synced/);
  ready = undefined;
  assert.equal((await get("/readyz")).body, "ok");
  assert.match((await get("/readyz?verbose")).body, /\[\+\]informers ok/);
  const metrics = await get("/metrics");
  assert.equal(metrics.status, 200);
  assert.match(metrics.type ?? "", /text\/plain; version=0.0.4/);
  assert.equal((await get("/nope")).status, 404);
});

Deno.test("probes: the event-loop monitor fails when timers stop firing", () => {
  const clock = new FakeClock(0);
  using monitor = new EventLoopMonitor({ clock, intervalMs: 100, maxLagMs: 1_000 });
  clock.tick(5_000);
  assert.equal(monitor.check(), undefined, "ticking timers keep it healthy");
  // A blocked loop: time passes but no timer runs.
  const stuck = clock.now() + 5_000;
  (clock as unknown as { now: () => number }).now = () => stuck;
  assert.match(monitor.check() ?? "", /event loop blocked/);
});
