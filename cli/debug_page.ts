/**
 * The operator's live status page: `/debug` (HTML that refreshes itself every 2 s) and
 * `/debug.json` (the same snapshot as JSON). It shows leadership, each controller's queue
 * (depth, in flight, the oldest waiting key's age, keys waiting for a backoff or requeue with
 * their next attempt), each informer (synced, last event, staleness, relists, cache size) and
 * the last reconciles (why, how long, what changed, how they ended).
 *
 * Off by default (`--debug-bind-address`, default `0`). It has no authentication and shows
 * object keys and error messages, so it only listens on loopback: reach it in a cluster with
 * `kubectl port-forward`.
 *
 * @module
 */
import type { ControllerInspection } from "../controller/inspection.ts";
import { describeTrigger } from "../controller/inspection.ts";
import type { InformerHealth } from "../informer/health.ts";
import { type BindAddress, parseBindAddress } from "./flags.ts";

/**
 * Leadership as the debug page shows it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DebugLeadership, renderDebugPage } from "./debug_page.ts";
 * const l: DebugLeadership = {
 *   enabled: true,
 *   leader: false,
 *   identity: "pod-b",
 *   holder: "pod-a",
 *   lease: "ops/op-leader",
 * };
 * const html = renderDebugPage({ operator: "op", now: 0, leadership: l, controllers: [], informers: [] });
 * assert.match(html, /standby<\/span> pod-b; lease ops\/op-leader held by pod-a/);
 * ```
 */
export interface DebugLeadership {
  /** False when the operator runs without `--leader-elect` (it always reconciles). */
  enabled: boolean;
  /** True while this replica reconciles. */
  leader: boolean;
  /** This replica's identity. */
  identity?: string;
  /** The holder last seen on the Lease (empty when free). */
  holder?: string;
  /** `namespace/name` of the Lease. */
  lease?: string;
}

/**
 * Everything the debug page shows, as served at `/debug.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DebugSnapshot, serveDebugPage } from "./debug_page.ts";
 * const s: DebugSnapshot = {
 *   operator: "website-operator",
 *   now: Date.now(),
 *   starting: "waiting for the cache",
 *   leadership: { enabled: false, leader: true },
 *   controllers: [],
 *   informers: [],
 * };
 * await using page = serveDebugPage({ address: { hostname: "127.0.0.1", port: 0 }, snapshot: () => s });
 * const served: DebugSnapshot = await (await fetch(`${page.url}/debug.json`)).json();
 * assert.deepEqual(served, s);
 * ```
 */
export interface DebugSnapshot {
  /** The operator's name. */
  operator: string;
  /** When the snapshot was taken (ms since the epoch). */
  now: number;
  /** Why the operator is not ready yet, if it is starting. */
  starting?: string;
  /** Leadership. */
  leadership: DebugLeadership;
  /** One entry per running controller. */
  controllers: ControllerInspection[];
  /** One entry per live informer. */
  informers: Array<InformerHealth & { scope?: { namespace?: string; labelSelector?: string } }>;
}

/**
 * Parses `--debug-bind-address`: `[host]:port` or `port` with a loopback host (`127.0.0.1` when
 * omitted), or `0` (disabled: undefined). Any other host is refused: the page has no
 * authentication.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDebugBindAddress } from "./debug_page.ts";
 * assert.deepEqual(parseDebugBindAddress(":8082"), { hostname: "127.0.0.1", port: 8082 });
 * assert.equal(parseDebugBindAddress("0"), undefined);
 * assert.throws(() => parseDebugBindAddress("0.0.0.0:8082"), /loopback/);
 * ```
 */
export function parseDebugBindAddress(value: string): BindAddress | undefined {
  const address = parseBindAddress(value);
  if (!address) return undefined;
  // No host given (`:8082`, `8082`): loopback, not every interface as for the other listeners.
  const hostname = /^:?\d+$/.test(value.trim()) ? "127.0.0.1" : address.hostname;
  if (!_isLoopback(hostname)) {
    throw new RangeError(
      `expected a loopback host (127.0.0.1, ::1 or localhost), found ${
        JSON.stringify(hostname)
      }: the debug page has no authentication; use kubectl port-forward to reach it`,
    );
  }
  return { hostname, port: address.port };
}

function _isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * A running debug page server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DebugPageServer, serveDebugPage } from "./debug_page.ts";
 * const page: DebugPageServer = serveDebugPage({
 *   address: { hostname: "127.0.0.1", port: 0 },
 *   snapshot: () => ({ operator: "op", now: 0, leadership: { enabled: false, leader: true }, controllers: [], informers: [] }),
 * });
 * assert.match(page.url, /^http:\/\/127\.0\.0\.1:\d+$/);
 * const res = await fetch(`${page.url}/debug`, { method: "POST" });
 * assert.equal(res.status, 405, "read-only");
 * await res.body?.cancel();
 * await page.close();
 * ```
 */
export interface DebugPageServer extends AsyncDisposable {
  /** `http://host:port`. */
  readonly url: string;
  /** Stops listening and waits for open requests. */
  close(): Promise<void>;
}

