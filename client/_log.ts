// The SDK's loggers, without loading LogTape until the process has loaded it itself.
//
// Library code asks for its loggers here instead of calling LogTape's `getLogger` at import time:
// importing LogTape (an npm package) costs a process about 4.5 MB of resident memory (mostly
// Deno's npm and Node compatibility code), which an informer-only program that configures no
// logging should not pay (issue #17: idle RSS within 8 MB of a bare Deno script).
//
// LogTape keeps one root logger per process on `globalThis[Symbol.for("logtape.rootLogger")]`,
// shared by every copy of the package (that is how several LogTape versions in one process agree),
// and creates it the first time anything calls `getLogger` or `configure`. Until it exists nobody
// in the process has configured a sink, so a record has nowhere to go and LogTape itself would
// drop it. Each call here looks the root up (one property read); once it is there the call goes
// to `root.getChild(category)`, the same logger LogTape's own `getLogger(category)` returns, so
// sinks, filters, levels, contexts and `with()` properties behave exactly as with a direct import.
import type { Logger, LogRecord } from "@logtape/logtape";

const ROOT = Symbol.for("logtape.rootLogger");

type Properties = Record<string, unknown>;
// deno-lint-ignore no-explicit-any
type Args = any[];

function logtapeRoot(): Logger | undefined {
  return (globalThis as unknown as Record<symbol, Logger | undefined>)[ROOT] ?? undefined;
}

class LazyLogger {
  readonly category: readonly string[];
  readonly #properties: Properties | undefined;
  #root: Logger | undefined;
  #real: Logger | undefined;

  constructor(category: readonly string[], properties?: Properties) {
    this.category = category;
    this.#properties = properties;
  }

  #logger(): Logger | undefined {
    const root = logtapeRoot();
    if (root === undefined) return undefined;
    if (root !== this.#root) {
      this.#root = root;
      const logger = this.category.length === 0
        ? root
        : root.getChild(this.category as readonly [string, ...string[]]);
      this.#real = this.#properties === undefined ? logger : logger.with(this.#properties);
    }
    return this.#real;
  }

  get parent(): Logger | null {
    return this.category.length === 0 ? null : _getLogger(this.category.slice(0, -1));
  }

  getChild(subcategory: string | readonly [string] | readonly [string, ...string[]]): Logger {
    const sub = typeof subcategory === "string" ? [subcategory] : subcategory;
    return new LazyLogger([...this.category, ...sub], this.#properties) as unknown as Logger;
  }

  with(properties: Properties): Logger {
    return new LazyLogger(this.category, {
      ...this.#properties,
      ...properties,
    }) as unknown as Logger;
  }

  trace(...args: Args): void {
    this.#logger()?.trace(...(args as [string]));
  }
  debug(...args: Args): void {
    this.#logger()?.debug(...(args as [string]));
  }
  info(...args: Args): void {
    this.#logger()?.info(...(args as [string]));
  }
  warn(...args: Args): void {
    this.#logger()?.warn(...(args as [string]));
  }
  warning(...args: Args): void {
    this.#logger()?.warning(...(args as [string]));
  }
  error(...args: Args): void {
    this.#logger()?.error(...(args as [string]));
  }
  fatal(...args: Args): void {
    this.#logger()?.fatal(...(args as [string]));
  }
  emit(record: Omit<LogRecord, "category">): void {
    this.#logger()?.emit(record);
  }
}

/**
 * The logger for `category`, as LogTape's `getLogger(category)` would return it, without
 * importing LogTape: records go nowhere until something in the process has loaded LogTape (an
 * application's `configure()` does), then exactly where LogTape sends them.
 */
export function _getLogger(category: string | readonly string[]): Logger {
  return new LazyLogger(typeof category === "string" ? [category] : category) as unknown as Logger;
}
