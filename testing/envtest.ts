/**
 * A real kube-apiserver and etcd on 127.0.0.1 for tests: the binaries are built from Go
 * modules by `tools/envtest/build.sh` into a cache outside the repository, and
 * {@linkcode startEnvtest} runs the pair with generated certificates, RBAC, an admin user by
 * client certificate (group `system:masters`) and one by bearer token.
 *
 * Only works from a checkout of the repository (the build script and the wrapper modules live
 * in `tools/envtest/`), with `openssl` on the PATH and Go for the build.
 *
 * @module
 */

/** Where the built binaries are and which Kubernetes release they are. */
export interface EnvtestBinaries {
  /** The Kubernetes release, e.g. `v1.36.3`, read from the wrapper module. */
  readonly version: string;
  /** The directory holding both binaries. */
  readonly dir: string;
  /** Absolute path of kube-apiserver. */
  readonly kubeApiserver: string;
  /** Absolute path of etcd. */
  readonly etcd: string;
}

/** Options of {@linkcode ensureEnvtestBinaries}. */
export interface EnsureEnvtestBinariesOptions {
  /**
   * Build missing binaries with tools/envtest/build.sh; false only looks.
   * @default {true}
   */
  readonly build?: boolean;
  /** Cache root; default `$OPERATORKIT_ENVTEST_CACHE`, else `~/.cache/operatorkit/envtest`. */
  readonly cacheDir?: string;
  /** Stops a running build. */
  readonly signal?: AbortSignal;
}

/** Options of {@linkcode startEnvtest}. */
export interface StartEnvtestOptions {
  /** Binaries to run; default {@linkcode ensureEnvtestBinaries} with `build: false`. */
  readonly binaries?: EnvtestBinaries;
  /**
   * Aborting stops startup (it rejects with the signal's reason, after stopping what it started
   * and removing the directory), or stops both processes once started.
   */
  readonly signal?: AbortSignal;
  /**
   * How long to wait for etcd and then for kube-apiserver to be ready, each, in ms.
   * @default {90_000}
   */
  readonly readyTimeoutMs?: number;
  /**
   * Parent of the temporary directory.
   * @default {the system's: `$TMPDIR` or `/tmp`}
   */
  readonly tempDir?: string;
}

/** A running kube-apiserver + etcd pair. Dispose or {@linkcode Envtest.close} to stop both. */
export interface Envtest extends AsyncDisposable {
  /** `https://127.0.0.1:<port>` of kube-apiserver. */
  readonly url: string;
  /** The kubeconfig: context `envtest` (client certificate, the default) and `envtest-token`. */
  readonly kubeconfigPath: string;
  /** PEM of the CA that signed the serving certificate and the client certificate. */
  readonly caPem: string;
  /** The admin client certificate (CN operatorkit-admin, O system:masters), PEM. */
  readonly clientCertPem: string;
  /** The admin client key, PEM (PKCS#8). */
  readonly clientKeyPem: string;
  /** Bearer token of the second admin user (group system:masters). */
  readonly token: string;
  /** The Kubernetes release of the running server. */
  readonly version: string;
  /** Temporary directory with certificates, etcd data and the logs of both processes. */
  readonly dir: string;
  /**
   * Kills one of the two processes with SIGKILL (no clean shutdown) and waits for its exit;
   * for fault tests. etcd keeps its data directory, so a restart keeps every object.
   */
  kill(name: "etcd" | "kube-apiserver"): Promise<void>;
  /**
   * Starts a killed process again with the same arguments and ports and waits until it is
   * ready (etcd healthy; kube-apiserver ready, which needs etcd up).
   */
  restart(name: "etcd" | "kube-apiserver"): Promise<void>;
  /** Stops kube-apiserver, then etcd, and removes the temporary directory. Idempotent. */
  close(): Promise<void>;
}

