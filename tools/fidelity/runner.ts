/**
 * Runs scripted request sequences (scenarios) against each target, records every step's
 * normalised answer, and compares the recordings of the embedded server and kube-apiserver.
 */
import { type Difference, diffValues } from "./diff.ts";
import { Normaliser } from "./normalise.ts";
import type { Exchange, RequestSpec, Target, WatchResult, WatchSpec } from "./target.ts";

/** Options of a recorded request. */
export interface StepOptions {
  /** Compare only this part of the body (e.g. one entry of a discovery document). */
  readonly project?: (body: unknown) => unknown;
}

/** What a scenario can do. Recorded steps are compared; `quiet` ones are not. */
export interface ScenarioContext {
  /** The target's name (`embedded` or `real`); scenarios must not branch on it. */
  readonly target: string;
  /** Sends a request and records its normalised answer under `label`. */
  request(label: string, spec: RequestSpec, options?: StepOptions): Promise<Exchange>;
  /** Sends a request without recording it (set-up, polling). */
  quiet(spec: RequestSpec): Promise<Exchange>;
  /** Reads a watch and records its normalised events under `label`. */
  watch(label: string, spec: WatchSpec, options?: StepOptions): Promise<WatchResult>;
  /** Polls `spec` until `ready` holds (default 60 s), without recording; throws on timeout. */
  waitFor(spec: RequestSpec, ready: (exchange: Exchange) => boolean): Promise<Exchange>;
}

/** A scripted sequence. */
export interface Scenario {
  readonly name: string;
  run(ctx: ScenarioContext): Promise<void>;
}

/** One recorded step. */
export interface Step {
  readonly label: string;
  readonly value: unknown;
}

/** A scenario's recording on one target; `error` when the script itself failed. */
export interface Recording {
  readonly steps: Step[];
  readonly error?: string;
}

/** The comparison of one step. */
export interface StepComparison {
  readonly label: string;
  readonly differences: Difference[];
}

/** The comparison of one scenario. */
export interface ScenarioReport {
  readonly scenario: string;
  readonly steps: StepComparison[];
  readonly errors: { embedded?: string; real?: string };
}

/** Runs one scenario on one target. */
export async function record(
  scenario: Scenario,
  target: Target,
  options: { signal?: AbortSignal } = {},
): Promise<Recording> {
  const normaliser = new Normaliser();
  const steps: Step[] = [];
  const ctx: ScenarioContext = {
    target: target.name,
    async request(label, spec, stepOptions) {
      const exchange = await target.request(spec, options.signal);
      const body = stepOptions?.project ? stepOptions.project(exchange.body) : exchange.body;
      steps.push({
        label,
        value: normaliser.normalise({
          request: `${spec.method ?? "GET"} ${spec.path}`,
          status: exchange.status,
          contentType: exchange.contentType,
          body,
        }),
      });
      return exchange;
    },
    quiet: (spec) => target.request(spec, options.signal),
    async watch(label, spec, stepOptions) {
      const result = await target.watch(spec, options.signal);
      const events = stepOptions?.project
        ? result.events.map((event) => stepOptions.project!(event))
        : result.events;
      steps.push({
        label,
        value: normaliser.normalise({
          request: `WATCH ${spec.path}`,
          status: result.status,
          contentType: result.contentType,
          events,
          complete: !result.timedOut,
          ...(result.body === undefined ? {} : { body: result.body }),
        }),
      });
      return result;
    },
    async waitFor(spec, ready) {
      const deadline = Date.now() + 60_000;
      while (true) {
        const exchange = await target.request(spec, options.signal);
        if (ready(exchange)) return exchange;
        if (Date.now() > deadline) {
          throw new Error(
            `expected ${spec.path} to become ready within 60 s, found status ${exchange.status}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
  try {
    await scenario.run(ctx);
    return { steps };
  } catch (error) {
    return { steps, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Compares the two recordings of a scenario step by step. */
export function compare(scenario: string, embedded: Recording, real: Recording): ScenarioReport {
  const steps: StepComparison[] = [];
  const length = Math.max(embedded.steps.length, real.steps.length);
  for (let i = 0; i < length; i++) {
    const e = embedded.steps[i];
    const r = real.steps[i];
    const label = r?.label ?? e?.label ?? `step ${i}`;
    if (e && r && e.label !== r.label) {
      steps.push({
        label,
        differences: [{ path: "(step)", embedded: e.label, real: r.label }],
      });
      continue;
    }
    steps.push({ label, differences: diffValues(e?.value, r?.value) });
  }
  const errors: { embedded?: string; real?: string } = {};
  if (embedded.error) errors.embedded = embedded.error;
  if (real.error) errors.real = real.error;
  return { scenario, steps, errors };
}
