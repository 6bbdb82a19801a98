import assert from "node:assert/strict";
import { median, type RoundValues, targetLines } from "./_targets.ts";

Deno.test("median: the middle value, or the mean of the middle two", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

Deno.test("targetLines: met on the medians, with each round's own ratio and how often it held", () => {
  const table: Record<string, Record<string, (number | undefined)[]>> = {
    "operatorkit": { watchCpuUs: [12, 14, 11, undefined], syncRss: [85, 86, 84, 85] },
    "kube-rs": { watchCpuUs: [15, 16, 14, 15], syncRss: [85, 85, 85, 85] },
  };
  const values: RoundValues = (peer, metric) => table[peer]?.[metric] ?? [];
  const lines = targetLines(values, { real: false, objects: 10_000 });
  // Only the targets both peers ran; round 4 failed for operatorkit and is not paired.
  assert.deepEqual(lines, [
    "- met: watch CPU/event vs kube-rs (default transform): 0.80x " +
    "(target ≤ 0.8x; rounds 0.79x to 0.88x, within it in 2 of 3)",
    "- met: RSS after sync vs kube-rs: 1.00x (target ≤ 1x; rounds 0.99x to 1.01x, within it in 3 of 4)",
  ]);
});

Deno.test("targetLines: the idle RSS target is a difference in MB, per round too", () => {
  const table: Record<string, (number | undefined)[]> = {
    "operatorkit": [47, 49, 48],
    "deno-bare": [40, 40, 39],
  };
  const lines = targetLines((peer, metric) => metric === "idleRss" ? table[peer] ?? [] : [], {
    real: false,
    objects: 10_000,
  });
  assert.deepEqual(lines, [
    "- met: idle RSS vs bare Deno (MB): 48.0 vs 40.0 + 8 (target ≤ +8; rounds +7.0 to +9.0, within it in 1 of 3)",
  ]);
});

Deno.test("targetLines: the real-server and 100k targets, and one round shows no range", () => {
  const real = targetLines(
    (peer, metric) =>
      metric === "syncCpuMs"
        ? (peer === "operatorkit" ? [250] : peer === "client-go-protobuf" ? [240] : [])
        : [],
    {
      real: true,
      objects: 10_000,
    },
  );
  assert.deepEqual(real, ["- NOT met: sync CPU vs client-go protobuf: 1.04x (target ≤ 1x)"]);
  const large = targetLines(
    (peer, metric) =>
      metric === "syncCpuMs" ? (peer === "operatorkit" ? [100, 120] : [100, 100]) : [],
    {
      real: false,
      objects: 100_000,
    },
  );
  assert.deepEqual(large, [
    "- met: sync CPU vs bare Deno: 1.10x (target ≤ 1.15x; rounds 1.00x to 1.20x, within it in 1 of 2)",
  ]);
});
