/**
 * The Kubernetes client: configuration, authentication, typed resource handles, watches and
 * errors, built on `fetch` alone.
 *
 * @example
 * ```ts
 * import { objectKey } from "./mod.ts";
 * objectKey({ metadata: { namespace: "default", name: "web" } }); // "default/web"
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./clock.ts";
