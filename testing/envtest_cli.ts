/**
 * `deno task envtest`: builds kube-apiserver and etcd if missing (tools/envtest/build.sh),
 * starts them on 127.0.0.1, prints the kubeconfig path on one line and stays in the
 * foreground until SIGINT or SIGTERM, then stops both.
 *
 * Usage: `deno run -A testing/envtest_cli.ts [--no-build]`
 *
 * @module
 */
import { ensureEnvtestBinaries, startEnvtest } from "./envtest.ts";

async function _main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== "--no-build");
  if (unknown.length > 0) {
    console.error(`envtest: expected no arguments or --no-build, found ${unknown.join(" ")}`);
    return 2;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    const binaries = await ensureEnvtestBinaries({
      build: !args.includes("--no-build"),
      signal: stop.signal,
    });
    await using envtest = await startEnvtest({ binaries, signal: stop.signal });
    console.error(
      `envtest: kube-apiserver ${envtest.version} at ${envtest.url}; logs in ${envtest.dir}; ` +
        "Ctrl-C stops it",
    );
    console.log(envtest.kubeconfigPath);
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      stop.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    console.error("envtest: stopping");
    return 0;
  } catch (error) {
    if (stop.signal.aborted) return 0;
    console.error(`envtest: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

if (import.meta.main) {
  Deno.exit(await _main(Deno.args));
}
