import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import {
  ExponentialBackoffRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
} from "./rate_limiter.ts";

Deno.test("default backoff is 5 ms doubling up to 1000 s", () => {
  const rl = new ExponentialBackoffRateLimiter();
  const seen = [];
  for (let i = 0; i < 30; i++) seen.push(rl.when("k"));
  assert.equal(seen[0], 5);
  assert.equal(seen[1], 10);
  assert.equal(seen[17], 655_360);
  assert.equal(seen[18], 1_000_000);
  assert.equal(seen[29], 1_000_000);
});

Deno.test("token bucket spaces retries once the burst is spent and refills over time", () => {
  const clock = new FakeClock(0);
  const bucket = new TokenBucketRateLimiter({ qps: 10, burst: 2, clock });
  assert.deepEqual([bucket.when("a"), bucket.when("b"), bucket.when("c"), bucket.when("d")], [
    0,
    0,
    100,
    200,
  ]);
  clock.tick(1000);
  assert.equal(bucket.when("e"), 0);
  const both = new MaxOfRateLimiter([
    new ExponentialBackoffRateLimiter({ baseDelayMs: 1 }),
    new TokenBucketRateLimiter({ qps: 1, burst: 1, clock }),
  ]);
  assert.equal(both.when("x"), 1);
  assert.equal(both.when("y"), 1000, "the bucket dominates when many keys fail together");
  assert.throws(() => new TokenBucketRateLimiter({ qps: 0 }), RangeError);
  assert.throws(() => new ExponentialBackoffRateLimiter({ baseDelayMs: 10, maxDelayMs: 1 }));
});
