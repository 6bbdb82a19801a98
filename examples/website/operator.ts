/**
 * The Website operator: a Controller for `websites.demo.operatorkit.io` with the ConfigMap,
 * Deployment, Service and status resources.
 *
 * @module
 */
import type { Clock } from "../../client/clock.ts";
import { ConfigMaps, Deployments, Services } from "../../client/builtins.ts";
import { Controller, type ControllerContext } from "../../controller/controller.ts";
import { logging, metrics, ResourceMetrics, retry } from "../../controller/middlewares.ts";
import {
  annotationsChanged,
  anyOf,
  generationChanged,
  labelsChanged,
} from "../../controller/predicates.ts";
import { websiteResources } from "./resources.ts";
import { Website } from "./website.ts";

/** The finalizer the Website operator manages. */
export const WEBSITE_FINALIZER = "demo.operatorkit.io/website";

/** Options of {@linkcode websiteController}. */
export interface WebsiteOperatorOptions {
  /** Only Websites in this namespace (default: the operator's `--namespace`s, else all). */
  namespace?: string;
  /** Parallel reconciles (default: the operator's `--concurrency`, else 1). */
  concurrency?: number;
  /** Receives one line per change (the demo prints them). */
  onChange?: (line: string) => void;
  /** Per-resource metrics (default: a fresh registry). */
  metrics?: ResourceMetrics;
  /** Clock (default the system clock). */
  clock?: Clock;
  /** Resync period (default: the operator's `--resync-period`, else 10 minutes). */
  resyncPeriodMs?: number;
}

/**
 * Builds the Website controller from a context (`runOperator`'s, or `{ client }`); call
 * `start()` on it.
 */
export function websiteController(
  context: ControllerContext,
  options: WebsiteOperatorOptions = {},
): Controller<Website> {
  const registry = options.metrics ?? new ResourceMetrics();
  return new Controller(context, {
    name: "website-operator",
    type: Website,
    resources: websiteResources(context.client, { onChange: options.onChange }),
    middleware: [logging(), metrics(registry), retry({ attempts: 3, baseDelayMs: 50 })],
    finalizer: WEBSITE_FINALIZER,
    owns: [ConfigMaps, Deployments, Services],
    // Status writes (ours included) change none of these, so they do not loop.
    predicates: [anyOf(generationChanged, annotationsChanged, labelsChanged)],
    concurrency: options.concurrency,
    resyncPeriodMs: options.resyncPeriodMs,
    namespace: options.namespace,
    clock: options.clock,
  });
}
