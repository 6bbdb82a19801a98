// The issue-#17 targets the harness checks, as ratios of medians, with what each interleaved
// round read on its own: a median at the line is then visibly a coin toss, not a result.

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** What a peer read for a metric in each round, in round order (undefined: failed or none). */
export type RoundValues = (peer: string, metric: string) => readonly (number | undefined)[];

interface Target {
  what: string;
  ours: string;
  metric: string;
  peer: string;
  /** ours ≤ limit × peer; with `plus`, ours ≤ peer + plus. */
  limit: number;
  plus?: number;
}

const REAL: Target[] = [
  {
    what: "cold sync wall vs client-go protobuf",
    ours: "operatorkit",
    metric: "syncWallMs",
    peer: "client-go-protobuf",
    limit: 1.0,
  },
  {
    what: "sync CPU vs client-go protobuf",
    ours: "operatorkit",
    metric: "syncCpuMs",
    peer: "client-go-protobuf",
    limit: 1.0,
  },
  {
    what: "cold sync wall vs client-go protobuf, first list from cache (opt-in)",
    ours: "operatorkit-cache",
    metric: "syncWallMs",
    peer: "client-go-protobuf",
    limit: 1.0,
  },
  {
    what: "sync CPU vs client-go protobuf, first list from cache (opt-in)",
    ours: "operatorkit-cache",
    metric: "syncCpuMs",
    peer: "client-go-protobuf",
    limit: 1.0,
  },
];

const LARGE: Target[] = [
  {
    what: "sync CPU vs bare Deno",
    ours: "operatorkit",
    metric: "syncCpuMs",
    peer: "deno-bare",
    limit: 1.15,
  },
];

const REPLAY: Target[] = [
  {
    what: "cold sync wall vs kube-rs",
    ours: "operatorkit",
    metric: "syncWallMs",
    peer: "kube-rs",
    limit: 0.95,
  },
  {
    what: "cold sync wall vs client-go JSON",
    ours: "operatorkit",
    metric: "syncWallMs",
    peer: "client-go-json",
    limit: 0.6,
  },
  {
    what: "watch CPU/event vs kube-rs (default transform)",
    ours: "operatorkit",
    metric: "watchCpuUs",
    peer: "kube-rs",
    limit: 0.8,
  },
  {
    what: "watch CPU/event vs kube-rs (identity transform)",
    ours: "operatorkit-identity",
    metric: "watchCpuUs",
    peer: "kube-rs",
    limit: 1.0,
  },
  {
    what: "RSS after sync vs kube-rs",
    ours: "operatorkit",
    metric: "syncRss",
    peer: "kube-rs",
    limit: 1.0,
  },
  {
    what: "RSS after sync vs client-go JSON",
    ours: "operatorkit",
    metric: "syncRss",
    peer: "client-go-json",
    limit: 1.5,
  },
  {
    what: "idle RSS vs bare Deno (MB)",
    ours: "operatorkit",
    metric: "idleRss",
    peer: "deno-bare",
    limit: 0,
    plus: 8,
  },
];

/**
 * One line per target the run can judge (both peers ran): met or NOT met on the medians, then
 * the range the rounds read one by one (ours against the peer in the same round) and in how
 * many of them the target held.
 */
export function targetLines(
  values: RoundValues,
  o: { real: boolean; objects: number },
): string[] {
  const targets = o.real ? REAL : o.objects >= 100_000 ? LARGE : REPLAY;
  const out: string[] = [];
  for (const t of targets) {
    const xs = values(t.ours, t.metric), ys = values(t.peer, t.metric);
    const xd = xs.filter((n): n is number => n !== undefined);
    const yd = ys.filter((n): n is number => n !== undefined);
    if (!xd.length || !yd.length) continue;
    const x = median(xd), y = median(yd);
    const holds = (a: number, b: number) =>
      t.plus !== undefined ? a <= b + t.plus : a <= t.limit * b;
    const show = (a: number, b: number) =>
      t.plus !== undefined
        ? `${a - b >= 0 ? "+" : ""}${(a - b).toFixed(1)}`
        : `${(a / b).toFixed(2)}x`;
    const pairs: [number, number][] = [];
    for (let r = 0; r < Math.min(xs.length, ys.length); r++) {
      const a = xs[r], b = ys[r];
      if (a !== undefined && b !== undefined && b !== 0) pairs.push([a, b]);
    }
    const shown = t.plus !== undefined
      ? `${x.toFixed(1)} vs ${y.toFixed(1)} + ${t.plus}`
      : `${(x / y).toFixed(2)}x`;
    let rounds = "";
    if (pairs.length > 1) {
      const by = (p: [number, number]) => t.plus !== undefined ? p[0] - p[1] : p[0] / p[1];
      const sorted = [...pairs].sort((p, q) => by(p) - by(q));
      const within = pairs.filter(([a, b]) => holds(a, b)).length;
      rounds = `; rounds ${show(...sorted[0])} to ${show(...sorted[sorted.length - 1])}, ` +
        `within it in ${within} of ${pairs.length}`;
    }
    out.push(
      `- ${holds(x, y) ? "met" : "NOT met"}: ${t.what}: ${shown} (target ${
        t.plus !== undefined ? `≤ +${t.plus}` : `≤ ${t.limit}x`
      }${rounds})`,
    );
  }
  return out;
}
