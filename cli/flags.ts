/**
 * The operator command line: the flags every operator built with `runOperator` shares,
 * parsed with commander, each also settable through an `OPERATORKIT_...` environment
 * variable. A bad value is a {@linkcode FlagError} whose message is one line naming the flag,
 * the value and what was expected; the runtime prints it and exits with code 2.
 *
 * @module
 */
import { parseDebugBindAddress } from "./debug_page.ts";
import type { Command, Option } from "commander";
import { _readEnv } from "./_startup.ts";

/**
 * Log levels accepted by `--log-level`, lowest first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOG_LEVELS, parseOperatorFlags } from "./flags.ts";
 * assert.equal(LOG_LEVELS[0], "trace");
 * for (const level of LOG_LEVELS) {
 *   const { flags } = await parseOperatorFlags(["--log-level", level], { name: "op", env: {} });
 *   assert.equal(flags.logLevel, level);
 * }
 * await assert.rejects(() => parseOperatorFlags(["--log-level", "loud"], { name: "op", env: {} }));
 * ```
 */
export const LOG_LEVELS = ["trace", "debug", "info", "warning", "error", "fatal"] as const;

/**
 * A log level accepted by `--log-level`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OperatorLogLevel, parseOperatorFlags } from "./flags.ts";
 * const level: OperatorLogLevel = "debug";
 * const { flags } = await parseOperatorFlags([], { name: "op", env: { OPERATORKIT_LOG_LEVEL: level } });
 * assert.equal(flags.logLevel, level);
 * ```
 */
export type OperatorLogLevel = typeof LOG_LEVELS[number];

/**
 * A listen address: host and port, or undefined when disabled with `0`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BindAddress, parseOperatorFlags } from "./flags.ts";
 * const { flags } = await parseOperatorFlags([], { name: "op", env: {} });
 * const a: BindAddress | undefined = flags.metricsBindAddress;
 * assert.deepEqual(a, { hostname: "127.0.0.1", port: 8080 });
 * ```
 */
export interface BindAddress {
  /** Interface to bind (`0.0.0.0` when the flag gave only `:port`). */
  hostname: string;
  /** TCP port; 0 picks a free one. */
  port: number;
}

/**
 * The parsed operator flags.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OperatorFlags, parseOperatorFlags } from "./flags.ts";
 * const { flags }: { flags: OperatorFlags } = await parseOperatorFlags(
 *   ["--log-level", "debug", "--leader-elect"],
 *   { name: "website", env: {} },
 * );
 * assert.equal(flags.logLevel, "debug");
 * assert.equal(flags.leaderElect, true);
 * assert.equal(flags.leaderElectionId, "website-leader");
 * assert.equal(flags.leaseDurationMs, 15_000);
 * ```
 */