/** Thrown when the binaries are missing or a process fails to start or become ready. */
export class EnvtestError extends Error {
  /** Creates the error with an optional cause. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EnvtestError";
  }
}

const _toolsDir = new URL("../tools/envtest/", import.meta.url);

function _cacheRoot(cacheDir: string | undefined): string {
  if (cacheDir) return cacheDir;
  const fromEnv = Deno.env.get("OPERATORKIT_ENVTEST_CACHE");
  if (fromEnv) return fromEnv;
  const home = Deno.env.get("HOME");
  if (!home) {
    throw new EnvtestError("expected HOME or OPERATORKIT_ENVTEST_CACHE to locate the cache");
  }
  return `${home}/.cache/operatorkit/envtest`;
}

/**
 * The Kubernetes release the wrapper module builds (`k8s.io/kubernetes` in
 * tools/envtest/apiserver/go.mod), e.g. `v1.36.3`.
 *
 * @example
 * ```ts ignore
 * console.log(await envtestKubernetesVersion());
 * ```
 */
export async function envtestKubernetesVersion(): Promise<string> {
  const goMod = await Deno.readTextFile(new URL("apiserver/go.mod", _toolsDir));
  for (const line of goMod.split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("//") || trimmed.includes("=>")) continue;
    const match = /(?:^|\s)k8s\.io\/kubernetes\s+(v\S+)/.exec(trimmed);
    if (match) return match[1];
  }
  throw new EnvtestError(
    "expected a require of k8s.io/kubernetes in tools/envtest/apiserver/go.mod, found none",
  );
}

async function _isExecutable(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && ((info.mode ?? 0o755) & 0o111) !== 0;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Finds the kube-apiserver and etcd binaries in the cache and, unless `build: false`, builds
 * the missing ones first with `tools/envtest/build.sh` (its progress goes to stderr; a cold
 * build takes minutes).
 *
 * @example
 * ```ts ignore
 * const binaries = await ensureEnvtestBinaries({ build: false });
 * console.log(binaries.kubeApiserver);
 * ```
 */
export async function ensureEnvtestBinaries(
  options: EnsureEnvtestBinariesOptions = {},
): Promise<EnvtestBinaries> {
  const version = await envtestKubernetesVersion();
  const root = _cacheRoot(options.cacheDir);
  const dir = `${root}/${version}`;
  const binaries: EnvtestBinaries = {
    version,
    dir,
    kubeApiserver: `${dir}/kube-apiserver`,
    etcd: `${dir}/etcd`,
  };
  const present = async () =>
    (await _isExecutable(binaries.kubeApiserver)) && (await _isExecutable(binaries.etcd));
  if (await present()) return binaries;
  if (options.build === false) {
    throw new EnvtestError(
      `expected kube-apiserver and etcd in ${dir}, found them missing; build them with ` +
        "tools/envtest/build.sh",
    );
  }
  const build = new Deno.Command("bash", {
    args: [new URL("build.sh", _toolsDir).pathname, "--print-dir"],
    env: { OPERATORKIT_ENVTEST_CACHE: root },
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
    signal: options.signal,
  });
  const { code } = await build.output();
  if (code !== 0 || !(await present())) {
    throw new EnvtestError(
      `expected tools/envtest/build.sh to build kube-apiserver and etcd into ${dir}, ` +
        `found exit status ${code}`,
    );
  }
  return binaries;
}

async function _openssl(dir: string, args: string[], signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const out = await new Deno.Command("openssl", {
    args,
    cwd: dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(signal ? { signal } : {}),
  }).output();
  signal?.throwIfAborted();
  if (out.code !== 0) {
    throw new EnvtestError(
      `expected openssl ${args[0]} to succeed, found exit status ${out.code}: ` +
        new TextDecoder().decode(out.stderr).trim(),
    );
  }
}

const _ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** CA, serving certificate, admin client certificate and the service-account key pair. */
async function _generateCertificates(dir: string, signal?: AbortSignal): Promise<void> {
  await _openssl(dir, [
    "req",
    "-x509",
    ..._ecKey,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "7",
    "-subj",
    "/CN=operatorkit-envtest-ca",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ], signal);
  const leaf = (name: string, subject: string, extensions: string[]) =>
    _openssl(dir, [
      "req",
      "-x509",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      ..._ecKey,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
      "-days",
      "7",
      "-subj",
      subject,
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-addext",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      ...extensions.flatMap((extension) => ["-addext", extension]),
    ], signal);
  await leaf("apiserver", "/CN=kube-apiserver", [
    "extendedKeyUsage=serverAuth",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ]);
  await leaf("admin", "/O=system:masters/CN=operatorkit-admin", ["extendedKeyUsage=clientAuth"]);
  await _openssl(dir, [
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-out",
    "sa.key",
  ], signal);
  await _openssl(dir, ["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"], signal);
}

function _freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function _randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)))
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

