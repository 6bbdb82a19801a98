/**
 * `runOperator()`: the operator process around the controllers. It parses the command line,
 * configures logging, connects to the cluster, serves probes and metrics, optionally elects
 * a leader, builds and starts the controllers (again after a lost-and-regained leadership),
 * and shuts down gracefully on SIGTERM or SIGINT: no new work, in-flight reconciles finish
 * within the grace period, the lease is released, every watch closes, exit code 0. A second
 * signal exits at once.
 *
 * @module
 */
import type { CustomResourceDefinition, PolicyRule } from "../client/builtin_types.ts";
import type { ResourceType } from "../client/types.ts";
import type { Controller } from "../controller/controller.ts";
import type { EventRecorder } from "../controller/event_recorder.ts";
import type { ResourceMetrics } from "../controller/middlewares.ts";
import type { InformerFactory } from "../informer/factory.ts";
import type { FlagCommand, OperatorFlags } from "./flags.ts";
import type { AdmissionWebhook } from "../webhook/admission.ts";
import type { OperatorClient } from "./_client_glue.ts";

/**
 * What the `controllers` factory receives.
 *
 * It is a `ControllerContext`: `new Controller(ctx, { type, resources })` takes the client, the
 * shared informers and an event recorder from it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OperatorContext, OperatorRuntime } from "./run_operator.ts";
 * // A real operator returns e.g. `[new Controller(ctx, { type: Website, resources })]`.
 * const seen: OperatorContext[] = [];
 * const code = await new OperatorRuntime({
 *   name: "website",
 *   controllers: (ctx) => (seen.push(ctx), []),
 *   args: ["manifests", "--concurrency", "3"],
 *   env: {},
 *   print: () => {},
 * }).run();
 * assert.equal(code, 0);
 * // `manifests` calls the factory only to read the controllers' types: never started.
 * assert.equal(seen[0].signal.aborted, true);
 * assert.equal(seen[0].flags.concurrency, 3);
 * ```
 */
export interface OperatorContext {
  /** The Kubernetes client (operatorkit's `KubeClient`). */
  client: OperatorClient;
  /** Shared informers over that client. */
  informers: InformerFactory;
  /** The parsed flags (concurrency, resync period, namespaces, user flags in `extra`). */
  flags: OperatorFlags;
  /** The event recorder of a controller (`source.component` is its name). */
  eventRecorder(controller: string): EventRecorder;
  /** A per-controller registry for the `metrics` middleware; shown on `/metrics`. */
  resourceMetrics(controller: string): ResourceMetrics;
  /** Aborts when this leadership term (or the process) ends. */
  signal: AbortSignal;
}

/**
 * Options of {@linkcode runOperator} and {@linkcode OperatorRuntime}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OperatorRuntime, type RunOperatorOptions } from "./run_operator.ts";
 * let printed = "";
 * const options: RunOperatorOptions = {
 *   name: "website",
 *   controllers: () => [],
 *   extraRules: [{ apiGroups: [""], resources: ["pods"], verbs: ["deletecollection"] }],
 *   args: ["manifests", "--image", "website:1.0"],
 *   env: {},
 *   print: (text) => printed += text,
 * };
 * assert.equal(await new OperatorRuntime(options).run(), 0);
 * assert.match(printed, /image: website:1\.0/);
 * assert.match(printed, /- deletecollection/, "extra rules go into the ClusterRole");
 * ```
 */
export interface RunOperatorOptions {
  /** Operator name: program name, default lease id, manifests. */
  name: string;
  /** `--help` text. */
  description?: string;
  /** `--version` text. */
  version?: string;
  /**
   * Builds the controllers; called once per leadership term, before `start()`, and once
   * more at start-up (and by `manifests`) only to read the types they use for the RBAC
   * check; that call's `signal` is already aborted and its controllers are never started.
   */
  // deno-lint-ignore no-explicit-any
  controllers: (ctx: OperatorContext) => Controller<any>[] | Promise<Controller<any>[]>;
  /** Custom resource types the operator owns: printed by `manifests`, installed on start. */
  // deno-lint-ignore no-explicit-any
  customResources?: ReadonlyArray<ResourceType<any> & { crd: CustomResourceDefinition }>;
  /**
   * Install `customResources` at start (needs RBAC on CRDs).
   * @default {true}
   */
  installCustomResources?: boolean;
  /**
   * Admission webhooks (`validatingWebhook()`, `mutatingWebhook()` from the webhook module).
   * With these, or with `customResources` whose versions declare conversion, the operator
   * serves HTTPS webhooks on `--webhook-bind-address` (`:9443` in a cluster by default).
   */
  webhooks?: ReadonlyArray<AdmissionWebhook>;
  /**
   * Create or update the webhook configurations at start.
   * @default {true}
   */
  installWebhookConfigurations?: boolean;
  /**
   * RBAC rules the SDK cannot derive from the controllers' types, copied into the
   * ClusterRole of `manifests` exactly as written and checked at start-up: verbs like
   * `deletecollection`, `bind`, `escalate`, `impersonate`, rules limited by `resourceNames`,
   * and `nonResourceURLs`.
   */
  extraRules?: PolicyRule[];
  /** Adds the operator's own flags (read them from `flags.extra`). */
  configure?: (command: FlagCommand) => void;
  /**
   * Command line.
   * @default {`Deno.args`}
   */
  args?: readonly string[];
  /**
   * Environment.
   * @default {the process environment}
   */
  env?: Record<string, string>;
  /**
   * Default of `--shutdown-grace-period` in milliseconds: how long in-flight reconciles may
   * finish after SIGTERM/SIGINT; the process exits 1 anyway 5 s after it (time for releasing
   * the lease and closing watches). Controllers that set no `shutdownGracePeriodMs` get it.
   * @default {30_000}
   */
  shutdownGracePeriodMs?: number;
  /** Stops the operator (tests); SIGTERM and SIGINT always do. */
  signal?: AbortSignal;
  /**
   * Where `manifests` and `--help` print.
   * @default {standard output}
   */
  print?: (text: string) => void;
  /**
   * Where formatted log lines go; for running in process.
   * @default {standard error}
   */
  logWrite?: (line: string) => void;
}