export interface OperatorFlags {
  /**
   * `--kubeconfig`: path of the kubeconfig.
   * @default {`KUBECONFIG`, else `~/.kube/config`, else in-cluster}
   */
  kubeconfig?: string;
  /**
   * `--context`: kubeconfig context.
   * @default {the kubeconfig's current context}
   */
  context?: string;
  /**
   * `--namespace` (repeatable, or comma-separated): the cache and every controller see only
   * these namespaces, cluster-scoped types excepted.
   * @default {[] (all namespaces)}
   */
  namespaces: string[];
  /** `--log-level`. */
  logLevel: OperatorLogLevel;
  /** `--log-format`: `pretty`, `json`, or `auto` (pretty on a terminal, else JSON lines). */
  logFormat: "pretty" | "json" | "auto";
  /**
   * `--metrics-bind-address` (loopback only by default, since `/metrics` has no
   * authentication; `0` disables).
   * @default {`127.0.0.1:8080`}
   */
  metricsBindAddress?: BindAddress;
  /**
   * `--metrics-secure`: serve `/metrics` over HTTPS, only to callers whose bearer token a
   * TokenReview accepts and a SubjectAccessReview allows to `get /metrics`.
   */
  metricsSecure: boolean;
  /**
   * `--metrics-cert-dir`: `tls.crt` and `tls.key` for `--metrics-secure`.
   * @default {a self-signed certificate made at start-up}
   */
  metricsCertDir?: string;
  /**
   * `--health-probe-bind-address` (`0` disables).
   * @default {`:8081`}
   */
  healthProbeBindAddress?: BindAddress;
  /**
   * `--debug-bind-address`: the `/debug` status page, loopback only.
   * @default {`0` (off)}
   */
  debugBindAddress?: BindAddress;
  /** `--leader-elect`. */
  leaderElect: boolean;
  /**
   * `--leader-election-id`: the Lease name.
   * @default {`<name>-leader`}
   */
  leaderElectionId: string;
  /**
   * `--leader-election-namespace`.
   * @default {the client's namespace}
   */
  leaderElectionNamespace?: string;
  /**
   * `--leader-election-lease-duration` in milliseconds.
   * @default {15_000}
   */
  leaseDurationMs: number;
  /**
   * `--leader-election-renew-deadline` in milliseconds (below the lease duration).
   * @default {10_000}
   */
  renewDeadlineMs: number;
  /**
   * `--leader-election-retry-period` in milliseconds.
   * @default {2_000}
   */
  retryPeriodMs: number;
  /** `--concurrency`: parallel reconciles per controller. */
  concurrency: number;
  /** `--resync-period` in milliseconds (given as `10m`, `30s`, `1h30m`, `500ms`). */
  resyncPeriodMs: number;
  /**
   * `--cache-sync-timeout` in milliseconds: start-up fails when an informer has not listed
   * its resource by then.
   * @default {120_000}
   */
  cacheSyncTimeoutMs: number;
  /**
   * `--shutdown-grace-period` in milliseconds: how long in-flight reconciles may finish
   * after SIGTERM before they are aborted.
   * @default {`ParseFlagsOptions.shutdownGracePeriodMs`, else 30_000}
   */
  shutdownGracePeriodMs: number;
  /**
   * `--watch-idle-timeout` in milliseconds: a watch with neither an event nor a bookmark for
   * this long is closed and resumed (1.5 of kube-apiserver's bookmark minute).
   * @default {90_000}
   */
  watchIdleTimeoutMs: number;
  /**
   * `--watch-stale-threshold` in milliseconds: `/readyz` fails while a synced informer has had
   * no working watch for longer.
   * @default {60_000}
   */
  watchStaleThresholdMs: number;
  /** Values of flags the user added through `configure`, by commander's attribute name. */
  extra: Record<string, unknown>;
}

/**
 * What the command line asked for: run the operator, or print its manifests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ParsedCommandLine, parseOperatorFlags } from "./flags.ts";
 * const parsed: ParsedCommandLine = await parseOperatorFlags(["manifests", "--image", "op:1"], {
 *   name: "op",
 *   env: {},
 * });
 * assert.equal(parsed.command, "manifests");
 * assert.equal(parsed.manifests.image, "op:1");
 * assert.equal((await parseOperatorFlags([], { name: "op", env: {} })).command, "run");
 * ```
 */
export interface ParsedCommandLine {
  /** `run` (the default) or `manifests`. */
  command: "run" | "manifests";
  /** The shared flags. */
  flags: OperatorFlags;
  /** Options of the `manifests` subcommand. */
  manifests: ManifestsCommandOptions;
  /** Set when `--help` or `--version` printed something: exit 0 without running. */
  output?: string;
}

/**
 * Options of the `manifests` subcommand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ManifestsCommandOptions, parseOperatorFlags } from "./flags.ts";
 * const { manifests }: { manifests: ManifestsCommandOptions } = await parseOperatorFlags(
 *   ["manifests", "--skip-namespace"],
 *   { name: "op", env: {} },
 * );
 * assert.deepEqual(manifests, { image: "op:latest", namespace: "op", includeNamespace: false });
 * ```
 */
export interface ManifestsCommandOptions {
  /**
   * `--image`: the container image.
   * @default {`<name>:latest`}
   */
  image: string;
  /**
   * `--manifest-namespace`: where the operator runs.
   * @default {the operator's name}
   */
  namespace: string;
  /** False with `--skip-namespace` (the Namespace is managed elsewhere). */
  includeNamespace: boolean;
}

/**
 * A bad command line: the message is one line naming the flag, the value and what was
 * expected. `exitCode` is 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FlagError, parseOperatorFlags } from "./flags.ts";
 * await assert.rejects(
 *   () => parseOperatorFlags(["--concurrency", "zero"], { name: "op", env: {} }),
 *   (err) => err instanceof FlagError && err.exitCode === 2 && /--concurrency/.test(err.message),
 * );
 * ```
 */
