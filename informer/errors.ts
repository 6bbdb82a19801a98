/**
 * The informer's own errors, as classes usable with `instanceof`.
 *
 * @module
 */

/**
 * `ready()` was waiting for the first sync when the informer was stopped.
 *
 * @example
 * ```ts
 * import { InformerStoppedError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const e = new InformerStoppedError("configmaps");
 * assert.ok(e instanceof InformerStoppedError);
 * assert.equal(e.resource, "configmaps");
 * assert.match(e.message, /configmaps informer to sync, found it stopped first/);
 * ```
 */
export class InformerStoppedError extends Error {
  /** The plural of the informer's resource type. */
  readonly resource: string;

  /** Creates the error for the informer of `resource` (a plural). */
  constructor(resource: string) {
    super(`expected the ${resource} informer to sync, found it stopped first`);
    this.name = "InformerStoppedError";
    this.resource = resource;
  }
}

/**
 * A watch that ended at once without an event or error: a broken server or proxy. The
 * reflector backs off and counts it under the reconnect reason `short-watch`.
 *
 * @example
 * ```ts
 * import { ShortWatchError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const e = new ShortWatchError("configmaps");
 * assert.ok(e instanceof ShortWatchError);
 * assert.equal(e.name, "ShortWatchError");
 * assert.match(e.message, /watch on configmaps to stay open/);
 * ```
 */
export class ShortWatchError extends Error {
  /** The watched resource (its plural). */
  readonly resource: string;

  /** Creates the error for a watch on `resource`. */
  constructor(resource: string) {
    super(`expected a watch on ${resource} to stay open, found it closed at once`);
    this.name = "ShortWatchError";
    this.resource = resource;
  }
}