/**
 * Serves `/debug`, `/debug.json` and the page's script and style on `address`, which must be
 * a loopback address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveDebugPage } from "./debug_page.ts";
 * await using page = serveDebugPage({
 *   address: { hostname: "127.0.0.1", port: 0 },
 *   snapshot: () => ({
 *     operator: "demo",
 *     now: Date.now(),
 *     leadership: { enabled: false, leader: true },
 *     controllers: [],
 *     informers: [],
 *   }),
 * });
 * const json = await (await fetch(`${page.url}/debug.json`)).json();
 * assert.equal(json.operator, "demo");
 * const html = await (await fetch(`${page.url}/debug`)).text();
 * assert.match(html, /<title>demo: debug<\/title>/);
 * ```
 */
export function serveDebugPage(
  options: { address: BindAddress; snapshot: () => DebugSnapshot },
): DebugPageServer {
  if (!_isLoopback(options.address.hostname)) {
    throw new RangeError(
      `Expected a loopback address for the debug page, found ${options.address.hostname}`,
    );
  }
  const ac = new AbortController();
  const headers = (type: string) => ({
    "content-type": type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "content-security-policy":
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  });
  const server = Deno.serve({
    hostname: options.address.hostname,
    port: options.address.port,
    signal: ac.signal,
    onListen: () => {},
  }, (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405 });
    }
    const path = new URL(req.url).pathname;
    if (path === "/debug" || path === "/debug/") {
      return new Response(renderDebugPage(options.snapshot()), {
        headers: headers("text/html; charset=utf-8"),
      });
    }
    if (path === "/debug.json") {
      return new Response(JSON.stringify(options.snapshot(), null, 2), {
        headers: headers("application/json"),
      });
    }
    if (path === "/debug.js") return new Response(_SCRIPT, { headers: headers("text/javascript") });
    if (path === "/debug.css") return new Response(_STYLE, { headers: headers("text/css") });
    return new Response("404 page not found\n", { status: 404 });
  });
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const close = async () => {
    ac.abort();
    await server.finished;
  };
  return { url: `http://${host}:${addr.port}`, close, [Symbol.asyncDispose]: close };
}

/**
 * The `/debug` page for a snapshot: plain HTML (every value escaped) that works without
 * script; its script swaps in a fresh copy every 2 s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderDebugPage } from "./debug_page.ts";
 * const html = renderDebugPage({
 *   operator: "<op>",
 *   now: 0,
 *   leadership: { enabled: true, leader: false, identity: "b", holder: "a" },
 *   controllers: [],
 *   informers: [],
 * });
 * assert.match(html, /&lt;op&gt;/);
 * assert.match(html, /standby/);
 * ```
 */
export function renderDebugPage(s: DebugSnapshot): string {
  const e = _escape;
  const now = s.now;
  const l = s.leadership;
  const leadership = !l.enabled
    ? `<span class="ok">reconciling</span> (no leader election)`
    : l.leader
    ? `<span class="ok">leader</span> as ${e(l.identity ?? "")} of lease ${e(l.lease ?? "")}`
    : `<span class="warn">standby</span> ${e(l.identity ?? "")}; lease ${
      e(l.lease ?? "")
    } held by ${l.holder ? e(l.holder) : "nobody"}`;
  const controllers = s.controllers.map((c) => {
    const q = c.queue;
    const delayed = q.delayed.length === 0
      ? '<p class="muted">no key waits for a delay</p>'
      : _table(
        ["key", "waiting for", "failed attempts", "next attempt"],
        q.delayed.map((d) => [
          e(d.key),
          d.reason === "backoff" ? '<span class="warn">backoff</span>' : "requeueAfter",
          String(d.attempts),
          `in ${_duration(d.nextAttemptAt - now)}`,
        ]),
      );
    return `<section class="controller"><h3>${e(c.name)} <small>${e(c.state)}</small></h3>
<dl class="stats">
<div><dt>queue depth</dt><dd id="depth-${e(c.name)}">${q.depth}</dd></div>
<div><dt>in flight</dt><dd>${q.inFlight}</dd></div>
<div><dt>oldest queued</dt><dd>${
      q.oldestAgeMs === undefined ? "–" : _duration(q.oldestAgeMs)
    }</dd></div>
<div><dt>delayed</dt><dd>${q.delayed.length}</dd></div>
<div><dt>reconciles</dt><dd>${c.stats.reconciles}</dd></div>
<div><dt>errors</dt><dd${c.stats.errors ? ' class="bad"' : ""}>${c.stats.errors}</dd></div>
</dl>${delayed}</section>`;
  }).join("\n");
  const informers = _table(
    [
      "resource",
      "namespace",
      "synced",
      "last event",
      "staleness",
      "relists",
      "cached",
      "last error",
    ],
    s.informers.map((i) => [
      e(i.resource),
      e(i.scope?.namespace ?? "all"),
      i.synced ? '<span class="ok">yes</span>' : '<span class="bad">no</span>',
      i.lastEventAt === undefined ? "–" : `${_duration(now - i.lastEventAt)} ago`,
      i.stalenessMs === undefined ? "–" : _duration(i.stalenessMs),
      `${i.counters.relists}${
        Object.keys(i.relistReasons).length
          ? ` <small>(${
            e(Object.entries(i.relistReasons).map(([k, v]) => `${k} ${v}`).join(", "))
          })</small>`
          : ""
      }`,
      String(i.cached),
      i.lastError ? `<span class="bad">${e(i.lastError)}</span>` : "",
    ]),
  );
  const recent = s.controllers.flatMap((c) => c.recent.map((r) => ({ c: c.name, r })))
    .sort((a, b) => b.r.startedAt - a.r.startedAt).slice(0, 50);
  const traced = recent.some(({ r }) => r.traceId);
  const reconciles = recent.length === 0 ? '<p class="muted">no reconcile yet</p>' : _table(
    [
      "started",
      "controller",
      "key",
      "trigger",
      "took",
      "waited",
      "attempt",
      "outcome",
      "changed",
      ...(traced ? ["trace"] : []),
    ],
    recent.map(({ c, r }) => [
      `${_duration(now - r.startedAt)} ago`,
      e(c),
      e(r.key),
      e(describeTrigger(r.trigger)),
      _duration(r.durationMs),
      _duration(r.queueWaitMs),
      String(r.attempt),
      r.outcome === "error"
        ? `<span class="bad" title="${e(r.error ?? "")}">error</span> <small>${
          e(_cut(r.error ?? "", 240))
        }</small>`
        : e(r.outcome),
      e(r.acted.join(", ")),
      ...(traced
        ? [r.traceId ? `<code title="${e(r.traceId)}">${e(r.traceId.slice(0, 8))}</code>` : ""]
        : []),
    ]),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(s.operator)}: debug</title>
<link rel="stylesheet" href="/debug.css">
<script src="/debug.js" defer></script>
</head><body data-refreshes="0">
<main id="debug">
<header><h1>${e(s.operator)}</h1><p class="muted">snapshot <time datetime="${
    new Date(now).toISOString()
  }">${
    new Date(now).toISOString()
  }</time> · <a href="/debug.json">JSON</a> · refreshes every 2 s</p></header>
