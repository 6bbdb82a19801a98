/**
 * The operator process behind `OperatorRuntime.run()`: flags, logging, the connection, probes,
 * metrics, leader election, webhooks, the debug page and the controllers' lifecycle. Loaded by
 * `run()` with a dynamic import, so that importing the package (whose root exports
 * `runOperator`) does not load the flag parser, the webhook server and the rest for a process
 * that has not started an operator yet, or never does.
 *
 * @module
 */
import { _getLogger as getLogger } from "../client/_log.ts";
import type { Controller, ControllerDefaults, ControllerTypes } from "../controller/controller.ts";
import { Events } from "../client/builtins.ts";
import { KubeEventRecorder, noopEventRecorder } from "../controller/event_recorder.ts";
import { eventSink } from "../controller/kube.ts";
import { ResourceMetrics } from "../controller/middlewares.ts";
import { InformerFactory } from "../informer/factory.ts";
import {
  type FlagCommand,
  FlagError,
  type ManifestsCommandOptions,
  type OperatorFlags,
  parseOperatorFlags,
} from "./flags.ts";
import { LeaderElector, type LeaseApi } from "./leader_election.ts";
import { configureOperatorLogging } from "./logging.ts";
import {
  _checkAccess,
  _describeStartupError,
  _readEnv,
  _retryTransient,
  _whoAmI,
} from "./_startup.ts";
import { _metricsAuthFilter } from "./_metrics_auth.ts";
import { manifestsYaml, operatorManifests, type OperatorRbac, operatorRbac } from "./manifests.ts";
import {
  _crdsWithoutConversion,
  _hasWebhooks,
  _startWebhooks,
  _webhookFlags,
  _webhookManifests,
  _webhookSettings,
} from "./_webhooks.ts";
import { renderMetrics } from "./metrics.ts";
import { type DebugSnapshot, serveDebugPage } from "./debug_page.ts";
import { type Check, EventLoopMonitor, serveProbes } from "./probes.ts";
import {
  _connect,
  _installCrds,
  _leaseApi,
  _offlineClient,
  type OperatorClient,
} from "./_client_glue.ts";

import { CacheSyncTimeoutError, type RunOperatorOptions } from "./run_operator.ts";

/** Time after the grace period for releasing the lease and closing watches. */
const _SHUTDOWN_SLACK_MS = 5_000;

export class _OperatorProcess {
  readonly #o: RunOperatorOptions;
  readonly #log = getLogger(["operatorkit", "operator"]);
  // deno-lint-ignore no-explicit-any
  #controllers: Controller<any>[] = [];
  // Leading, but the controllers have not all started (their informers not yet synced).
  #controllersStarting = false;
  readonly #registries = new Map<string, ResourceMetrics>();
  #informers?: InformerFactory;
  #server?: string;
  #client?: OperatorClient;
  #user?: string;
  #elector?: LeaderElector;
  #starting?: string;

  constructor(options: RunOperatorOptions) {
    this.#o = options;
  }

  /** Runs until stopped; resolves to the process exit code (0, or 1 on a fatal error). */
  async run(): Promise<number> {
    const o = this.#o;
    const print = o.print ??
      ((t: string) => void Deno.stdout.writeSync(new TextEncoder().encode(t)));
    let parsed;
    let env: Record<string, string>;
    try {
      env = o.env ?? _readEnv();
    } catch (err) {
      console.error(`${o.name}: ${_describeStartupError(err)}`);
      return 1;
    }
    try {
      parsed = await parseOperatorFlags(o.args ?? Deno.args, {
        name: o.name,
        ...(o.description ? { description: o.description } : {}),
        ...(o.version ? { version: o.version } : {}),
        env,
        configure: (cmd: FlagCommand) => {
          _webhookFlags(o)(cmd);
          o.configure?.(cmd);
        },
        ...(o.shutdownGracePeriodMs !== undefined
          ? { shutdownGracePeriodMs: o.shutdownGracePeriodMs }
          : {}),
      });
    } catch (err) {
      if (err instanceof FlagError) {
        console.error(`${o.name}: ${err.message}`);
        return err.exitCode;
      }
      throw err;
    }
    if (parsed.output !== undefined) {
      print(parsed.output);
      return 0;
    }
    if (parsed.command === "manifests") {
      print(await this.#manifests(parsed.flags, parsed.manifests));
      return 0;
    }
    try {
      if (_hasWebhooks(o)) _webhookSettings(o, parsed.flags, env);
    } catch (err) {
      console.error(`${o.name}: ${(err as Error).message}`);
      return 2;
    }
    await using _logging = await configureOperatorLogging({
      level: parsed.flags.logLevel,
      format: parsed.flags.logFormat,
      categories: [o.name],
      ...(o.logWrite ? { write: o.logWrite } : {}),
    });
    try {
      await this.#serve(parsed.flags, env);
      return 0;
    } catch (err) {
      this.#log.fatal("operator {name} failed: {error}", {
        name: o.name,
        error: _describeStartupError(err, this.#server ? { server: this.#server } : {}),
      });
      return 1;
    }
  }