function _base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** A child process whose stdout and stderr go to one log file. */
class _Process {
  readonly #child: Deno.ChildProcess;
  readonly #pumps: Promise<unknown>;
  readonly #logPath: string;
  readonly status: Promise<Deno.CommandStatus>;
  exited = false;

  constructor(readonly name: string, binary: string, args: string[], logPath: string) {
    this.#logPath = logPath;
    // The log first: once the child runs, nothing here may throw and leave it unowned.
    const log = Deno.openSync(logPath, { write: true, create: true, append: true });
    // Two writers, one file: each stream writes through its own handle in append mode.
    const log2 = Deno.openSync(logPath, { write: true, append: true });
    try {
      this.#child = new Deno.Command(binary, {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      log.close();
      log2.close();
      throw error;
    }
    this.#pumps = Promise.allSettled([
      this.#child.stdout.pipeTo(log.writable),
      this.#child.stderr.pipeTo(log2.writable),
    ]);
    this.status = this.#child.status.then((status) => {
      this.exited = true;
      return status;
    });
  }

  /** The last lines of the log, for error messages. */
  async tail(lines = 25): Promise<string> {
    try {
      const text = await Deno.readTextFile(this.#logPath);
      return text.trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** SIGKILL at once; waits for the exit and the log pumps. */
  async kill(): Promise<void> {
    if (!this.exited) {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await this.status;
    await this.#pumps;
  }

  /** SIGTERM, then SIGKILL after the grace period; waits for the exit and the log pumps. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.exited) {
      try {
        this.#child.kill("SIGTERM");
      } catch { /* already gone */ }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          try {
            this.#child.kill("SIGKILL");
          } catch { /* already gone */ }
          resolve();
        }, graceMs);
      });
      await Promise.race([this.status, killed]);
      clearTimeout(timer);
    }
    await this.status;
    await this.#pumps;
  }
}

async function _waitReady(
  proc: _Process,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (true) {
    options.signal?.throwIfAborted();
    if (proc.exited) {
      const status = await proc.status;
      throw new EnvtestError(
        `expected ${proc.name} to start, found it exited with status ${status.code}:\n` +
          (await proc.tail()),
      );
    }
    if (await probe().catch(() => false)) return;
    options.signal?.throwIfAborted();
    if (Date.now() > deadline) {
      throw new EnvtestError(
        `expected ${proc.name} to be ready within ${options.timeoutMs} ms, found it not ` +
          `ready:\n${await proc.tail()}`,
      );
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, 200);
      options.signal?.addEventListener("abort", done, { once: true });
    });
  }
}

