/**
 * Test helpers: the embedded Kubernetes API server (in memory, on 127.0.0.1, with fault
 * injection), a test-cluster chooser for the real-cluster tier, and a fake clock.
 *
 * @example
 * ```ts
 * import { FakeClock, startApiServer } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock(0);
 * clock.tick(1000);
 *
 * await using server = await startApiServer();
 * const res = await fetch(`${server.url}/api/v1/namespaces`);
 * assert.equal(res.status, 200);
 * await res.body?.cancel();
 * ```
 *
 * @module
 */
export * from "./fake_clock.ts";
export * from "./api_server.ts";
export * from "./test_cluster.ts";
export type { Clock, TimerHandle } from "../client/clock.ts";
