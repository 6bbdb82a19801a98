// Test helpers: an operator script as a subprocess (stderr collected line by line, always
// killed and awaited on dispose), the probe URL parsed from its JSON log, bounded waits, and
// small HTTP helpers against the embedded API server.
import type { ApiServer } from "../../testing/api_server.ts";

/** The repository root, for `deno run` paths. */
export const ROOT: string = new URL("../../", import.meta.url).pathname;

/** Flags every test operator gets: JSON logs, probes and metrics on one ephemeral port. */
export const TEST_FLAGS: readonly string[] = [
  "--log-format",
  "json",
  "--metrics-bind-address",
  "127.0.0.1:0",
  "--health-probe-bind-address",
  "127.0.0.1:0",
];

/** One parsed JSON log line. */
export interface LogLine {
  "@timestamp": string;
  level: string;
  message: string;
  logger: string;
  properties: Record<string, unknown>;
}

/** A running operator subprocess. */
export class OperatorProcess implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  /** Every stderr line so far. */
  readonly lines: string[] = [];
  readonly #stderrDone: Promise<void>;
  readonly #stdout: Promise<string>;
  #status?: Deno.CommandStatus;
  readonly status: Promise<Deno.CommandStatus>;

  constructor(script: string, args: readonly string[], env: Record<string, string> = {}) {
    const child = this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", script, ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.status = this.child.status.then((s) => this.#status = s);
    this.#stdout = new Response(this.child.stdout).text();
    this.#stderrDone = (async () => {
      let rest = "";
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        const parts = rest.split("\n");
        rest = parts.pop()!;
        this.lines.push(...parts);
      }
      if (rest) this.lines.push(rest);
    })();
  }

  /** Standard output once the process ended. */
  stdout(): Promise<string> {
    return this.#stdout;
  }

  /** The stderr lines parsed as JSON log records (non-JSON lines fail the test). */
  records(): LogLine[] {
    return this.lines.filter((l) => l.trim() !== "").map((l) => {
      try {
        return JSON.parse(l) as LogLine;
      } catch {
        throw new Error(`Expected a JSON log line on stderr, found ${JSON.stringify(l)}`);
      }
    });
  }

  /** Waits for a log record matching `pred`. */
  async waitForLog(
    what: string,
    pred: (r: LogLine) => boolean,
    timeoutMs = 20_000,
  ): Promise<LogLine> {
    let found: LogLine | undefined;
    await eventually(what, () => {
      found = this.records().find(pred);
      if (!found && this.#status) {
        throw new Error(`process exited (${this.#status.code}) before ${what}:\n${this.tail()}`);
      }
      return found !== undefined;
    }, timeoutMs);
    return found!;
  }

  /** The `http://127.0.0.1:PORT` of the probes/metrics listener, from the log. */
  async probeUrl(): Promise<string> {
    const r = await this.waitForLog(
      "the 'serving probes/metrics on' log line",
      (r) => r.message.startsWith("serving probes/metrics on"),
    );
    return r.properties.url as string;
  }

  /** The last stderr lines, for failure messages. */
  tail(n = 30): string {
    return this.lines.slice(-n).join("\n");
  }

  /** Sends a signal (ignored when already exited). */
  kill(signal: Deno.Signal): void {
    if (this.#status) return;
    try {
      this.child.kill(signal);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err; // already exited
    }
  }

  /** Waits for the exit (at most `timeoutMs`, then kills it and fails). */
  async exited(timeoutMs = 20_000): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), timeoutMs));
    const s = await Promise.race([this.status, late]);
    clearTimeout(timer);
    if (s === "late") {
      this.kill("SIGKILL");
      await this.status;
      throw new Error(`Expected the process to exit within ${timeoutMs} ms:\n${this.tail()}`);
    }
    await this.#stderrDone;
    return s;
  }

  /** Kills (SIGKILL) when still running and waits for every stream. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.kill("SIGKILL");
    await this.status;
    await this.#stderrDone;
    await this.#stdout;
  }
}

/** Polls `check` every 50 ms until it is true; fails after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Expected ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A JSON request to the embedded API server; resolves to status and parsed body. */
export async function api(
  server: ApiServer,
  path: string,
  options: { method?: string; body?: unknown; token?: string; contentType?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {
    "content-type": options.contentType ?? "application/json",
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${server.url}${path}`, {
    method: options.method ?? "GET",
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

/** GET `url` and return status and text (the body is always read). */
export async function httpGet(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

/** The value of a sample line `name{labels} value` in Prometheus text, or undefined. */
export function metricValue(text: string, sample: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return undefined;
}

/** The lease object, or undefined when missing. */
export async function getLease(
  server: ApiServer,
  name: string,
  namespace = "default",
  token?: string,
): Promise<{ spec?: Record<string, unknown> } | undefined> {
  const r = await api(
    server,
    `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`,
    token ? { token } : {},
  );
  return r.status === 404 ? undefined : r.body as { spec?: Record<string, unknown> };
}

/** Creates a Website (retrying while its CRD is not served yet). */
export async function createWebsite(
  server: ApiServer,
  name: string,
  options: { namespace?: string; html?: string; token?: string } = {},
): Promise<void> {
  const ns = options.namespace ?? "default";
  let last = 0;
  await eventually(`Website ${name} to be created`, async () => {
    const r = await api(server, `/apis/demo.operatorkit.io/v1alpha1/namespaces/${ns}/websites`, {
      method: "POST",
      body: {
        apiVersion: "demo.operatorkit.io/v1alpha1",
        kind: "Website",
        metadata: { name, namespace: ns },
        spec: { html: options.html ?? `<h1>${name}</h1>` },
      },
      ...(options.token ? { token: options.token } : {}),
    });
    last = r.status;
    if (r.status !== 201 && r.status !== 404) {
      throw new Error(`Expected 201 creating Website ${name}, found ${r.status}`);
    }
    return r.status === 201;
  }).catch((err) => {
    throw new Error(`${err.message} (last status ${last})`);
  });
}

/** The `manifests` output of an operator script (it must exit 0 and print nothing on stderr). */
export async function manifestsOf(script: string, args: readonly string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", script, "manifests", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  const stderr = dec.decode(out.stderr);
  if (out.code !== 0 || stderr !== "") {
    throw new Error(`Expected ${script} manifests to exit 0 quietly, found ${out.code}: ${stderr}`);
  }
  return dec.decode(out.stdout);
}

/** A kubeconfig file for `server` in a directory of its own, removed on dispose. */
export interface TempKubeconfig extends AsyncDisposable {
  /** The kubeconfig's path. */
  readonly path: string;
}

/** Writes `server`'s kubeconfig into a new temporary directory (prefix `prefix`). */
export async function tempKubeconfig(
  server: Pick<ApiServer, "writeKubeconfig">,
  prefix: string,
): Promise<TempKubeconfig> {
  const dir = await Deno.makeTempDir({ prefix });
  const path = `${dir}/kubeconfig.yaml`;
  try {
    await server.writeKubeconfig(path);
  } catch (err) {
    await Deno.remove(dir, { recursive: true });
    throw err;
  }
  return { path, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}
