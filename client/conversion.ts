/**
 * Multi-version custom resources: conversion between served versions through the storage
 * version (hub and spoke, as controller-runtime's `Hub`/`Convertible`). Each non-storage
 * version declares `toStorage` and `fromStorage`; any pair converts through the hub.
 *
 * A spoke that cannot hold every field of the hub would lose them on a round trip through
 * it. As Cluster API does with `conversion-data`, `convertObject()` stores the hub's
 * `spec`/`status` in the annotation `operatorkit.io/conversion-data` when converting to such
 * a spoke, and fills the missing fields back from it when converting up again.
 *
 * @module
 */
import type { Decoder, KubeObject } from "./types.ts";
import type { CustomResourceDefinition } from "./builtin_types.ts";
import type { CustomResourceType } from "./custom_resource.ts";

/**
 * Conversion functions of one non-storage version: to the storage version (hub) and back.
 * Both receive a copy and return the converted object; `apiVersion`, `kind` and `metadata`
 * are set by the SDK (metadata other than labels and annotations must not change).
 *
 * @example
 * ```ts
 * import { convertObject, type VersionConversion } from "./conversion.ts";
 * import assert from "node:assert/strict";
 * type V1alpha1 = { metadata: {}; spec: { scaling: { replicas: number } } };
 * type V1 = { metadata: {}; spec: { replicas: number } };
 * const c: VersionConversion<V1alpha1, V1> = {
 *   toStorage: (o) => ({ ...o, spec: { replicas: o.spec.scaling.replicas } }),
 *   fromStorage: (o) => ({ ...o, spec: { scaling: { replicas: o.spec.replicas } } }),
 * };
 * const conv = { group: "demo.io", kind: "App", storageVersion: "v1", versions: { v1: {}, v1alpha1: { conversion: c } } };
 * const old = { apiVersion: "demo.io/v1alpha1", kind: "App", metadata: { name: "a" }, spec: { scaling: { replicas: 2 } } };
 * const stored = convertObject(conv, old, "demo.io/v1") as { apiVersion?: string; spec?: unknown };
 * assert.equal(stored.apiVersion, "demo.io/v1");
 * assert.deepEqual(stored.spec, { replicas: 2 });
 * ```
 */
// deno-lint-ignore no-explicit-any
export interface VersionConversion<Self = any, Hub = any> {
  /** This version's object to the storage version's. */
  toStorage(obj: Self): Hub;
  /** The storage version's object to this version's. */
  fromStorage(hub: Hub): Self;
}

/**
 * The versions of a custom resource type and how to convert between them (set by
 * `defineCustomResource()` when a version declares `conversion`).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import type { CustomResourceConversion } from "./conversion.ts";
 * import { defineCustomResource } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const Thing = defineCustomResource({
 *   group: "demo.io",
 *   version: "v1",
 *   kind: "Thing",
 *   scope: "Cluster",
 *   spec: z.object({ size: z.int() }),
 *   versions: [{
 *     name: "v1alpha1",
 *     spec: z.object({ size: z.string() }),
 *     conversion: {
 *       toStorage: (o) => ({ ...o, spec: { size: Number(o.spec.size) } }),
 *       fromStorage: (o) => ({ ...o, spec: { size: String(o.spec.size) } }),
 *     },
 *   }],
 * });
 * const c: CustomResourceConversion | undefined = Thing.conversion;
 * assert.equal(c?.storageVersion, "v1");
 * assert.deepEqual(Object.keys(c?.versions ?? {}).sort(), ["v1", "v1alpha1"]);
 * ```
 */
export interface CustomResourceConversion {
  /** API group. */
  readonly group: string;
  /** Kind. */
  readonly kind: string;
  /** The storage (hub) version. */
  readonly storageVersion: string;
  /** Every version: its decoder and, for non-storage versions, its conversion. */
  readonly versions: Readonly<
    Record<
      string,
      { readonly schema?: Decoder<KubeObject>; readonly conversion?: VersionConversion }
    >
  >;
}

