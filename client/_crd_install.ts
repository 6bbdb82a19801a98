/**
 * Installing a CustomResourceDefinition: `ensureCustomResourceDefinition()` creates or
 * updates it and waits until it is Established. Re-exported by `custom_resource.ts`.
 *
 * @module
 */
import { _getLogger as getLogger } from "./_log.ts";
import type { ObjectMeta, ResourceType } from "./types.ts";
import type { CustomResourceDefinition } from "./builtin_types.ts";
import { CustomResourceDefinitions } from "./builtins.ts";
import { type Clock, sleep, systemClock } from "./clock.ts";
import {
  type CustomResourceConversion,
  type WebhookClientConfig,
  withConversionWebhook,
} from "./conversion.ts";

/** The CRD of a custom resource type, or the CRD itself. */
export function _crdOf(
  d: { crd: CustomResourceDefinition } | CustomResourceDefinition,
): CustomResourceDefinition {
  return "crd" in d && typeof d.crd === "object" ? d.crd : d as CustomResourceDefinition;
}

/**
 * The part of a client `ensureCustomResourceDefinition()` needs: `client.resource(type)`
 * returning a handle with get, create and replace. `KubeClient` fits.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import {
 *   type CustomResourceDefinitionClient,
 *   defineCustomResource,
 *   ensureCustomResourceDefinition,
 * } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * // A stand-in server: nothing stored yet, and a created CRD is established at once.
 * const created: string[] = [];
 * const fake: CustomResourceDefinitionClient = {
 *   resource: () => ({
 *     get: () => Promise.reject(Object.assign(new Error("not found"), { code: 404 })),
 *     create: (crd) => {
 *       created.push(crd.metadata.name!);
 *       return Promise.resolve({ ...crd, status: { conditions: [{ type: "Established", status: "True" }] } });
 *     },
 *     replace: (crd) => Promise.resolve(crd),
 *   }),
 * };
 * const Things = defineCustomResource({ group: "demo.io", version: "v1", kind: "Thing", scope: "Cluster", spec: z.object({}) });
 * await ensureCustomResourceDefinition(fake, Things);
 * assert.deepEqual(created, ["things.demo.io"]);
 * ```
 */
export interface CustomResourceDefinitionClient {
  /** A handle on CustomResourceDefinitions. */
  resource(type: ResourceType<CustomResourceDefinition>): {
    get(name: string, options?: { signal?: AbortSignal }): Promise<CustomResourceDefinition>;
    create(
      obj: CustomResourceDefinition,
      options?: { signal?: AbortSignal },
    ): Promise<CustomResourceDefinition>;
    replace(
      obj: CustomResourceDefinition,
      options?: { signal?: AbortSignal },
    ): Promise<CustomResourceDefinition>;
  };
}

/**
 * Options of `ensureCustomResourceDefinition()`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import {
 *   CustomResourceDefinitionError,
 *   type CustomResourceDefinitionClient,
 *   defineCustomResource,
 *   type EnsureCrdOptions,
 *   ensureCustomResourceDefinition,
 * } from "./custom_resource.ts";
 * import type { CustomResourceDefinition } from "../api/apiextensions/v1/mod.ts";
 * import { FakeClock } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * // A CRD that never becomes Established: the wait ends at `timeoutMs` on the given clock.
 * const clock = new FakeClock(0);
 * const o: EnsureCrdOptions = { timeoutMs: 1_000, pollIntervalMs: 100, clock };
 * let stored: CustomResourceDefinition | undefined;
 * const never: CustomResourceDefinitionClient = {
 *   resource: () => ({
 *     get: () => stored ? Promise.resolve(stored) : Promise.reject(Object.assign(new Error("not found"), { code: 404 })),
 *     create: (crd) => Promise.resolve(stored = crd),
 *     replace: (crd) => Promise.resolve(stored = crd),
 *   }),
 * };
 * const Things = defineCustomResource({ group: "demo.io", version: "v1", kind: "Thing", scope: "Cluster", spec: z.object({}) });
 * let settled = false;
 * const done = ensureCustomResourceDefinition(never, Things, o)
 *   .then(() => "installed", (e) => e)
 *   .finally(() => (settled = true));
 * // Move time whenever the install waits on the clock, until it settles.
 * while (!settled) {
 *   if (clock.pending > 0) await clock.tickAsync(100);
 *   else await new Promise((r) => setTimeout(r, 1));
 * }
 * const error = await done;
 * assert.ok(error instanceof CustomResourceDefinitionError);
 * assert.match(error.message, /Established=True within 1000 ms/);
 * assert.equal(clock.now(), 1_000);
 * ```
 */
