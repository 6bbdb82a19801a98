// Running kubectl against a server in tests: a temp kubeconfig and cache dir, every process
// awaited. Whether kubectl runs here is decided when this module loads: tests that need it are
// declared `Deno.test(needs("name", KUBECTL), ...)` and reported as ignored where it is missing,
// unless OPERATORKIT_REQUIRE_KUBECTL=1 (CI), where they run and fail.
import type { ApiServer } from "../../testing/api_server.ts";
import type { Need } from "../_tier.ts";

async function _kubectlRuns(): Promise<boolean> {
  try {
    const out = await new Deno.Command("kubectl", {
      args: ["version", "--client"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

const available = await _kubectlRuns();
const required = Deno.env.get("OPERATORKIT_REQUIRE_KUBECTL") === "1";

/** kubectl: missing (the test is ignored) when it does not run here and is not required. */
export const KUBECTL: Need = {
  missing: !available && !required,
  reason: "kubectl not found on PATH",
};

/** Fails the test when kubectl does not run here (OPERATORKIT_REQUIRE_KUBECTL=1 or undeclared). */
export function requireKubectl(testName: string): void {
  if (available) return;
  throw new Error(
    `${testName}: kubectl is required${
      required ? " (OPERATORKIT_REQUIRE_KUBECTL=1)" : ""
    } but was not found on PATH`,
  );
}

/** A kubectl bound to one server through a temp kubeconfig. */
export class Kubectl implements AsyncDisposable {
  private constructor(readonly dir: string) {}

  /** Writes the server's (or test cluster's) kubeconfig into a temp dir. */
  static async for(server: Pick<ApiServer, "kubeconfigYaml">): Promise<Kubectl> {
    const dir = await Deno.makeTempDir({ prefix: "okit-kubectl-" });
    await Deno.writeTextFile(`${dir}/config`, server.kubeconfigYaml, { mode: 0o600 });
    return new Kubectl(dir);
  }

  /** The kubeconfig file kubectl uses (for the test's own client too). */
  get kubeconfig(): string {
    return `${this.dir}/config`;
  }

  /** The arguments every call gets. */
  base(): string[] {
    return [
      "--kubeconfig",
      `${this.dir}/config`,
      "--cache-dir",
      `${this.dir}/cache`,
      "--request-timeout=20s",
    ];
  }

  /** Runs kubectl to completion. */
  async run(
    args: string[],
    stdin?: string,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const child = new Deno.Command("kubectl", {
      args: [...this.base(), ...args],
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(stdin));
      await w.close();
    }
    const out = await child.output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  }

  /** Runs kubectl and fails with its stderr unless it exits 0. */
  async ok(args: string[], stdin?: string): Promise<string> {
    const r = await this.run(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** `kubectl get ARGS -o json`, or undefined when NotFound. */
  async json<T = unknown>(args: string[]): Promise<T | undefined> {
    const r = await this.run(["get", ...args, "-o", "json"]);
    if (r.code !== 0) {
      if (/NotFound|not found/.test(r.stderr)) return undefined;
      throw new Error(`kubectl get ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    }
    return JSON.parse(r.stdout) as T;
  }

  /** Starts a long-running kubectl; the caller must `stop()` it. */
  spawn(args: string[]): Deno.ChildProcess {
    return new Deno.Command("kubectl", {
      args: [...this.base(), ...args],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}

/** Accumulates a process's output and waits for patterns in it, each wait bounded. */
export class OutputReader {
  #reader: ReadableStreamDefaultReader<string>;
  #pending: Promise<ReadableStreamReadResult<string>> | undefined;
  text = "";

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Resolves once `pattern` matches everything read so far; rejects after `ms`. */
  async until(pattern: RegExp, ms = 15_000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.text)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; got: ${this.text}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), left);
      });
      try {
        this.#pending ??= this.#reader.read();
        const r = await Promise.race([this.#pending, timeout]);
        if (r === "timeout") continue;
        this.#pending = undefined;
        if (r.done) throw new Error(`output ended before ${pattern}; got: ${this.text}`);
        this.text += r.value;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.text;
  }

  /** Releases the stream. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
