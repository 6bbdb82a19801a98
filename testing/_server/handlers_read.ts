// GET, LIST (rules 6.x) and WATCH (rules 7.x).
import type { ServerCtx } from "./context.ts";
import { listBody, objectBody, watchRender } from "./output.ts";
import type { ResourceRequest } from "./request.ts";
import { type Matcher, parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import {
  badRequest,
  expired,
  failure,
  invalidOptions,
  jsonHeaders,
  jsonResponse,
  notFound,
} from "./status.ts";
import type { Rec, Snapshot } from "./store.ts";
import { delay, type Obj } from "./util.ts";

/** The key of an object in its type's map. */
export function objectKeyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** GET of one object (rule 2.1). */
export function handleGet(ctx: ServerCtx, req: ResourceRequest): Response {
  const rec = ctx.store.get(req.info.storeKey, objectKeyOf(req.namespace, req.name!));
  if (!rec) throw notFound(req.info, req.name!);
  return jsonResponse(objectBody(ctx, req, rec));
}

/** Label and field selectors of a request, combined (400 on bad syntax). */
export function selectorOf(req: ResourceRequest, extraName?: string): Matcher | undefined {
  const label = parseLabelSelector(req.params.get("labelSelector"));
  const field = parseFieldSelector(req.params.get("fieldSelector"), {
    namespaced: req.info.namespaced,
    extra: req.info.fieldSelectors,
  });
  const parts = [label, field].filter((m): m is Matcher => m !== undefined);
  if (extraName !== undefined) parts.push((o) => (o.metadata as Obj).name === extraName);
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return (o) => parts.every((p) => p(o));
}

function parseRv(s: string | null, watch = false): number | undefined {
  if (s === null || s === "") return undefined;
  if (!/^\d+$/.test(s)) {
    const why = `resourceVersion: Invalid value: ${JSON.stringify(s)}: strconv.ParseUint: parsing ${
      JSON.stringify(s)
    }: invalid syntax`;
    // kube answers a watch with an unparseable RV with a reason-less 500
    throw watch ? failure(500, undefined, why) : badRequest(`invalid resource version: ${why}`);
  }
  return Number(s);
}

function invalidParam(field: string, message: string, reason = "FieldValueForbidden"): Error {
  const text = reason === "FieldValueForbidden" ? `Forbidden: ${message}` : message;
  return invalidOptions("ListOptions", [{ reason, field, message: text }]);
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return btoa(JSON.stringify({ v: "meta.k8s.io/v1", rv: t.rv, start: t.start }));
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(atob(s));
    if (typeof t.rv === "number" && typeof t.start === "string") return t;
  } catch {
    // fall through
  }
  throw badRequest(`invalid continue token: continue key is not valid: ${JSON.stringify(s)}`);
}