export class FlagError extends Error {
  /** Always `FlagError`. */
  override name = "FlagError";
  /** The process exit code for a usage error. */
  readonly exitCode = 2;
  /** A usage error with a one-line message. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The part of commander's `Command` offered to `configure` for adding flags.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FlagCommand, parseOperatorFlags } from "./flags.ts";
 * const add = (cmd: FlagCommand) => cmd.option("--replicas <n>", "replicas", "1");
 * const { flags } = await parseOperatorFlags(["--replicas", "3"], { name: "op", env: {}, configure: add });
 * assert.equal(flags.extra.replicas, "3");
 * ```
 */
export interface FlagCommand {
  /** Adds an option (commander syntax: `--name <value>`, `--flag`). */
  option(flags: string, description?: string, defaultValue?: string | boolean | string[]): unknown;
}

/**
 * Options of {@linkcode parseOperatorFlags}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ParseFlagsOptions, parseOperatorFlags } from "./flags.ts";
 * const o: ParseFlagsOptions = { name: "website", env: { OPERATORKIT_LOG_LEVEL: "debug" } };
 * assert.equal((await parseOperatorFlags([], o)).flags.logLevel, "debug");
 * assert.equal((await parseOperatorFlags(["--log-level", "error"], o)).flags.logLevel, "error", "the flag wins");
 * ```
 */
export interface ParseFlagsOptions {
  /** The operator's name (program name, default lease id). */
  name: string;
  /** Shown by `--help`. */
  description?: string;
  /** Shown by `--version`. */
  version?: string;
  /**
   * Environment to read `OPERATORKIT_*` from.
   * @default {`Deno.env.toObject()`}
   */
  env?: Record<string, string>;
  /** Adds the user's own flags to the root command (read them from `flags.extra`). */
  configure?: (command: FlagCommand) => void;
  /**
   * Default of `--shutdown-grace-period` in milliseconds.
   * @default {30_000}
   */
  shutdownGracePeriodMs?: number;
}

/**
 * Parses an operator command line (`argv` without the program name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseOperatorFlags } from "./flags.ts";
 * const { flags } = await parseOperatorFlags(
 *   ["--namespace", "a", "--namespace", "b", "--resync-period", "1m30s"],
 *   { name: "website", env: { OPERATORKIT_CONCURRENCY: "4" } },
 * );
 * assert.deepEqual(flags.namespaces, ["a", "b"]);
 * assert.equal(flags.resyncPeriodMs, 90_000);
 * assert.equal(flags.concurrency, 4);
 * ```
 */
export async function parseOperatorFlags(
  argv: readonly string[],
  options: ParseFlagsOptions,
): Promise<ParsedCommandLine> {
  // commander is loaded here, not at import: an operator process parses its flags once, and
  // the CommonJS loader it needs costs about 6 MB of memory the rest of the process never uses.
  const cm = await import("commander");
  const { Command, CommanderError, Option } = cm;
  const env = options.env ?? _readEnv();
  let out = "";
  let command: "run" | "manifests" = "run";
  let manifestOpts: ManifestsCommandOptions = {
    image: `${options.name}:latest`,
    namespace: options.name,
    includeNamespace: true,
  };
  const root = new Command(options.name)
    .description(options.description ?? `the ${options.name} operator`)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out += s,
      writeErr: (s) => out += s,
      outputError: () => {},
    })
    .showHelpAfterError(false);
  if (options.version) root.version(options.version);
  _sharedOptions(cm, root, options.name, options.shutdownGracePeriodMs ?? 30_000);
  options.configure?.(root);
  for (const option of _envOptions(root)) option.description += ` [env ${_envName(option)}]`;
  root.command("run", { isDefault: true, hidden: true }).description("run the operator (default)")
    .action(() => {
      command = "run";
    });
  root.command("manifests")
    .description(
      "print the Namespace, CRDs, ServiceAccount, least-privilege RBAC and Deployment it needs",
    )
    .addOption(new Option("--image <image>", "container image").default(manifestOpts.image))
    .addOption(
      new Option("--manifest-namespace <ns>", "namespace to deploy into").default(
        manifestOpts.namespace,
      ),
    )
    .addOption(
      new Option("--skip-namespace", "leave out the Namespace object (managed elsewhere)"),
    )
    .action((o: { image: string; manifestNamespace: string; skipNamespace?: boolean }) => {
      command = "manifests";
      manifestOpts = {
        image: o.image,
        namespace: o.manifestNamespace,
        includeNamespace: o.skipNamespace !== true,
      };
    });
  try {
    root.parse([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) {
        return {
          command,
          flags: _collect(cm, root, options.name),
          manifests: manifestOpts,
          output: out,
        };
      }
      throw new FlagError(_oneLine(err.message), { cause: err });
    }
    throw err;
  }
  _applyEnv(cm, root, env);
  return { command, flags: _collect(cm, root, options.name), manifests: manifestOpts };
}