  async #serve(flags: OperatorFlags, env: Record<string, string>): Promise<void> {
    const o = this.#o;
    const stop = new AbortController();
    const onParent = () => stop.abort(o.signal?.reason);
    o.signal?.addEventListener("abort", onParent, { once: true });
    let signals = 0;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const graceMs = flags.shutdownGracePeriodMs;
    // A failure while leading (controllers not built, caches not synced) ends the process,
    // as controller-runtime's manager does, instead of leaving a leader that does nothing.
    let fatal: unknown;
    const onSignal = () => {
      if (++signals > 1) {
        this.#log.warn("second signal: exiting at once");
        Deno.exit(1);
      }
      this.#log.info("signal received: shutting down");
      stop.abort(new Error("signal"));
      // A reconcile that ignores its abort signal must not keep the process alive forever.
      watchdog = setTimeout(() => {
        this.#log.error("shutdown did not finish within {ms} ms: exiting", {
          ms: graceMs + _SHUTDOWN_SLACK_MS,
        });
        Deno.exit(1);
      }, graceMs + _SHUTDOWN_SLACK_MS);
    };
    const sigs: Deno.Signal[] = ["SIGTERM", "SIGINT"];
    for (const s of sigs) Deno.addSignalListener(s, onSignal);
    using monitor = new EventLoopMonitor();
    // Probes answer from the start: alive, but not ready until connected and set up.
    this.#starting = "connecting to the cluster";
    let probes: Array<{ close(): Promise<void> }> = [];
    try {
      probes = await this.#probes(flags, monitor);
      using client = await _connect(flags, env);
      this.#client = client;
      this.#server = client.server;
      // "connected" only once an authenticated request succeeded: a rejected credential
      // fails here with its 401, before anything else is tried.
      // A 5xx, 429, refused or reset connection or timeout here is retried with backoff until
      // --cache-sync-timeout; a 401, 403, TLS or DNS failure ends start-up at once.
      const retry = {
        deadlineMs: flags.cacheSyncTimeoutMs,
        signal: stop.signal,
        onRetry: (
          { error, attempt, delayMs }: { error: unknown; attempt: number; delayMs: number },
        ) =>
          this.#log.warn("{step} failed ({error}); retry {attempt} in {delay} ms", {
            step: this.#starting,
            error: _describeStartupError(error, { server: client.server }),
            attempt,
            delay: delayMs,
          }),
      };
      const user = await _retryTransient((signal) => _whoAmI(client, signal), retry);
      this.#user = user;
      this.#log.info("connected to {server} as {user}", {
        server: client.server,
        user: user ?? "(the server does not say)",
      });
      // Before installing CRDs or campaigning: the permissions those steps need, all at once.
      this.#starting = "checking permissions";
      await _retryTransient((signal) => this.#checkAccess(client, flags, signal), retry);
      const hooks = _hasWebhooks(o) ? _webhookSettings(o, flags, env) : undefined;
      if (hooks?.bind) this.#starting = "starting webhooks";
      await using webhooks = hooks?.bind
        ? await _startWebhooks(
          o,
          { ...hooks, bind: hooks.bind },
          client,
          flags.leaderElectionNamespace ?? client.namespace,
          stop.signal,
        )
        : undefined;
      if (webhooks) this.#log.info("serving webhooks on {url}", { url: webhooks.server.url });
      if ((o.installCustomResources ?? true) && o.customResources?.length) {
        this.#starting = "installing custom resource definitions";
        await _installCrds(
          client,
          (webhooks ? webhooks.crds : _crdsWithoutConversion(o)).map((crd) => ({ crd })),
          stop.signal,
        );
      }
      if (webhooks && (o.installWebhookConfigurations ?? true)) {
        await webhooks.install(stop.signal);
      }
      // The cache sees only the --namespace(s): controllers get one informer per namespace,
      // and an informer acquired by hand without a namespace gets the only one.
      await using informers = new InformerFactory({
        listWatch: (t) => client.resource(t),
        namespaces: flags.namespaces,
        defaults: {
          idleTimeoutMs: flags.watchIdleTimeoutMs,
          staleAfterMs: flags.watchStaleThresholdMs,
        },
      });
      this.#informers = informers;
      if (flags.leaderElect) {
        // Not ready until the first attempt at the lease: then either leading (and not ready
        // until the controllers have started) or a standby (ready to take over).
        this.#starting = "campaigning for leadership";
        this.#elector = new LeaderElector({
          api: _leaseApi(client) as LeaseApi,
          name: flags.leaderElectionId,
          namespace: flags.leaderElectionNamespace ?? client.namespace,
          leaseDurationMs: flags.leaseDurationMs,
          renewDeadlineMs: flags.renewDeadlineMs,
          retryPeriodMs: flags.retryPeriodMs,
        });
        await this.#elector.run({
          signal: stop.signal,
          onAttempt: (acquired) => {
            if (acquired) this.#controllersStarting = true;
            this.#starting = undefined;
          },
          onStartedLeading: (leading) =>
            this.#lead(client, informers, flags, leading).catch((err) => {
              fatal ??= err;
              stop.abort(err);
            }),
        });
        if (fatal !== undefined) throw fatal;
      } else {
        this.#starting = undefined;
        await this.#lead(client, informers, flags, stop.signal);
      }
    } catch (err) {
      // Stopped while starting (connecting, installing CRDs): a clean stop, not a failure.
      if (!stop.signal.aborted || fatal !== undefined) throw fatal ?? err;
      this.#log.info("stopped during start-up: {error}", {
        error: err instanceof Error ? err.message : String(err),
      });
    } finally {
      await Promise.all(probes.map((p) => p.close()));
      for (const s of sigs) Deno.removeSignalListener(s, onSignal);
      o.signal?.removeEventListener("abort", onParent);
      clearTimeout(watchdog);
      this.#informers = undefined;
      this.#client = undefined;
      this.#starting = undefined;
    }
    this.#log.info("operator {name} stopped", { name: o.name });
  }

  async #lead(
    client: OperatorClient,
    informers: InformerFactory,
    flags: OperatorFlags,
    signal: AbortSignal,
  ): Promise<void> {
    // Not ready from taking the lead until every controller has started: without this, the
    // moment between leadership and the controllers acquiring their informers read as ready.
    this.#controllersStarting = true;
    // deno-lint-ignore no-explicit-any
    let controllers: Controller<any>[];
    try {
      const sink = eventSink(client.resource(Events));
      controllers = await this.#o.controllers({
        client,
        informers,
        flags,
        signal,
        eventRecorder: (component) => new KubeEventRecorder(sink, { component }),
        resourceMetrics: (name) => {
          let r = this.#registries.get(name);
          if (!r) this.#registries.set(name, r = new ResourceMetrics());
          return r;
        },
      });
    } catch (err) {
      this.#controllersStarting = false;
      throw err;
    }
    this.#controllers = controllers;
    const defaults: ControllerDefaults = {
      namespaces: flags.namespaces,
      concurrency: flags.concurrency,
      resyncPeriodMs: flags.resyncPeriodMs,
      shutdownGracePeriodMs: flags.shutdownGracePeriodMs,
    };
    try {
      try {
        const started = Promise.all(controllers.map((c) => c.start({ signal, defaults })));
        await _syncWithin(started, flags.cacheSyncTimeoutMs, informers, signal);
      } catch (err) {
        if (signal.aborted) return; // stopped before the informers synced
        throw err;
      } finally {
        this.#controllersStarting = false;
      }
      this.#log.info("{count} controller(s) running", { count: controllers.length });
      if (!signal.aborted) {
        await new Promise<void>((resolve) =>
          signal.addEventListener("abort", () => resolve(), { once: true })
        );
      }
    } finally {
      await Promise.all(controllers.map((c) => c.stop()));
      this.#controllers = [];
    }
  }

  async #probes(
    flags: OperatorFlags,
    monitor: EventLoopMonitor,
  ): Promise<Array<{ close(): Promise<void> }>> {
    const liveness: Record<string, Check> = { eventloop: () => monitor.check() };
    const readiness: Record<string, Check> = {
      startup: () => this.#starting,
      informers: () => this.#informersReady(),
    };
    const metrics = () =>
      renderMetrics({
        controllers: this.#controllers.map((c) => ({
          name: c.name,
          stats: c.stats,
          queue: c.queue.counters,
          resources: this.#registries.get(c.name)?.samples() ?? [],
        })),
        informers: this.#informers?.health({ fingerprint: true }) ?? [],
        leader: flags.leaderElect ? this.#elector?.isLeader ?? false : true,
      });
    const m = flags.metricsBindAddress;
    const h = flags.healthProbeBindAddress;
    const servers = [];
    // Secure metrics: HTTPS, and each scrape authenticated (TokenReview) and authorized
    // (SubjectAccessReview) through the operator's client; the probes stay plain HTTP for
    // the kubelet, on their own listener.
    const secure = m && flags.metricsSecure
      ? {
        tls: await _metricsCertificate(flags.metricsCertDir),
        metricsFilter: _metricsAuthFilter(() => this.#client),
      }
      : {};
    const shared = !flags.metricsSecure && m && h && m.hostname === h.hostname &&
      m.port === h.port;
    if (shared) {
      servers.push(serveProbes({ address: m, liveness, readiness, metrics }));
    } else {
      if (m) servers.push(serveProbes({ address: m, metrics, ...secure }));
      if (h) servers.push(serveProbes({ address: h, liveness, readiness }));
    }
    for (const s of servers) this.#log.info("serving probes/metrics on {url}", { url: s.url });
    const debug = flags.debugBindAddress;
    if (debug) {
      const page = serveDebugPage({ address: debug, snapshot: () => this.#debugSnapshot(flags) });
      this.#log.info("serving the debug page on {url}", { url: `${page.url}/debug` });
      return [...servers, page];
    }
    return servers;
  }

  #debugSnapshot(flags: OperatorFlags): DebugSnapshot {
    const e = this.#elector;
    return {
      operator: this.#o.name,
      now: Date.now(),
      ...(this.#starting ? { starting: this.#starting } : {}),
      leadership: {
        enabled: flags.leaderElect,
        leader: flags.leaderElect ? e?.isLeader ?? false : true,
        ...(e ? { identity: e.identity, lease: e.lease } : {}),
        ...(e?.holder !== undefined ? { holder: e.holder } : {}),
      },
      controllers: this.#controllers.map((c) => c.inspect()),
      informers: this.#informers?.health() ?? [],
    };
  }

  #informersReady(): string | undefined {
    // A standby replica runs no informers and is ready to take over.
    // A stale informer (no working watch for longer than --watch-stale-threshold) is not
    // ready either; it recovers by itself when a watch works again. Leadership is separate.
    const problems = (this.#informers?.health() ?? []).flatMap((h) => {
      const name = h.scope.namespace ? `${h.resource} in ${h.scope.namespace}` : h.resource;
      if (!h.synced || !h.running) return [`${name} ${h.synced ? "stopped" : "not synced"}`];
      if (h.watchStaleMs === undefined) return [];
      return [
        `${name} informer stale: no working watch for ${Math.round(h.watchStaleMs / 1000)} s` +
        ` (${h.lastFailureReason ?? "unknown"}: ${h.lastError ?? "no error"})`,
      ];
    });
    if (problems.length) return problems.join("; ");
    return this.#controllersStarting ? "controllers starting" : undefined;
  }

  #rbac(
    controllers: ReadonlyArray<{ types: ControllerTypes }>,
    flags: OperatorFlags,
    leaderElection: boolean,
    metricsAuth = flags.metricsSecure,
  ): OperatorRbac {
    const o = this.#o;
    const install = (o.installCustomResources ?? true) && !!o.customResources?.length;
    return operatorRbac(controllers.map((c) => c.types), {
      namespaces: flags.namespaces,
      leaderElection,
      metricsAuth,
      ...(install ? { crdNames: o.customResources!.map((r) => r.crd.metadata!.name!) } : {}),
      ...(o.extraRules ? { extraRules: o.extraRules } : {}),
    });
  }

  // Every permission the operator needs (the same list `manifests` grants), checked before
  // anything else: one error listing all that are missing, instead of a lease loop or
  // informers retrying 403s forever. The controllers are built once for their types only.
  async #checkAccess(
    client: OperatorClient,
    flags: OperatorFlags,
    signal: AbortSignal,
  ): Promise<void> {
    const rbac = this.#rbac(await this.#controllerTypes(client, flags), flags, flags.leaderElect);
    const checked = await _checkAccess(client, {
      access: rbac.access,
      ...(this.#o.extraRules ? { extraRules: this.#o.extraRules } : {}),
      namespaces: flags.namespaces,
      ownNamespace: flags.leaderElectionNamespace ?? client.namespace,
      ...(this.#user ? { user: this.#user } : {}),
      signal,
    });
    if (!checked) {
      this.#log.debug("permissions not checked: the server does not serve SelfSubjectAccessReview");
    }
  }

  // Builds the controllers (never started, their signal already aborted) for their types.
  async #controllerTypes(
    client: OperatorClient,
    flags: OperatorFlags,
  ): Promise<Array<{ types: ControllerTypes }>> {
    const built = new AbortController();
    built.abort(new Error("built only to list the types the controllers use"));
    await using informers = new InformerFactory({ listWatch: (t) => client.resource(t) });
    return await this.#o.controllers({
      client,
      informers,
      flags,
      signal: built.signal,
      eventRecorder: () => noopEventRecorder,
      resourceMetrics: () => new ResourceMetrics(),
    });
  }

  async #manifests(flags: OperatorFlags, m: ManifestsCommandOptions): Promise<string> {
    const o = this.#o;
    using client = await _offlineClient();
    const controllers = await this.#controllerTypes(client, flags);
    // The Deployment serves metrics securely (--metrics-secure), so its RBAC includes that.
    const rbac = this.#rbac(controllers, flags, true, true);
    const docs = operatorManifests({
      name: o.name,
      namespace: m.namespace,
      image: m.image,
      rbac,
      watchNamespaces: flags.namespaces,
      includeNamespace: m.includeNamespace,
      crds: (o.customResources ?? []).map((r) => r.crd as unknown as Record<string, unknown>),
    });
    return await manifestsYaml(
      _webhookManifests(o, docs, m.namespace, o.installWebhookConfigurations ?? true),
    );
  }
}