/**
 * The annotation carrying hub fields a spoke cannot hold: converting down to a version that
 * loses fields records them here, and converting back up restores them.
 *
 * @example
 * ```ts
 * import { CONVERSION_DATA_ANNOTATION, convertObject, type CustomResourceConversion } from "./conversion.ts";
 * import assert from "node:assert/strict";
 * // v1alpha1 has no `tier`: it is dropped going down, and kept in the annotation.
 * const conv: CustomResourceConversion = {
 *   group: "demo.io",
 *   kind: "App",
 *   storageVersion: "v1",
 *   versions: {
 *     v1: {},
 *     v1alpha1: {
 *       conversion: {
 *         toStorage: (o) => ({ ...o, spec: { replicas: o.spec.replicas } }),
 *         fromStorage: (o) => ({ ...o, spec: { replicas: o.spec.replicas } }),
 *       },
 *     },
 *   },
 * };
 * const v1 = { apiVersion: "demo.io/v1", kind: "App", metadata: { name: "a" }, spec: { replicas: 2, tier: "gold" } };
 * const down = convertObject(conv, v1, "demo.io/v1alpha1");
 * assert.equal(down.metadata.annotations?.[CONVERSION_DATA_ANNOTATION], JSON.stringify({ spec: v1.spec }));
 * const up = convertObject(conv, down, "demo.io/v1");
 * assert.deepEqual((up as typeof v1).spec, { replicas: 2, tier: "gold" });
 * assert.equal(up.metadata.annotations, undefined);
 * ```
 */
export const CONVERSION_DATA_ANNOTATION = "operatorkit.io/conversion-data";

/**
 * Conversion failed: unknown version, a conversion function threw, or it changed metadata.
 *
 * @example
 * ```ts
 * import { ConversionError, convertObject } from "./conversion.ts";
 * import assert from "node:assert/strict";
 * const conv = { group: "demo.io", kind: "Thing", storageVersion: "v1", versions: { v1: {} } };
 * const thing = { apiVersion: "demo.io/v1", kind: "Thing", metadata: { name: "a" } };
 * assert.throws(() => convertObject(conv, thing, "demo.io/v3"), (e) => e instanceof ConversionError && /v3/.test(e.message));
 * ```
 */