export interface EnsureCrdOptions {
  /** Cancels the wait (and the requests in flight). */
  signal?: AbortSignal;
  /**
   * How long to wait for Established=True, in ms.
   * @default {60_000}
   */
  timeoutMs?: number;
  /**
   * How often to poll the CRD while waiting, in ms.
   * @default {200}
   */
  pollIntervalMs?: number;
  /**
   * The clock for polling and the deadline.
   * @default {{@linkcode systemClock}}
   */
  clock?: Clock;
  /**
   * Where the API server reaches the conversion webhook: for a type whose versions declare
   * conversion, the CRD is installed with `strategy: Webhook` there (see `withConversionWebhook`).
   */
  conversionWebhook?: WebhookClientConfig;
}

/**
 * Installing a CRD failed: the server rejected it (e.g. 422 for a schema it does not accept),
 * its names were not accepted (NamesAccepted=False), or it did not become Established in
 * time. The message carries the server's message; `cause` the original error, if any.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { CustomResourceDefinitionError, defineCustomResource, ensureCustomResourceDefinition } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * // The server refuses the CRD with 422 Invalid.
 * const refusing = {
 *   resource: () => ({
 *     get: () => Promise.reject(Object.assign(new Error("not found"), { code: 404 })),
 *     create: () => Promise.reject(Object.assign(new Error("spec.names.plural: Invalid value"), { code: 422 })),
 *     replace: () => Promise.reject(new Error("unused")),
 *   }),
 * };
 * const Things = defineCustomResource({ group: "demo.io", version: "v1", kind: "Thing", scope: "Cluster", spec: z.object({}) });
 * const e = await ensureCustomResourceDefinition(refusing, Things).catch((e) => e);
 * assert.ok(e instanceof CustomResourceDefinitionError);
 * assert.equal(e.crdName, "things.demo.io");
 * assert.match(e.message, /the create was refused: .*spec\.names\.plural: Invalid value/);
 * ```
 */
