/**
 * The differential fidelity suite: runs the same scripted request sequences against the
 * embedded API server (testing/api_server.ts) and a real kube-apiserver + etcd (envtest),
 * normalises the answers and prints every difference.
 *
 * Usage: `deno run -A tools/fidelity/main.ts [--only name,name] [--report path]`
 *   --only     run only these scenarios (names as printed)
 *   --report   also write the full comparison as JSON (default .fidelity/report.json)
 *
 * Exit status: 0 when both servers answered every step identically after normalisation,
 * 1 when there are differences, 2 on a usage or start-up error.
 *
 * @module
 */
import { ensureEnvtestBinaries, type Envtest, startEnvtest } from "../../testing/envtest.ts";
import { formatDifference } from "./diff.ts";
import { compare, record, type Recording, type Scenario, type ScenarioReport } from "./runner.ts";
import { coreScenarios } from "./scenarios_core.ts";
import { crdScenarios } from "./scenarios_crd.ts";
import { builtinScenarios } from "./scenarios_builtin.ts";
import { type Endpoint, httpTarget, type Target } from "./target.ts";

/** Every scenario, in the order they run (the CRD ones depend on each other). */
export const scenarios: Scenario[] = [...coreScenarios, ...crdScenarios, ...builtinScenarios];

interface _EmbeddedServer {
  url: string;
  close(): Promise<void>;
}

async function _embeddedEndpoint(token: string): Promise<Endpoint> {
  // Loaded at run time so that this tool type-checks on its own while the embedded server is
  // being written; its options are those of startApiServer() in testing/api_server.ts.
  const specifier = new URL("../../testing/api_server.ts", import.meta.url).href;
  const module = await import(specifier);
  // kube-apiserver alone has no garbage collector: compare against the same.
  const server: _EmbeddedServer = await module.startApiServer({ token, gc: false });
  return { name: "embedded", url: server.url, token, close: () => server.close() };
}

function _parseArgs(args: string[]): { only?: Set<string>; report: string } {
  let only: Set<string> | undefined;
  let report = ".fidelity/report.json";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`expected a value after ${arg}, found none`);
      return next;
    };
    if (arg === "--only") only = new Set(value().split(","));
    else if (arg === "--report") report = value();
    else throw new Error(`expected --only or --report, found ${arg}`);
  }
  if (only) {
    const known = new Set(scenarios.map((s) => s.name));
    const unknown = [...only].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(
        `expected scenario names among ${[...known].join(", ")}, found ${unknown.join(", ")}`,
      );
    }
  }
  return { only, report };
}

function _print(report: ScenarioReport): number {
  const differing = report.steps.filter((step) => step.differences.length > 0);
  const errors = Object.entries(report.errors);
  console.log(
    `\n== ${report.scenario}: ${differing.length} of ${report.steps.length} steps differ` +
      (errors.length ? `; script errors: ${errors.length}` : ""),
  );
  for (const [side, message] of errors) console.log(`  ! ${side} stopped: ${message}`);
  for (const step of differing) {
    console.log(`  - ${step.label}`);
    for (const difference of step.differences) {
      console.log(`      ${formatDifference(difference)}`);
    }
  }
  return differing.reduce((sum, step) => sum + step.differences.length, 0) + errors.length;
}

async function _main(args: string[]): Promise<number> {
  let options: { only?: Set<string>; report: string };
  try {
    options = _parseArgs(args);
  } catch (error) {
    console.error(`fidelity: ${(error as Error).message}`);
    return 2;
  }
  const selected = scenarios.filter((s) => !options.only || options.only.has(s.name));
  const token = crypto.randomUUID();

  let envtest: Envtest;
  try {
    // Builds kube-apiserver and etcd first when they are not in the cache yet.
    envtest = await startEnvtest({ binaries: await ensureEnvtestBinaries() });
  } catch (error) {
    console.error(`fidelity: kube-apiserver did not start: ${(error as Error).message}`);
    return 2;
  }
  await using real: Target = httpTarget({
    name: "real",
    url: envtest.url,
    caPem: envtest.caPem,
    token: envtest.token,
    close: () => envtest.close(),
  });
  let embedded: Target | undefined;
  let embeddedError: string | undefined;
  try {
    embedded = httpTarget(await _embeddedEndpoint(token));
  } catch (error) {
    embeddedError = error instanceof Error ? error.message : String(error);
    console.log(`fidelity: the embedded server did not start: ${embeddedError}`);
  }
  try {
    console.log(`fidelity: kube-apiserver ${envtest.version} at ${envtest.url}`);
    const reports: ScenarioReport[] = [];
    const recordings: Record<string, { embedded: Recording; real: Recording }> = {};
    let total = 0;
    for (const scenario of selected) {
      const e: Recording = embedded
        ? await record(scenario, embedded)
        : { steps: [], error: `embedded server unavailable: ${embeddedError}` };
      const r = await record(scenario, real);
      recordings[scenario.name] = { embedded: e, real: r };
      const report = compare(scenario.name, e, r);
      reports.push(report);
      total += _print(report);
    }
    const statusDiffs = reports.flatMap((report) =>
      report.steps.flatMap((step) =>
        step.differences
          .filter((d) => d.path === "status")
          .map((d) =>
            `  ${report.scenario} / ${step.label}: embedded ${d.embedded}, real ${d.real}`
          )
      )
    );
    if (statusDiffs.length > 0) {
      console.log(`\nfidelity: HTTP status differs in ${statusDiffs.length} steps:`);
      for (const line of statusDiffs) console.log(line);
    }
    const steps = reports.reduce((sum, report) => sum + report.steps.length, 0);
    const differing = reports.reduce(
      (sum, report) => sum + report.steps.filter((s) => s.differences.length > 0).length,
      0,
    );
    console.log(
      `\nfidelity: ${total} differences in ${differing} of ${steps} steps across ` +
        `${reports.length} scenarios`,
    );
    const dir = options.report.includes("/")
      ? options.report.slice(0, options.report.lastIndexOf("/"))
      : ".";
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(
      options.report,
      JSON.stringify({ kubernetes: envtest.version, reports, recordings }, null, 2) + "\n",
    );
    console.log(`fidelity: full report in ${options.report}`);
    return total === 0 ? 0 : 1;
  } finally {
    await embedded?.[Symbol.asyncDispose]();
  }
}

if (import.meta.main) {
  Deno.exit(await _main(Deno.args));
}