export class ConversionError extends Error {
  /** Builds the error. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ConversionError";
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

function _equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(_canon(a)) === JSON.stringify(_canon(b));
}

function _canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(_canon);
  if (isObj(v)) {
    return Object.fromEntries(
      Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => [k, _canon(v[k])]),
    );
  }
  return v;
}

/** Fills fields missing in `into` from `from` (objects merged deeply; `into` wins). */
function _fill(into: unknown, from: unknown): unknown {
  if (into === undefined) return clone(from);
  if (!isObj(into) || !isObj(from)) return into;
  const out: Obj = { ...into };
  for (const [k, v] of Object.entries(from)) out[k] = _fill(into[k], v);
  return out;
}

function _body(o: KubeObject): { spec?: unknown; status?: unknown } {
  const x = o as KubeObject & { spec?: unknown; status?: unknown };
  return {
    ...(x.spec !== undefined ? { spec: x.spec } : {}),
    ...(x.status !== undefined ? { status: x.status } : {}),
  };
}

function _versionOf(conv: CustomResourceConversion, apiVersion: unknown, what: string): string {
  if (typeof apiVersion !== "string" || !apiVersion.startsWith(`${conv.group}/`)) {
    throw new ConversionError(
      `expected ${what} in group ${conv.group}, found ${JSON.stringify(apiVersion)}`,
    );
  }
  const v = apiVersion.slice(conv.group.length + 1);
  if (!(v in conv.versions)) {
    throw new ConversionError(
      `expected ${what} to be one of ${
        Object.keys(conv.versions).map((x) => `${conv.group}/${x}`).join(", ")
      }, found ${apiVersion}`,
    );
  }
  return v;
}

function _run(
  fn: (o: KubeObject) => KubeObject,
  obj: KubeObject,
  what: string,
): KubeObject {
  let out: KubeObject;
  try {
    out = fn(clone(obj));
  } catch (err) {
    throw new ConversionError(`${what} failed: ${err instanceof Error ? err.message : err}`, {
      cause: err,
    });
  }
  if (!isObj(out)) throw new ConversionError(`${what} returned ${JSON.stringify(out)}`);
  return out;
}

/**
 * Converts `obj` to `desiredApiVersion` through the storage version. Labels and annotations
 * may be changed by the conversion functions; other metadata always comes from `obj`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CustomResourceConversion, convertObject } from "./conversion.ts";
 * const conv: CustomResourceConversion = {
 *   group: "demo.io",
 *   kind: "Thing",
 *   storageVersion: "v1",
 *   versions: {
 *     v1: {},
 *     v1alpha1: {
 *       conversion: {
 *         toStorage: (o) => ({ ...o, spec: { size: Number(o.spec.size) } }),
 *         fromStorage: (o) => ({ ...o, spec: { size: String(o.spec.size) } }),
 *       },
 *     },
 *   },
 * };
 * const thing = { apiVersion: "demo.io/v1", kind: "Thing", metadata: { name: "a" }, spec: { size: 3 } };
 * const out = convertObject(conv, thing, "demo.io/v1alpha1");
 * assert.deepEqual((out as { spec?: unknown }).spec, { size: "3" });
 * ```
 */
export function convertObject(
  conv: CustomResourceConversion,
  obj: KubeObject,
  desiredApiVersion: string,
): KubeObject {
  if (!isObj(obj) || !isObj(obj.metadata)) {
    throw new ConversionError(`expected an object with metadata, found ${JSON.stringify(obj)}`);
  }
  const from = _versionOf(conv, obj.apiVersion, "the object's apiVersion");
  const to = _versionOf(conv, desiredApiVersion, "the desired apiVersion");
  if (from === to) return obj;
  const hubName = conv.storageVersion;
  const name = `${conv.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${
    obj.metadata.name ?? ""
  }`;

  // Up to the hub, restoring what a lossy spoke kept in the annotation.
  let hub: KubeObject = obj;
  if (from !== hubName) {
    const c = conv.versions[from].conversion!;
    hub = _run((o) => c.toStorage(o), obj, `converting ${name} from ${from} to ${hubName}`);
    const annotations: Record<string, string> = {
      ...(hub.metadata?.annotations ?? obj.metadata.annotations ?? {}),
    };
    const saved = annotations[CONVERSION_DATA_ANNOTATION];
    if (saved !== undefined) {
      delete annotations[CONVERSION_DATA_ANNOTATION];
      try {
        const restored = JSON.parse(saved) as Obj;
        const h = hub as KubeObject & Obj;
        for (const k of ["spec", "status"]) {
          if (k in restored) h[k] = _fill(h[k], restored[k]);
        }
      } catch {
        // A hand-edited annotation that is not JSON is dropped, not fatal.
      }
    }
    hub = { ...hub, metadata: { ...hub.metadata, annotations } };
    if (Object.keys(annotations).length === 0) delete hub.metadata.annotations;
  }

  // Down to the spoke, remembering what it cannot hold.
  let out: KubeObject = hub;
  if (to !== hubName) {
    const c = conv.versions[to].conversion!;
    out = _run((o) => c.fromStorage(o), hub, `converting ${name} from ${hubName} to ${to}`);
    const back = _run((o) => c.toStorage(o), out, `converting ${name} from ${to} to ${hubName}`);
    const want = _body(hub);
    if (!_equal(_body(back), want)) {
      out = {
        ...out,
        metadata: {
          ...(out.metadata ?? {}),
          annotations: {
            ...(out.metadata?.annotations ?? hub.metadata.annotations),
            [CONVERSION_DATA_ANNOTATION]: JSON.stringify(want),
          },
        },
      };
    }
  }

  const labels = out.metadata?.labels ?? obj.metadata.labels;
  const annotations = out.metadata?.annotations ?? hub.metadata.annotations;
  const metadata = { ...obj.metadata };
  delete metadata.labels;
  delete metadata.annotations;
  if (labels && Object.keys(labels).length) metadata.labels = labels;
  if (annotations && Object.keys(annotations).length) metadata.annotations = annotations;
  return { ...out, apiVersion: `${conv.group}/${to}`, kind: obj.kind ?? conv.kind, metadata };
}

/**
 * Where the API server reaches a webhook: a URL, or a Service in the cluster; `caBundle`
 * (base64 PEM) is the CA that signed the webhook's serving certificate.
 *
 * @example
 * ```ts
 * import { type WebhookClientConfig, withConversionWebhook } from "./conversion.ts";
 * import assert from "node:assert/strict";
 * const c: WebhookClientConfig = { service: { namespace: "ops", name: "op-webhook", path: "/convert", port: 443 } };
 * const crd = {
 *   metadata: { name: "things.demo.io" },
 *   spec: { group: "demo.io", scope: "Cluster" as const, names: { plural: "things", kind: "Thing" }, versions: [] },
 * };
 * const out = withConversionWebhook({ crd, conversion: { group: "demo.io", kind: "Thing", storageVersion: "v1", versions: {} } }, c);
 * const webhook = (out.spec.conversion as { webhook: { clientConfig: WebhookClientConfig } }).webhook;
 * assert.deepEqual(webhook.clientConfig.service, c.service);
 * ```
 */
export interface WebhookClientConfig {
  /** `https://host:port/path` (outside the cluster, or loopback in tests). */
  url?: string;
  /** A Service in the cluster. */
  service?: { namespace: string; name: string; path?: string; port?: number };
  /** Base64 of the PEM CA bundle. */
  caBundle?: string;
}

/**
 * The CRD with `spec.conversion` set to strategy `Webhook` at `clientConfig` (review
 * version v1), for types whose versions declare conversion; other CRDs are returned as
 * they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withConversionWebhook } from "./conversion.ts";
 * const crd = {
 *   metadata: { name: "things.demo.io" },
 *   spec: { group: "demo.io", scope: "Cluster" as const, names: { plural: "things", kind: "Thing" }, versions: [] },
 * };
 * const out = withConversionWebhook({ crd, conversion: { group: "demo.io", kind: "Thing", storageVersion: "v1", versions: {} } }, { url: "https://127.0.0.1:9443/convert" });
 * assert.equal((out.spec.conversion as { strategy: string }).strategy, "Webhook");
 * ```
 */
export function withConversionWebhook(
  type: { crd: CustomResourceDefinition; conversion?: CustomResourceConversion },
  clientConfig: WebhookClientConfig,
): CustomResourceDefinition {
  if (!type.conversion) return type.crd;
  return {
    ...type.crd,
    spec: {
      ...type.crd.spec,
      conversion: {
        strategy: "Webhook",
        webhook: { clientConfig: { ...clientConfig }, conversionReviewVersions: ["v1"] },
      },
    },
  };
}

/**
 * The resource type of another version of a multi-version custom resource: same CRD and
 * names, that version's URL and decoder. Use it to read or write objects in that version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { defineCustomResource } from "./custom_resource.ts";
 * import { versionType } from "./conversion.ts";
 * const Thing = defineCustomResource({
 *   group: "demo.io",
 *   version: "v1",
 *   kind: "Thing",
 *   scope: "Cluster",
 *   spec: z.object({ size: z.int() }),
 *   versions: [{
 *     name: "v1alpha1",
 *     spec: z.object({ size: z.string() }),
 *     conversion: {
 *       toStorage: (o) => ({ ...o, spec: { size: Number(o.spec.size) } }),
 *       fromStorage: (o) => ({ ...o, spec: { size: String(o.spec.size) } }),
 *     },
 *   }],
 * });
 * const ThingV1alpha1 = versionType(Thing, "v1alpha1");
 * assert.equal(ThingV1alpha1.apiVersion, "demo.io/v1alpha1");
 * ```
 */
export function versionType<T extends KubeObject = KubeObject>(
  type: CustomResourceType,
  version: string,
): CustomResourceType<T> {
  const served = type.crd.spec.versions.find((v) => v.name === version);
  if (!served) {
    throw new TypeError(
      `versionType: expected one of ${
        type.crd.spec.versions.map((v) => v.name).join(", ")
      }, found ${version}`,
    );
  }
  const schema = type.conversion?.versions[version]?.schema;
  return Object.freeze({
    ...type,
    version,
    apiVersion: `${type.group}/${version}`,
    ...(schema ? { schema } : {}),
  }) as unknown as CustomResourceType<T>;
}
