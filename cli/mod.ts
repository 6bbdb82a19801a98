/**
 * The operator process: `runOperator()` parses the command line (commander, with
 * `OPERATORKIT_*` environment fallbacks), configures LogTape, connects to the cluster,
 * serves `/healthz`, `/readyz` and `/metrics`, elects a leader on a Lease when asked, runs the
 * controllers, prints deployment manifests (`manifests` subcommand) and shuts down
 * gracefully on SIGTERM/SIGINT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { operatorRbac, parseOperatorFlags } from "./mod.ts";
 * const { flags } = await parseOperatorFlags(["--leader-elect"], { name: "website", env: {} });
 * assert.equal(flags.leaderElect, true);
 * const rbac = operatorRbac([], { leaderElection: true });
 * assert.ok(rbac.ownNamespaceRules.some((r) => r.resources?.[0] === "leases"));
 * ```
 *
 * @module
 */
export * from "./flags.ts";
export * from "./logging.ts";
export * from "./metrics.ts";
export * from "./probes.ts";
export * from "./debug_page.ts";
export * from "./leader_election.ts";
export * from "./manifests.ts";
export * from "./run_operator.ts";
