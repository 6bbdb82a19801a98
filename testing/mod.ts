/**
 * Test helpers: the embedded Kubernetes API server and a fake clock.
 *
 * @example
 * ```ts
 * import { FakeClock } from "./mod.ts";
 * const clock = new FakeClock(0);
 * clock.tick(1000);
 * ```
 *
 * @module
 */
export * from "./fake_clock.ts";
