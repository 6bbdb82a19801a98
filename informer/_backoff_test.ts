import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { _Backoff } from "./_backoff.ts";

Deno.test("backoff: doubles up to the cap, with jitter on top", () => {
  const clock = new FakeClock(0);
  let r = 0;
  const b = new _Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5 }, clock, () => r);
  assert.deepEqual([b.fail(), b.fail(), b.fail(), b.fail(), b.fail()], [100, 200, 400, 800, 1000]);
  r = 1;
  const c = new _Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5 }, clock, () => r);
  assert.deepEqual([c.fail(), c.fail(), c.fail(), c.fail()], [150, 300, 600, 1000]);
});

Deno.test("backoff: resets only after a healthy period of resetAfterMs", () => {
  const clock = new FakeClock(0);
  const b = new _Backoff(
    { initialMs: 100, maxMs: 10_000, jitter: 0, resetAfterMs: 5000 },
    clock,
    () => 0,
  );
  b.fail();
  b.fail();
  b.healthy();
  clock.tick(4999);
  assert.equal(b.fail(), 400, "not healthy long enough");
  b.healthy();
  clock.tick(5000);
  assert.equal(b.fail(), 100);
});

Deno.test("backoff: options are validated", () => {
  const clock = new FakeClock(0);
  assert.throws(() => new _Backoff({ initialMs: 0 }, clock, Math.random), RangeError);
  assert.throws(() => new _Backoff({ initialMs: 10, maxMs: 5 }, clock, Math.random), RangeError);
  assert.throws(() => new _Backoff({ jitter: 2 }, clock, Math.random), RangeError);
});