${s.starting ? `<p class="warn">starting: ${e(s.starting)}</p>` : ""}
<h2>Leadership</h2><p id="leadership">${leadership}</p>
<h2>Controllers</h2>${controllers || '<p class="muted">no controller running</p>'}
<h2>Informers</h2>${s.informers.length ? informers : '<p class="muted">no informer running</p>'}
<h2>Last reconciles</h2>${reconciles}
</main></body></html>
`;
}

function _table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n")
  }</tbody></table>`;
}

function _escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function _cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function _duration(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  if (v < 3_600_000) return `${Math.floor(v / 60_000)} min ${Math.round((v % 60_000) / 1000)} s`;
  return `${Math.floor(v / 3_600_000)} h ${Math.round((v % 3_600_000) / 60_000)} min`;
}

// Fetches the page again every 2 s and swaps its <main>; counts refreshes on <body> so a test
// (or a curious user) can see it works. Served as a file: the CSP allows no inline script.
const _SCRIPT = `"use strict";
(function () {
  var refreshes = 0;
  function refresh() {
    fetch(location.pathname, { cache: "no-store" }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.text();
    }).then(function (text) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var fresh = doc.getElementById("debug");
      if (fresh) document.getElementById("debug").replaceWith(fresh);
      document.body.dataset.refreshes = String(++refreshes);
      document.body.classList.remove("offline");
    }).catch(function () {
      document.body.classList.add("offline");
    }).finally(function () {
      setTimeout(refresh, 2000);
    });
  }
  setTimeout(refresh, 2000);
})();
`;

const _STYLE =
  `:root { color-scheme: light dark; font-family: system-ui, sans-serif; font-size: 14px; }
body { margin: 1.5rem auto; max-width: 80rem; padding: 0 1rem; }
body.offline main { opacity: 0.5; }
h1 { margin: 0; font-size: 1.5rem; }
h2 { margin-top: 1.75rem; font-size: 1.15rem; border-bottom: 1px solid #8884; }
h3 { margin: 0.75rem 0 0.25rem; font-size: 1rem; }
h3 small, .muted { color: #888; font-weight: normal; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { text-align: left; padding: 0.25rem 0.6rem; border-bottom: 1px solid #8883; vertical-align: top; }
th { font-weight: 600; background: #8881; }
dl.stats { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin: 0.25rem 0; }
dl.stats div { display: flex; flex-direction: column; }
dt { color: #888; font-size: 0.8rem; }
dd { margin: 0; font-size: 1.25rem; font-variant-numeric: tabular-nums; }
.ok { color: #1a7f37; font-weight: 600; }
.warn { color: #b35900; font-weight: 600; }
.bad { color: #cf222e; font-weight: 600; }
code { font-size: 0.85rem; }
`;