/** First index in sorted `keys` whose key is > `after` (or >= `from` when inclusive). */
function lowerBound(keys: string[], target: string, inclusive: boolean): number {
  let lo = 0, hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (inclusive ? keys[mid] < target : keys[mid] <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function waitForRv(ctx: ServerCtx, rv: number): Promise<void> {
  if (rv <= ctx.store.rv) return;
  for (let i = 0; i < 10 && rv > ctx.store.rv && !ctx.signal.aborted; i++) {
    await delay(50, ctx.signal);
  }
  if (rv > ctx.store.rv) {
    throw failure(
      504,
      "Timeout",
      `Timeout: Too large resource version: ${rv}, current: ${ctx.store.rv}`,
      {
        causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
        retryAfterSeconds: 1,
      },
    );
  }
}

/** LIST (rules 6.1-6.6). */
export async function handleList(ctx: ServerCtx, req: ResourceRequest): Promise<Response> {
  const p = req.params;
  const rvParam = p.get("resourceVersion");
  const rv = parseRv(rvParam);
  const rvm = p.get("resourceVersionMatch");
  const cont = p.get("continue") || undefined;
  if (rvm) {
    if (rvm !== "Exact" && rvm !== "NotOlderThan") {
      throw invalidParam(
        "resourceVersionMatch",
        `Unsupported value: "${rvm}"`,
        "FieldValueNotSupported",
      );
    }
    if (rv === undefined) {
      throw invalidParam(
        "resourceVersionMatch",
        "resourceVersionMatch is forbidden unless resourceVersion is provided",
      );
    }
    if (cont) {
      throw invalidParam(
        "resourceVersionMatch",
        "resourceVersionMatch is forbidden when continue is provided",
      );
    }
    if (rvm === "Exact" && rv === 0) {
      throw invalidParam(
        "resourceVersionMatch",
        'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      );
    }
  }
  const limitParam = p.get("limit");
  const limit = limitParam ? Number(limitParam) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit: ${limitParam}`);
  const match = selectorOf(req);
  const storeKey = req.info.storeKey;
  let snap: Snapshot;
  let start: string | undefined;
  if (cont) {
    if (rv !== undefined && rv !== 0) {
      throw invalidParam(
        "resourceVersion",
        "specifying resource version is not allowed when using continue",
      );
    }
    const token = decodeContinue(cont);
    start = token.start;
    try {
      snap = ctx.store.snapshotAt(storeKey, token.rv, "continue");
    } catch {
      throw expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
      );
    }
  } else if (rv !== undefined && rv !== 0) {
    await waitForRv(ctx, rv);
    const exact = rvm === "Exact" || (!rvm && limit > 0);
    snap = exact ? ctx.store.snapshotAt(storeKey, rv, "list") : ctx.store.snapshot(storeKey);
  } else {
    snap = ctx.store.snapshot(storeKey);
  }
  const keys = snap.keys;
  let i = 0, end = keys.length;
  if (req.namespace !== undefined) {
    i = lowerBound(keys, `${req.namespace}/`, true);
    end = lowerBound(keys, `${req.namespace}0`, true); // '0' sorts right after '/'
  }
  if (start !== undefined) i = Math.max(i, lowerBound(keys, start, false));
  const items: Rec[] = [];
  let more = false;
  let last = "";
  for (; i < end; i++) {
    const rec = snap.map.get(keys[i])!;
    if (match && !match(rec.obj)) continue;
    if (limit > 0 && items.length >= limit) {
      more = true;
      break;
    }
    items.push(rec);
    last = keys[i];
  }
  const listMeta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = {
    resourceVersion: String(snap.rv),
  };
  if (more) {
    listMeta.continue = encodeContinue({ rv: snap.rv, start: last });
    if (!match) listMeta.remainingItemCount = end - i;
  }
  return jsonResponse(listBody(ctx, req, items, listMeta));
}

const encoder = new TextEncoder();

/** WATCH (rules 7.1-7.9). */
export async function handleWatch(ctx: ServerCtx, req: ResourceRequest): Promise<Response> {
  const p = req.params;
  const rv = parseRv(p.get("resourceVersion"), true);
  // 7.4: a resourceVersion the store has not reached yet is waited for, then 504
  if (rv !== undefined) await waitForRv(ctx, rv);
  const rvm = p.get("resourceVersionMatch");
  const sieParam = p.get("sendInitialEvents");
  const sendInitial = sieParam === "true";
  if (sieParam !== null && rvm !== "NotOlderThan") {
    throw invalidParam(
      "resourceVersionMatch",
      "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
    );
  }
  if (sieParam === null && rvm) {
    throw invalidParam(
      "resourceVersionMatch",
      "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
    );
  }
  const timeoutParam = p.get("timeoutSeconds");
  const timeoutSeconds = timeoutParam ? Number(timeoutParam) : undefined;
  if (timeoutSeconds !== undefined && (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0)) {
    throw badRequest(`invalid timeoutSeconds: ${timeoutParam}`);
  }
  const bw = p.get("allowWatchBookmarks");
  const bookmarks = bw === "true" || bw === "1";
  const match = selectorOf(req, req.name);
  const storeKey = req.info.storeKey;
  const render = watchRender(ctx, req);
  const headers = jsonHeaders();
  if (rv !== undefined && rv !== 0 && !sendInitial && rv < ctx.store.compactedRv) {
    const status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `too old resource version: ${rv} (${ctx.store.compactedRv + 1})`,
      reason: "Expired",
      code: 410,
    };
    const line = JSON.stringify({ type: "ERROR", object: status }) + "\n";
    return new Response(encoder.encode(line), { status: 200, headers });
  }
  const w = ctx.hub.open({
    storeKey,
    namespace: req.namespace,
    matches: match,
    render,
    bookmarks,
    timeoutMs: timeoutSeconds !== undefined ? timeoutSeconds * 1000 : undefined,
  });
  const initial = sendInitial || ((rv === undefined || rv === 0) && sieParam !== "false");
  if (initial) {
    const snap = ctx.store.snapshot(storeKey);
    for (const key of snap.keys) {
      const rec = snap.map.get(key)!;
      if (w.matches(rec.obj)) w.send(ctx.hub.line(render, "ADDED", rec));
    }
    if (sendInitial && bookmarks) w.bookmark(true);
  } else if (rv !== undefined) {
    for (const e of ctx.store.eventsSince(rv, storeKey)) ctx.hub.deliver(w, e);
  }
  w.startTimers();
  return new Response(w.stream, { status: 200, headers });
}

/** Every current object of a collection request that matches its namespace and selectors. */
export function handleListItems(
  ctx: ServerCtx,
  info: ResourceRequest["info"],
  target: { namespace?: string; params: URLSearchParams },
): Rec[] {
  const match = selectorOf({ info, params: target.params } as ResourceRequest);
  const snap = ctx.store.snapshot(info.storeKey);
  const out: Rec[] = [];
  for (const key of snap.keys) {
    const rec = snap.map.get(key)!;
    if (
      target.namespace !== undefined && (rec.obj.metadata as Obj).namespace !== target.namespace
    ) continue;
    if (match && !match(rec.obj)) continue;
    out.push(rec);
  }
  return out;
}
