/**
 * operatorkit: write Kubernetes operators in TypeScript on Deno. This entry point re-exports
 * the client, informer, controller and operator runtime; each is also importable alone
 * (`@operatorkit/operatorkit/client`, ...).
 *
 * @example
 * ```ts
 * import { objectKey } from "./mod.ts";
 * objectKey({ metadata: { name: "cluster-thing" } }); // "cluster-thing"
 * ```
 *
 * @module
 */
export * from "./client/mod.ts";
export * from "./informer/mod.ts";
export * from "./controller/mod.ts";
export * from "./cli/mod.ts";