async function _probe(
  client: Deno.HttpClient | undefined,
  url: string,
  token?: string,
  signal?: AbortSignal,
) {
  const timeout = AbortSignal.timeout(5_000);
  const response = await fetch(url, {
    client,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  await response.body?.cancel();
  return response.ok;
}

function _kubeconfig(url: string, ca: string, cert: string, key: string, token: string) {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{
      name: "envtest",
      cluster: { server: url, "certificate-authority-data": _base64(ca) },
    }],
    users: [
      {
        name: "envtest-admin",
        user: {
          "client-certificate-data": _base64(cert),
          "client-key-data": _base64(key),
        },
      },
      { name: "envtest-token", user: { token } },
    ],
    contexts: [
      { name: "envtest", context: { cluster: "envtest", user: "envtest-admin" } },
      { name: "envtest-token", context: { cluster: "envtest", user: "envtest-token" } },
    ],
    "current-context": "envtest",
    preferences: {},
  };
}

/**
 * Starts etcd and kube-apiserver on free 127.0.0.1 ports and waits until `/readyz` answers
 * and the `default` namespace exists. The kubeconfig is JSON (valid YAML), with the client
 * certificate user in the current context.
 *
 * @example
 * ```ts ignore
 * await using envtest = await startEnvtest();
 * const client = Deno.createHttpClient({ caCerts: [envtest.caPem] });
 * const response = await fetch(`${envtest.url}/version`, {
 *   client,
 *   headers: { authorization: `Bearer ${envtest.token}` },
 * });
 * console.log(await response.json());
 * client.close();
 * ```
 */