// Waits for the controllers' start (their informers' initial lists) for at most `timeoutMs`.
async function _syncWithin(
  started: Promise<unknown>,
  timeoutMs: number,
  informers: InformerFactory,
  signal: AbortSignal,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) =>
    timer = setTimeout(() => resolve("late"), timeoutMs)
  );
  try {
    const outcome = await Promise.race([started, late]);
    if (outcome !== "late" || signal.aborted) return;
  } finally {
    clearTimeout(timer);
  }
  started.catch(() => {}); // settles once the controllers are stopped
  const unsynced = informers.health().filter((h) => !h.synced).map((h) => ({
    resource: h.resource,
    ...(h.scope.namespace ? { namespace: h.scope.namespace } : {}),
    ...(h.lastError ? { lastError: h.lastError.split("\n")[0] } : {}),
  }));
  throw new CacheSyncTimeoutError(timeoutMs, unsynced);
}

// The serving certificate of secure metrics: from a directory (tls.crt, tls.key; read once at
// start-up), else self-signed for localhost and 127.0.0.1, as controller-runtime does.
async function _metricsCertificate(dir?: string): Promise<{ cert: string; key: string }> {
  if (dir) {
    return {
      cert: await Deno.readTextFile(`${dir}/tls.crt`),
      key: await Deno.readTextFile(`${dir}/tls.key`),
    };
  }
  // Loaded on demand: X.509 generation is only needed here.
  const { generateWebhookCertificate } = await import("../webhook/self_managed.ts");
  const g = await generateWebhookCertificate({
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
  });
  return { cert: `${g.cert}${g.caCert}`, key: g.key };
}