type _Commander = typeof import("commander");

function _sharedOptions(cm: _Commander, cmd: Command, name: string, graceMs: number): void {
  const o = (flags: string, desc: string) => new cm.Option(flags, desc);
  cmd.addOption(o("--kubeconfig <path>", "kubeconfig file (default: KUBECONFIG, ~/.kube/config)"))
    .addOption(o("--context <name>", "kubeconfig context"))
    .addOption(
      o("--namespace <ns>", "watch only this namespace (repeatable or a,b; default: all)")
        .argParser(_collectStrings).default([] as string[]),
    )
    .addOption(
      o("--log-level <level>", "lowest level logged").choices([...LOG_LEVELS]).default("info"),
    )
    .addOption(
      o("--log-format <format>", "pretty, json, or auto (pretty on a terminal)")
        .choices(["pretty", "json", "auto"]).default("auto"),
    )
    .addOption(
      o(
        "--metrics-bind-address <addr>",
        "metrics listen address ([host]:port; 0 disables; default loopback only)",
      ).argParser(_bindAddress(cm, "--metrics-bind-address")).default("127.0.0.1:8080"),
    )
    .addOption(
      o("--metrics-secure", "serve metrics over HTTPS to authenticated, authorized callers only"),
    )
    .addOption(
      o(
        "--metrics-cert-dir <dir>",
        "tls.crt and tls.key for --metrics-secure (default: self-signed)",
      ),
    )
    .addOption(
      o("--health-probe-bind-address <addr>", "probe listen address ([host]:port; 0 disables)")
        .argParser(_bindAddress(cm, "--health-probe-bind-address")).default(":8081"),
    )
    .addOption(
      o("--debug-bind-address <addr>", "/debug status page, loopback only (127.0.0.1:port; 0 off)")
        .argParser(_debugAddress(cm)).default("0"),
    )
    .addOption(o("--leader-elect", "elect a leader through a Lease before reconciling"))
    .addOption(o("--leader-election-id <name>", "Lease name").default(`${name}-leader`))
    .addOption(o("--leader-election-namespace <ns>", "Lease namespace (default: the client's)"))
    .addOption(
      o("--leader-election-lease-duration <duration>", "how long a lease lasts unrenewed")
        .argParser(_duration(cm, "--leader-election-lease-duration")).default("15s"),
    )
    .addOption(
      o("--leader-election-renew-deadline <duration>", "leader steps down when not renewed")
        .argParser(_duration(cm, "--leader-election-renew-deadline")).default("10s"),
    )
    .addOption(
      o("--leader-election-retry-period <duration>", "pause between lease attempts")
        .argParser(_duration(cm, "--leader-election-retry-period")).default("2s"),
    )
    .addOption(
      o("--concurrency <n>", "parallel reconciles per controller")
        .argParser(_positiveInt(cm, "--concurrency")).default(4),
    )
    .addOption(
      o("--resync-period <duration>", "replay every cached object this often (e.g. 10m)")
        .argParser(_duration(cm, "--resync-period")).default("10m"),
    )
    .addOption(
      o("--cache-sync-timeout <duration>", "fail start-up when a cache has not synced by then")
        .argParser(_duration(cm, "--cache-sync-timeout")).default("2m"),
    )
    .addOption(
      o("--shutdown-grace-period <duration>", "time in-flight reconciles get after SIGTERM")
        .argParser(_duration(cm, "--shutdown-grace-period")).default(_formatDuration(graceMs)),
    )
    .addOption(
      o(
        "--watch-idle-timeout <duration>",
        "resume a watch silent (no event, no bookmark) this long",
      )
        .argParser(_duration(cm, "--watch-idle-timeout")).default("90s"),
    )
    .addOption(
      o(
        "--watch-stale-threshold <duration>",
        "not ready while an informer has no working watch this long",
      )
        .argParser(_duration(cm, "--watch-stale-threshold")).default("60s"),
    );
}

/** The options an environment variable may set: all but `--version` and `--help`. */
function _envOptions(cmd: Command): Option[] {
  return (cmd.options as Option[]).filter((o) => o.long !== "--version" && o.long !== "--help");
}