export async function startEnvtest(options: StartEnvtestOptions = {}): Promise<Envtest> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const binaries = options.binaries ?? await ensureEnvtestBinaries({ build: false });
  // The ports are picked free and then handed to etcd and kube-apiserver, so another process
  // (tests run in parallel) can take one in between: then start again on new ports.
  for (let attempt = 1;; attempt++) {
    try {
      return await _startEnvtestOnce(options, binaries);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function _startEnvtestOnce(
  options: StartEnvtestOptions,
  binaries: EnvtestBinaries,
): Promise<Envtest> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  const dir = await Deno.makeTempDir({
    prefix: "operatorkit-envtest-",
    ...(options.tempDir ? { dir: options.tempDir } : {}),
  });
  // Start-up never runs alongside close(): during start-up an abort is noticed by the steps
  // themselves (each await takes the signal or is followed by a check), and the failure path
  // closes once they stopped; the abort listener that closes is added only when started.
  // Still, close() refuses new processes and stops any registered while it runs.
  const processes: _Process[] = [];
  let client: Deno.HttpClient | undefined;
  let closing = false;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      signal?.removeEventListener("abort", onAbort);
      client?.close();
      client = undefined;
      // Newest first (kube-apiserver, then etcd).
      for (let child = processes.pop(); child; child = processes.pop()) await child.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
    return closed;
  };
  const onAbort = () => void close();
  const specs = new Map<
    string,
    { binary: string; args: string[]; ready: () => Promise<boolean> }
  >();
  const spawn = (name: string, binary: string, args: string[]): _Process => {
    signal?.throwIfAborted();
    if (closing) throw new EnvtestError(`expected to start ${name}, found envtest closing`);
    const child = new _Process(name, binary, args, `${dir}/${name}.log`);
    processes.push(child);
    specs.set(name, { binary, args, ready: () => Promise.resolve(true) });
    return child;
  };
  const find = (name: string): _Process => {
    const p = processes.find((x) => x.name === name);
    if (!p) throw new EnvtestError(`expected a process named ${name}, found none`);
    return p;
  };
  const kill = async (name: "etcd" | "kube-apiserver"): Promise<void> => {
    await find(name).kill();
  };
  const restart = async (name: "etcd" | "kube-apiserver"): Promise<void> => {
    const old = find(name);
    if (!old.exited) throw new EnvtestError(`expected ${name} to be stopped, found it running`);
    await old.stop();
    const spec = specs.get(name)!;
    if (closing) throw new EnvtestError(`expected to restart ${name}, found envtest closing`);
    const child = new _Process(name, spec.binary, spec.args, `${dir}/${name}.log`);
    processes[processes.indexOf(old)] = child;
    await _waitReady(child, spec.ready, { timeoutMs });
  };
  try {
    await _generateCertificates(dir, signal);
    const token = _randomHex(24);
    await Deno.writeTextFile(
      `${dir}/tokens.csv`,
      `${token},operatorkit-token-admin,operatorkit-token-admin,"system:masters"\n`,
      { mode: 0o600, ...(signal ? { signal } : {}) },
    );

    const [clientPort, peerPort, securePort] = [
      _freePort(),
      _freePort(),
      _freePort(),
    ];
    const etcdUrl = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = spawn("etcd", binaries.etcd, [
      `--name=envtest`,
      `--data-dir=${dir}/etcd-data`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=envtest=${peerUrl}`,
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ]);
    const etcdReady = () => _probe(undefined, `${etcdUrl}/health`, undefined, signal);
    specs.get("etcd")!.ready = etcdReady;
    await _waitReady(etcd, etcdReady, { timeoutMs, signal });

    const url = `https://127.0.0.1:${securePort}`;
    const caPem = await Deno.readTextFile(`${dir}/ca.crt`, signal ? { signal } : {});
    const apiserver = spawn("kube-apiserver", binaries.kubeApiserver, [
      `--etcd-servers=${etcdUrl}`,
      `--cert-dir=${dir}`,
      `--tls-cert-file=${dir}/apiserver.crt`,
      `--tls-private-key-file=${dir}/apiserver.key`,
      `--client-ca-file=${dir}/ca.crt`,
      `--token-auth-file=${dir}/tokens.csv`,
      `--service-account-issuer=${url}/`,
      `--service-account-key-file=${dir}/sa.pub`,
      `--service-account-signing-key-file=${dir}/sa.key`,
      "--service-cluster-ip-range=10.0.0.0/24",
      // Webhooks and APIServices that name a Service are reached through the Service's
      // EndpointSlices instead of its ClusterIP. Nothing creates EndpointSlices here (there is no
      // controller-manager), so such a call fails at once as "no endpoints" instead of dialling a
      // 10.0.0.x ClusterIP off this machine: every connection stays on loopback.
      "--enable-aggregator-routing=true",
      "--authorization-mode=RBAC",
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${securePort}`,
      "--allow-privileged=true",
      "--disable-admission-plugins=ServiceAccount",
    ]);
    client = Deno.createHttpClient({ caCerts: [caPem] });
    const httpClient = client;
    await _waitReady(apiserver, async () => {
      return (await _probe(httpClient, `${url}/readyz`, token, signal)) &&
        (await _probe(httpClient, `${url}/api/v1/namespaces/default`, token, signal));
    }, { timeoutMs, signal });
    client.close();
    client = undefined;
    specs.get("kube-apiserver")!.ready = async () => {
      const probeClient = Deno.createHttpClient({ caCerts: [caPem] });
      try {
        return await _probe(probeClient, `${url}/readyz`, token);
      } finally {
        probeClient.close();
      }
    };

    const clientCertPem = await Deno.readTextFile(`${dir}/admin.crt`);
    const clientKeyPem = await Deno.readTextFile(`${dir}/admin.key`);
    const kubeconfigPath = `${dir}/kubeconfig`;
    await Deno.writeTextFile(
      kubeconfigPath,
      JSON.stringify(_kubeconfig(url, caPem, clientCertPem, clientKeyPem, token), null, 2) + "\n",
      { mode: 0o600 },
    );
    // Started: from here an abort stops both (no await between the check and the listener).
    signal?.throwIfAborted();
    signal?.addEventListener("abort", onAbort, { once: true });
    return {
      url,
      kubeconfigPath,
      caPem,
      clientCertPem,
      clientKeyPem,
      token,
      version: binaries.version,
      dir,
      kill,
      restart,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    if (signal?.aborted) throw signal.reason;
    if (error instanceof EnvtestError) throw error;
    throw new EnvtestError(`expected envtest to start, found ${String(error)}`, {
      cause: error,
    });
  }
}
