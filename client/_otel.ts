// The OpenTelemetry API, loaded only when something can record spans: a tracer provider is
// registered in the API's global slot (Deno registers one at start-up under OTEL_DENO=true;
// an OpenTelemetry SDK registers one through the API). Without one the API's tracer is a
// no-op and there is nothing to load; loading the package anyway costs a process about 1.8 MB
// of RSS (issue #17: idle RSS). A provider registered later is picked up by the next span, as
// the API's own proxy tracer would.
import type * as OtelApi from "@opentelemetry/api";
import { VERSION } from "./_version.ts";

/** The `@opentelemetry/api` module. */
export type _OtelApi = typeof OtelApi;

// The API keeps its registered globals (tracer provider, context manager, ...) here: the
// version-1 key every @opentelemetry/api 1.x copy shares, and the one Deno fills.
const _GLOBAL = Symbol.for("opentelemetry.js.api.1");

// Module state, not configuration: the loaded module (one per process, like any import).
let _api: _OtelApi | undefined;
let _loading: Promise<_OtelApi> | undefined;
let _tracer: OtelApi.Tracer | undefined;

/**
 * The API, or undefined when nothing is registered (spans would be no-ops). A Promise only
 * the first time after a provider appears, while the module loads; callers on a hot path
 * test `instanceof Promise` so the usual cases cost no await.
 */
export function _otel(): _OtelApi | Promise<_OtelApi> | undefined {
  if ((globalThis as Record<symbol, unknown>)[_GLOBAL] === undefined) return undefined;
  return _api ?? (_loading ??= import("@opentelemetry/api").then((m) => (_api = m)));
}

/** The API if it is loaded already (for synchronous callers such as a log sink). */
export function _otelLoaded(): _OtelApi | undefined {
  return _api;
}

/** The tracer every operatorkit span comes from. */
export function _otelTracer(api: _OtelApi): OtelApi.Tracer {
  return _tracer ??= api.trace.getTracer("operatorkit", VERSION);
}