/** `--log-level` -> `OPERATORKIT_LOG_LEVEL`. */
function _envName(option: Option): string {
  return `OPERATORKIT_${option.attributeName().replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** Fills options the command line did not give from the environment (the flag wins). */
function _applyEnv(cm: _Commander, cmd: Command, env: Record<string, string>): void {
  for (const option of _envOptions(cmd)) {
    const name = _envName(option);
    const value = env[name];
    if (cmd.getOptionValueSource(option.attributeName()) === "cli") continue;
    if (value === undefined || value === "") continue;
    const attr = option.attributeName();
    if (option.isBoolean()) {
      if (!/^(1|true|yes|0|false|no)$/i.test(value)) {
        throw new FlagError(
          `${name}=${JSON.stringify(value)} (${option.long}) is invalid: expected true or false`,
        );
      }
      cmd.setOptionValueWithSource(attr, /^(1|true|yes)$/i.test(value), "env");
      continue;
    }
    try {
      let parsed: unknown = value;
      if (attr === "namespace") parsed = value.split(",").map((s) => s.trim()).filter(Boolean);
      else if (option.parseArg) parsed = option.parseArg(value, [] as never);
      if (option.argChoices && !option.argChoices.includes(value)) {
        throw new cm.InvalidArgumentError(`Allowed choices are ${option.argChoices.join(", ")}.`);
      }
      cmd.setOptionValueWithSource(attr, parsed, "env");
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new FlagError(`${name}=${JSON.stringify(value)} (${option.long}) is invalid: ${why}`, {
        cause: err,
      });
    }
  }
}

function _collect(cm: _Commander, cmd: Command, name: string): OperatorFlags {
  const v = cmd.opts() as Record<string, unknown>;
  const bind = (key: string) => parseBindAddress(v[key] as string);
  const ms = (key: string, flag: string) =>
    typeof v[key] === "string" ? _duration(cm, flag)(v[key] as string) : v[key] as number;
  const resync = ms("resyncPeriod", "--resync-period");
  const cacheSyncTimeoutMs = ms("cacheSyncTimeout", "--cache-sync-timeout");
  const shutdownGracePeriodMs = ms("shutdownGracePeriod", "--shutdown-grace-period");
  if (!(cacheSyncTimeoutMs > 0)) {
    throw new FlagError(
      `--cache-sync-timeout=${cacheSyncTimeoutMs}ms is invalid: expected more than 0`,
    );
  }
  const leaseDurationMs = ms("leaderElectionLeaseDuration", "--leader-election-lease-duration");
  const renewDeadlineMs = ms("leaderElectionRenewDeadline", "--leader-election-renew-deadline");
  const retryPeriodMs = ms("leaderElectionRetryPeriod", "--leader-election-retry-period");
  const watchIdleTimeoutMs = ms("watchIdleTimeout", "--watch-idle-timeout");
  const watchStaleThresholdMs = ms("watchStaleThreshold", "--watch-stale-threshold");
  for (
    const [flag, value] of [
      ["--watch-idle-timeout", watchIdleTimeoutMs],
      ["--watch-stale-threshold", watchStaleThresholdMs],
    ] as const
  ) {
    if (!(value > 0)) throw new FlagError(`${flag}=${value}ms is invalid: expected more than 0`);
  }
  if (!(renewDeadlineMs < leaseDurationMs)) {
    throw new FlagError(
      `--leader-election-renew-deadline=${renewDeadlineMs}ms is invalid: expected less than ` +
        `--leader-election-lease-duration (${leaseDurationMs}ms)`,
    );
  }
  if (!(retryPeriodMs > 0 && retryPeriodMs < renewDeadlineMs)) {
    throw new FlagError(
      `--leader-election-retry-period=${retryPeriodMs}ms is invalid: expected more than 0 ` +
        `and less than --leader-election-renew-deadline (${renewDeadlineMs}ms)`,
    );
  }
  const known = new Set([
    "kubeconfig",
    "context",
    "namespace",
    "logLevel",
    "logFormat",
    "metricsBindAddress",
    "healthProbeBindAddress",
    "debugBindAddress",
    "metricsSecure",
    "metricsCertDir",
    "leaderElect",
    "leaderElectionId",
    "leaderElectionNamespace",
    "leaderElectionLeaseDuration",
    "leaderElectionRenewDeadline",
    "leaderElectionRetryPeriod",
    "concurrency",
    "resyncPeriod",
    "cacheSyncTimeout",
    "shutdownGracePeriod",
    "watchIdleTimeout",
    "watchStaleThreshold",
    "version",
  ]);
  const extra: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(v)) if (!known.has(k)) extra[k] = value;
  return {
    ...(v.kubeconfig ? { kubeconfig: v.kubeconfig as string } : {}),
    ...(v.context ? { context: v.context as string } : {}),
    namespaces: [...new Set(v.namespace as string[])],
    logLevel: v.logLevel as OperatorLogLevel,
    logFormat: v.logFormat as OperatorFlags["logFormat"],
    ...(_opt("metricsBindAddress", bind("metricsBindAddress"))),
    ...(_opt(
      "healthProbeBindAddress",
      bind("healthProbeBindAddress"),
    )),
    ...(_opt("debugBindAddress", parseDebugBindAddress(v.debugBindAddress as string))),
    metricsSecure: v.metricsSecure === true,
    ...(v.metricsCertDir ? { metricsCertDir: v.metricsCertDir as string } : {}),
    leaderElect: v.leaderElect === true,
    leaderElectionId: (v.leaderElectionId as string) || `${name}-leader`,
    ...(v.leaderElectionNamespace
      ? { leaderElectionNamespace: v.leaderElectionNamespace as string }
      : {}),
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    concurrency: v.concurrency as number,
    resyncPeriodMs: resync,
    cacheSyncTimeoutMs,
    shutdownGracePeriodMs,
    watchIdleTimeoutMs,
    watchStaleThresholdMs,
    extra,
  };
}

function _opt<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : { [key]: value } as Record<K, V>;
}

function _collectStrings(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(",").map((s) => s.trim()).filter(Boolean)];
}

function _positiveInt(cm: _Commander, flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
      throw new cm.InvalidArgumentError(`${flag} expects a positive integer`);
    }
    return Number(value);
  };
}

const _UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go-style duration (`90s`, `10m`, `1h30m`, `250ms`; a bare number is seconds).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./flags.ts";
 * assert.equal(parseDuration("1h30m"), 5_400_000);
 * assert.equal(parseDuration("250ms"), 250);
 * assert.equal(parseDuration("2"), 2_000, "a bare number is seconds");
 * assert.throws(() => parseDuration("soon"), RangeError);
 * ```
 */
export function parseDuration(value: string): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += Number(m[1]) * _UNITS[m[2]];
    matched = re.lastIndex;
  }
  if (v === "" || matched !== v.length) {
    throw new RangeError(
      `expected a duration like 30s, 10m or 1h30m, found ${JSON.stringify(value)}`,
    );
  }
  return total;
}

