import assert from "node:assert/strict";
import { _otel, _otelLoaded, _otelTracer } from "./_otel.ts";
import { traceRequest } from "./_tracing.ts";

const GLOBAL = Symbol.for("opentelemetry.js.api.1");
const globals = globalThis as Record<symbol, unknown>;

Deno.test({
  name: "_otel: nothing registered, nothing loaded; a registered provider loads the API once",
  ignore: globals[GLOBAL] !== undefined, // OTEL_DENO=true registers Deno's provider at start-up
  async fn() {
    assert.equal(_otel(), undefined);
    assert.equal(_otelLoaded(), undefined);
    // A request without a provider: no span, and still no API.
    const res = await traceRequest(
      { method: "GET", path: "/api/v1/namespaces/a/configmaps" },
      () => Promise.resolve(new Response("{}")),
    );
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(_otelLoaded(), undefined);
    // What the API writes when a tracer provider is registered (an SDK, or Deno's own).
    globals[GLOBAL] = { version: "1.9.0" };
    try {
      const loading = _otel();
      assert.ok(loading instanceof Promise);
      const api = await loading;
      assert.equal(typeof api.trace.getTracer, "function");
      assert.equal(_otel(), api, "loaded once: the next call is synchronous");
      assert.equal(_otelLoaded(), api);
      // No provider behind the slot: the API's tracer does not record.
      assert.equal(_otelTracer(api).startSpan("x").isRecording(), false);
    } finally {
      delete globals[GLOBAL];
    }
    assert.equal(_otel(), undefined, "unregistered again: back to no tracing");
  },
});