/**
 * The operator process as an object: `run()` resolves to the exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OperatorRuntime } from "./run_operator.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * await using server = await startApiServer();
 * const kubeconfig = await Deno.makeTempFile();
 * await server.writeKubeconfig(kubeconfig);
 * const stop = new AbortController();
 * const terms: boolean[] = [];
 * const code = await new OperatorRuntime({
 *   name: "website",
 *   controllers: (ctx) => {
 *     terms.push(ctx.signal.aborted);
 *     if (!ctx.signal.aborted) stop.abort(); // the leadership term has begun: stop
 *     return [];
 *   },
 *   args: ["--kubeconfig", kubeconfig, "--health-probe-bind-address", "0", "--metrics-bind-address", "0"],
 *   env: {},
 *   signal: stop.signal,
 *   logWrite: () => {},
 * }).run();
 * await Deno.remove(kubeconfig);
 * assert.equal(code, 0);
 * // Once for the start-up RBAC check (already aborted), once for the term it ran.
 * assert.deepEqual(terms, [true, false]);
 * ```
 */
export class OperatorRuntime {
  readonly #o: RunOperatorOptions;

  /** Creates the runtime; nothing happens until `run()`. */
  constructor(options: RunOperatorOptions) {
    this.#o = options;
  }

  /** Runs until stopped; resolves to the process exit code (0, or 1 on a fatal error). */
  async run(): Promise<number> {
    // The machinery is loaded here, not when the package is imported (about 3 MB of modules a
    // process that only uses the client or an informer would otherwise keep).
    const { _OperatorProcess } = await import("./_operator_process.ts");
    return await new _OperatorProcess(this.#o).run();
  }
}

/**
 * The caches did not sync within `--cache-sync-timeout`: the message is one line naming each
 * unsynced resource (and its namespace) with the last error its informer saw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CacheSyncTimeoutError } from "./run_operator.ts";
 * const err = new CacheSyncTimeoutError(120_000, [{ resource: "websites.demo.io", lastError: "404" }]);
 * assert.match(err.message, /websites\.demo\.io .*404/);
 * ```
 */
export class CacheSyncTimeoutError extends Error {
  /** Always `CacheSyncTimeoutError`. */
  override name = "CacheSyncTimeoutError";
  /** The unsynced informers. */
  readonly unsynced: ReadonlyArray<{ resource: string; namespace?: string; lastError?: string }>;
  /** Names each unsynced informer. */
  constructor(
    timeoutMs: number,
    unsynced: ReadonlyArray<{ resource: string; namespace?: string; lastError?: string }>,
  ) {
    const parts = unsynced.map((u) =>
      `${u.resource}${u.namespace ? ` in namespace ${u.namespace}` : ""} (${
        u.lastError ? `last error: ${u.lastError}` : "no error: the list did not answer"
      })`
    );
    super(
      `caches did not sync within ${timeoutMs / 1000} s (--cache-sync-timeout): ${
        parts.join("; ") || "no informer reported"
      }`,
    );
    this.unsynced = unsynced;
  }
}

/**
 * Runs an operator process and exits with its code: the entry point of an operator script.
 *
 * @example
 * ```ts ignore
 * // Not run: runOperator ends the process with Deno.exit (see OperatorRuntime to run in process).
 * import { runOperator } from "@operatorkit/operatorkit/cli";
 * await runOperator({ name: "website", customResources: [Website], controllers: (ctx) => [websiteController(ctx)] });
 * ```
 */
export async function runOperator(options: RunOperatorOptions): Promise<never> {
  const code = await new OperatorRuntime(options).run();
  Deno.exit(code);
}