export class CustomResourceDefinitionError extends Error {
  /** The CRD's name (`<plural>.<group>`). */
  readonly crdName: string;
  /** Builds the error for the CRD `crdName`. */
  constructor(crdName: string, message: string, options: { cause?: unknown } = {}) {
    super(
      `CustomResourceDefinition ${crdName}: ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "CustomResourceDefinitionError";
    this.crdName = crdName;
  }
}

function _code(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

function _serverMessage(e: unknown): string {
  const status = (e as { status?: { message?: unknown } } | null)?.status;
  if (typeof status?.message === "string") return status.message;
  return e instanceof Error ? e.message : String(e);
}

const SPEC_HASH = "operatorkit.io/crd-spec-hash";

async function _specHash(spec: unknown): Promise<string> {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(
        Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  const bytes = new TextEncoder().encode(JSON.stringify(canonical(spec)));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** True when every field of `want` is present and equal in `have` (server defaults aside). */
export function _subsetEqual(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length &&
      want.every((w, i) => _subsetEqual(w, have[i]));
  }
  if (typeof want === "object" && want !== null) {
    if (typeof have !== "object" || have === null || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, w]) =>
      _subsetEqual(w, (have as Record<string, unknown>)[k])
    );
  }
  return Object.is(want, have);
}

/**
 * Installs a CRD: creates it, or replaces it (with the stored resourceVersion) when the
 * stored spec differs from the wanted one, then polls until it is Established=True. "Differs"
 * means a wanted field is missing or different in the stored spec (server defaults are not
 * differences), or the stored annotation `operatorkit.io/crd-spec-hash` (a SHA-256 of the
 * wanted spec, written on every create and update) does not match: that catches fields the
 * new definition removed.
 * Returns the CRD as the server has it. Fails with `CustomResourceDefinitionError` carrying
 * the server's message when the server rejects it (422), when NamesAccepted=False, or on
 * timeout; rejects with the signal's reason on abort.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineCustomResource, ensureCustomResourceDefinition, KubeClient } from "./mod.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * const Website = defineCustomResource({
 *   group: "demo.io",
 *   version: "v1",
 *   kind: "Website",
 *   scope: "Namespaced",
 *   spec: z.object({ html: z.string() }),
 * });
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const crd = await ensureCustomResourceDefinition(client, Website, { timeoutMs: 30_000 });
 * assert.ok(crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"));
 * const site = await client.resource(Website).create({ metadata: { name: "home" }, spec: { html: "hi" } }, { namespace: "default" });
 * assert.equal(site.spec.html, "hi");
 * ```
 */
export async function ensureCustomResourceDefinition(
  client: CustomResourceDefinitionClient,
  crd: CustomResourceDefinition | { crd: CustomResourceDefinition },
  options: EnsureCrdOptions = {},
): Promise<CustomResourceDefinition> {
  const want = options.conversionWebhook && "conversion" in crd && crd.conversion
    ? withConversionWebhook(
      crd as { crd: CustomResourceDefinition; conversion?: CustomResourceConversion },
      options.conversionWebhook,
    )
    : _crdOf(crd);
  const name = want.metadata.name ?? "";
  const clock = options.clock ?? systemClock;
  const signal = options.signal;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollIntervalMs ?? 200;
  const log = getLogger(["operatorkit", "client", "crd"]);
  const handle = client.resource(CustomResourceDefinitions);
  const fail = (what: string, cause: unknown): never => {
    throw new CustomResourceDefinitionError(
      name,
      `${what} was refused: ${_serverMessage(cause)}`,
      { cause },
    );
  };

  const hash = await _specHash(want.spec);
  const annotated = (meta: ObjectMeta): ObjectMeta => ({
    ...meta,
    annotations: { ...meta.annotations, ...want.metadata.annotations, [SPEC_HASH]: hash },
    ...(meta.labels || want.metadata.labels
      ? { labels: { ...meta.labels, ...want.metadata.labels } }
      : {}),
  });

  let current: CustomResourceDefinition | undefined;
  for (let attempt = 0; current === undefined; attempt++) {
    signal?.throwIfAborted();
    let stored: CustomResourceDefinition | undefined;
    try {
      stored = await handle.get(name, { signal });
    } catch (e) {
      if (_code(e) !== 404) throw e;
    }
    try {
      if (!stored) {
        log.info("Creating CustomResourceDefinition {name}", { name });
        current = await handle.create({ ...want, metadata: annotated(want.metadata) }, {
          signal,
        });
      } else if (
        !_subsetEqual(want.spec, stored.spec) || stored.metadata.annotations?.[SPEC_HASH] !== hash
      ) {
        log.info("Updating CustomResourceDefinition {name}", {
          name,
          resourceVersion: stored.metadata.resourceVersion,
        });
        current = await handle.replace({ ...want, metadata: annotated(stored.metadata) }, {
          signal,
        });
      } else {
        current = stored;
      }
    } catch (e) {
      const code = _code(e);
      // Someone else created or changed it between our read and write: read again.
      if (code === 409 && attempt < 5) continue;
      if (code === 422 || code === 400) fail(stored ? "the update" : "the create", e);
      throw e;
    }
  }

  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const conditions = current.status?.conditions ?? [];
    const names = conditions.find((c) => c.type === "NamesAccepted");
    const established = conditions.find((c) => c.type === "Established");
    if (names?.status === "False") {
      throw new CustomResourceDefinitionError(
        name,
        `expected NamesAccepted=True, found False (${names.reason ?? "no reason"}): ${
          names.message ?? "(no message)"
        }`,
      );
    }
    if (established?.status === "True") return current;
    const left = deadline - clock.now();
    if (left <= 0) {
      throw new CustomResourceDefinitionError(
        name,
        `expected Established=True within ${timeoutMs} ms, found ${
          established
            ? `Established=${established.status} (${established.reason ?? "no reason"}): ${
              established.message ?? "(no message)"
            }`
            : "no Established condition"
        }`,
      );
    }
    await sleep(Math.min(pollMs, left), { clock, signal });
    current = await handle.get(name, { signal });
  }
}
