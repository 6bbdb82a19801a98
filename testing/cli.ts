/**
 * `deno task apiserver`: runs the embedded API server in the foreground.
 *
 * Flags: `--port N` (0, the default, picks a free port), `--kubeconfig PATH` (written once
 * listening), `--history N` (events kept for watch resumption), `--token T` (require a bearer token).
 * Prints exactly one line, `apiserver listening on http://127.0.0.1:N`, when ready, and
 * exits 0 on SIGINT or SIGTERM.
 *
 * @module
 */
import { Command, InvalidArgumentError } from "commander";
import { startApiServer } from "./api_server.ts";

function integer(name: string): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${name} must be a non-negative integer, found "${value}"`);
    }
    return n;
  };
}

/** Parses `args`, runs the server until SIGINT/SIGTERM, and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const program = new Command()
    .name("apiserver")
    .description("The operatorkit embedded Kubernetes API server (in memory, 127.0.0.1 only).")
    .option("--port <n>", "port on 127.0.0.1 (0 picks a free port)", integer("--port"), 0)
    .option("--kubeconfig <path>", "write a kubeconfig for this server to PATH")
    .option("--history <n>", "events kept for watch resumption", integer("--history"), 10_000)
    .option("--token <token>", "require Authorization: Bearer <token>")
    .exitOverride();
  try {
    program.parse(args, { from: "user" });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code ?? 2;
  }
  const opts = program.opts<
    { port: number; kubeconfig?: string; history: number; token?: string }
  >();
  let server;
  try {
    server = await startApiServer({ port: opts.port, history: opts.history, token: opts.token });
  } catch (e) {
    console.error(`apiserver: ${(e as Error).message}`);
    return 1;
  }
  if (opts.kubeconfig) {
    try {
      await server.writeKubeconfig(opts.kubeconfig);
    } catch (e) {
      console.error(
        `apiserver: expected to write the kubeconfig to ${opts.kubeconfig}, but: ${
          (e as Error).message
        }`,
      );
      await server.close();
      return 1;
    }
  }
  const stopped = Promise.withResolvers<void>();
  const onSignal = () => stopped.resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  console.log(`apiserver listening on ${server.url}`);
  await stopped.promise;
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
  await server.close();
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
