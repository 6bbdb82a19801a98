/**
 * Logging set-up for operator processes. Library code in operatorkit only calls
 * `getLogger(["operatorkit", ...])`; this is the one place that configures LogTape sinks,
 * and only applications (through `runOperator`) call it. Swapping LogTape for another
 * logger means changing this module.
 *
 * @module
 */
import {
  ansiColorFormatter,
  configure,
  getTextFormatter,
  jsonLinesFormatter,
  type LogRecord,
  reset,
  type TextFormatter,
} from "@logtape/logtape";
import { _otel, _otelLoaded } from "../client/_otel.ts";
import type { OperatorLogLevel } from "./flags.ts";

/**
 * Options of {@linkcode configureOperatorLogging}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getLogger } from "@logtape/logtape";
 * import { configureOperatorLogging, type OperatorLoggingOptions } from "./logging.ts";
 * const lines: string[] = [];
 * const o: OperatorLoggingOptions = {
 *   level: "warning",
 *   format: "json",
 *   categories: ["website"],
 *   write: (l) => lines.push(l),
 * };
 * await using _logging = await configureOperatorLogging(o);
 * getLogger(["website"]).info("below the level");
 * getLogger(["website"]).warn("kept");
 * assert.equal(lines.length, 1);
 * assert.equal(JSON.parse(lines[0]).message, "kept");
 * ```
 */
export interface OperatorLoggingOptions {
  /** Lowest level written. */
  level: OperatorLogLevel;
  /** `pretty` (coloured unless NO_COLOR), `json` (JSON lines), or `auto` (pretty on a terminal). */
  format: "pretty" | "json" | "auto";
  /** Root categories besides `operatorkit` to configure (e.g. the operator's name). */
  categories?: string[];
  /**
   * Where formatted lines go.
   * @default {standard error, written synchronously}
   */
  write?: (line: string) => void;
}

/**
 * Configures LogTape for an operator process: the `operatorkit` categories and the given
 * ones at `level`, pretty or JSON lines. Resolves to a disposable that resets LogTape.
 *
 * @example
 * ```ts
 * import { getLogger } from "@logtape/logtape";
 * import { configureOperatorLogging } from "./logging.ts";
 * const lines: string[] = [];
 * await using _logging = await configureOperatorLogging({
 *   level: "info",
 *   format: "json",
 *   write: (l) => lines.push(l),
 * });
 * import assert from "node:assert/strict";
 * getLogger(["operatorkit", "demo"]).info("hello {who}", { who: "world" });
 * assert.equal(JSON.parse(lines[0]).message, 'hello "world"');
 * ```
 */
export async function configureOperatorLogging(
  options: OperatorLoggingOptions,
): Promise<AsyncDisposable> {
  const formatter = _formatter(options.format);
  const encoder = new TextEncoder();
  const write = options.write ??
    ((line: string) => {
      Deno.stderr.writeSync(encoder.encode(line));
    });
  const sink = (record: LogRecord) => write(formatter(_withTraceIds(record)));
  const categories = ["operatorkit", ...(options.categories ?? [])];
  // Loads the OpenTelemetry API now when a tracer provider is registered, so the (synchronous)
  // sink can read the active span; without one nothing records spans and nothing is loaded.
  await _otel();
  await configure({
    reset: true,
    sinks: { operator: sink },
    loggers: [
      ...categories.map((c) => ({
        category: [c],
        lowestLevel: options.level,
        sinks: ["operator"],
      })),
      { category: ["logtape", "meta"], lowestLevel: "warning" as const, sinks: ["operator"] },
    ],
  });
  return { [Symbol.asyncDispose]: () => reset() };
}

// A record logged while an OpenTelemetry span is active (a reconcile, a client request) gets
// its `traceId` and `spanId`, so log lines and traces of one reconcile can be joined. The sink
// runs synchronously inside the logging call, so the active span is the caller's. Without
// OTEL_DENO=true there is never an active span and records pass unchanged (and the
// OpenTelemetry API is not loaded: client/_otel.ts).
function _withTraceIds(record: LogRecord): LogRecord {
  const api = _otelLoaded();
  if (!api) return record;
  const span = api.trace.getActiveSpan();
  if (!span) return record;
  const c = span.spanContext();
  if (!api.isSpanContextValid(c)) return record;
  return { ...record, properties: { ...record.properties, traceId: c.traceId, spanId: c.spanId } };
}

function _formatter(format: OperatorLoggingOptions["format"]): TextFormatter {
  // `pretty` is human-readable text, coloured unless NO_COLOR is set; `auto` is pretty on a
  // terminal and JSON lines otherwise.
  const pretty = format === "pretty" || (format === "auto" && Deno.stderr.isTerminal());
  if (!pretty) return jsonLinesFormatter;
  return Deno.noColor ? getTextFormatter() : ansiColorFormatter;
}