/** 30000 -> "30s", 90000 -> "90s", 1500 -> "1500ms": a value `parseDuration` reads back. */
function _formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function _duration(cm: _Commander, flag: string): (value: string) => number {
  return (value) => {
    try {
      return parseDuration(value);
    } catch {
      throw new cm.InvalidArgumentError(`${flag} expects a duration like 30s, 10m or 1h30m`);
    }
  };
}

/**
 * Parses `[host]:port`, `port`, or `0` (disabled: undefined).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBindAddress } from "./flags.ts";
 * assert.deepEqual(parseBindAddress(":8080"), { hostname: "0.0.0.0", port: 8080 });
 * assert.deepEqual(parseBindAddress("[::1]:9443"), { hostname: "::1", port: 9443 });
 * assert.equal(parseBindAddress("0"), undefined);
 * assert.throws(() => parseBindAddress("host:99999"), RangeError);
 * ```
 */
export function parseBindAddress(value: string): BindAddress | undefined {
  const v = value.trim();
  if (v === "0") return undefined;
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    throw new RangeError(
      `expected [host]:port (e.g. :8080 or 127.0.0.1:8080) or 0, found ${JSON.stringify(value)}`,
    );
  }
  const host = (m[1] ?? "").replace(/^\[|\]$/g, "");
  return { hostname: host === "" ? "0.0.0.0" : host, port };
}

function _bindAddress(cm: _Commander, flag: string): (value: string) => string {
  // Returns the text: commander turns an `undefined` result ("0", disabled) into "".
  return (value) => {
    try {
      parseBindAddress(value);
      return value;
    } catch {
      throw new cm.InvalidArgumentError(`${flag} expects [host]:port (e.g. :8080) or 0`);
    }
  };
}

function _debugAddress(cm: _Commander): (value: string) => string {
  return (value) => {
    try {
      parseDebugBindAddress(value);
      return value;
    } catch (err) {
      throw new cm.InvalidArgumentError(`--debug-bind-address ${(err as Error).message}`);
    }
  };
}

function _oneLine(message: string): string {
  return message.replace(/^error:\s*/, "").split("\n")[0].trim();
}
