/**
 * Custom resources defined once, in zod: `defineCustomResource()` turns a spec (and status)
 * schema into a `ResourceType` whose object type is inferred, whose decoder is the same zod
 * schema, and which carries the CustomResourceDefinition (apiextensions.k8s.io/v1) with the
 * structural schema generated from it. `ensureCustomResourceDefinition()` installs it and
 * waits until it is Established; `crdManifestYaml()` prints it.
 *
 * @module
 */
import { _pluralize } from "./_plural.ts";
// Types only: zod is reached through the schemas the caller built with it (their methods), so
// importing this module (the package root does) does not load zod for operators without
// custom resources.
import type { z } from "zod";
import type { Decoder, KubeObject, ResourceType } from "./types.ts";
import type { CustomResourceDefinition } from "./builtin_types.ts";
import { _crdOf } from "./_crd_install.ts";
import type { CustomResourceConversion, VersionConversion } from "./conversion.ts";
import {
  _INT_OR_STRING,
  _PRESERVE_UNKNOWN,
  _toStructuralSchema,
  _zodMeta,
  CustomResourceSchemaError,
  type JSONSchemaProps,
} from "./_crd_schema.ts";

export { CustomResourceSchemaError, type JSONSchemaProps };
export {
  type CustomResourceDefinitionClient,
  CustomResourceDefinitionError,
  type EnsureCrdOptions,
  ensureCustomResourceDefinition,
} from "./_crd_install.ts";

/**
 * A zod 4 schema, seen structurally: every zod schema fits (`z.object(...)`, `z.string()`,
 * ...), and `Out` is its output type. The signatures here use this instead of naming zod's
 * own types, so the public API stays self-contained.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineCustomResource, type ZodSchemaLike } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const spec: ZodSchemaLike<{ html: string }> = z.object({ html: z.string() });
 * const Pages = defineCustomResource({ group: "demo.io", version: "v1", kind: "Page", scope: "Namespaced", spec });
 * const props = Pages.crd.spec.versions[0].schema?.openAPIV3Schema?.properties?.spec;
 * assert.deepEqual(props?.required, ["html"]);
 * assert.equal(Pages.schema.safeParse({ metadata: { name: "a" }, spec: { html: 1 } }).success, false);
 * ```
 */
export interface ZodSchemaLike<Out = unknown> {
  /** zod's internals; only the output type is read here, for inference. */
  readonly _zod: { readonly output: Out };
}

/**
 * The output type of a zod schema (like `z.output<S>`), or `never` for `undefined`: the type
 * of `spec` and `status` in the objects of a custom resource type.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import type { SchemaOutput } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const spec = z.object({ html: z.string(), replicas: z.int().default(1) });
 * // The output type: defaults applied, so `replicas` is a number, not `number | undefined`.
 * const s: SchemaOutput<typeof spec> = spec.parse({ html: "x" });
 * const replicas: number = s.replicas;
 * assert.equal(replicas, 1);
 * ```
 */
export type SchemaOutput<S> = S extends { readonly _zod: { readonly output: infer O } } ? O
  : never;

function _zod(schema: unknown, what: string): z.ZodType {
  const def = (schema as { _zod?: { def?: unknown } } | null)?._zod?.def;
  if (typeof def !== "object" || def === null) {
    throw new TypeError(`expected ${what} to be a zod 4 schema, found ${String(schema)}`);
  }
  return schema as z.ZodType;
}

/**
 * Marks a zod schema as free-form: the CRD gets `x-kubernetes-preserve-unknown-fields: true`
 * there, so the API server keeps whatever the field holds instead of pruning it, and the
 * decoder keeps unknown fields too (objects, also as union variants, become loose). Known
 * fields of a marked object are still declared when they can be; constructs with no
 * structural equivalent (unions of objects, transforms, refinements, recursion) become
 * accepted as opaque values. Returns a new schema of the same type.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineCustomResource, preserveUnknown } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const values = preserveUnknown(z.object({ replicaCount: z.int().optional() }));
 * assert.deepEqual(values.parse({ replicaCount: 2, image: { tag: "1.0" } }), {
 *   replicaCount: 2,
 *   image: { tag: "1.0" },
 * });
 * const Releases = defineCustomResource({
 *   group: "demo.io",
 *   version: "v1",
 *   kind: "Release",
 *   scope: "Namespaced",
 *   spec: z.object({ chart: z.string(), values }),
 * });
 * const schema = Releases.crd.spec.versions[0].schema?.openAPIV3Schema;
 * assert.equal(schema?.properties?.spec.properties?.values["x-kubernetes-preserve-unknown-fields"], true);
 * ```
 */
export function preserveUnknown<T extends ZodSchemaLike>(schema: T): T {
  const zs = _zod(schema, "the schema given to preserveUnknown()");
  const meta = _zodMeta(zs) ?? {};
  return _loosen(zs).meta({ ...meta, [_PRESERVE_UNKNOWN]: true }) as unknown as T;
}

/**
 * The API server keeps unknown fields under a preserve-unknown node, so the decoder must too:
 * objects (also as union variants and behind optional/nullable) become loose objects.
 */
function _loosen(schema: z.ZodType): z.ZodType {
  // By the schema's own definition and methods rather than zod's classes and factories, so
  // that this module needs no zod import (a union, discriminated or not, is cloned with its
  // loosened options: `clone(def)` builds a new schema of the same class).
  const def = schema.def as { type: string; catchall?: z.ZodType; options?: z.ZodType[] };
  if (def.type === "object") {
    const catchall = def.catchall;
    return catchall === undefined || catchall.def.type === "never"
      ? (schema as z.ZodObject).loose()
      : schema;
  }
  if (def.type === "union" && def.options) {
    return schema.clone({ ...def, options: def.options.map(_loosen) } as typeof schema.def);
  }
  if (def.type === "optional") {
    return _loosen((schema as z.ZodOptional).unwrap() as z.ZodType).optional();
  }
  if (def.type === "nullable") {
    return _loosen((schema as z.ZodNullable).unwrap() as z.ZodType).nullable();
  }
  return schema;
}

/**
 * Marks a union of an integer and a string (a port number or name, `25` or `"25%"`) as
 * int-or-string: the CRD gets `x-kubernetes-int-or-string: true` there. The union must be
 * exactly `z.int()` (or `z.number()`) and `z.string()` without further checks, because the
 * API server can check nothing more on such a field. Returns a new schema of the same type.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineCustomResource, intOrString } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const port = intOrString(z.union([z.int(), z.string()])).describe("port number or name");
 * assert.equal(port.parse(8080), 8080);
 * assert.equal(port.parse("http"), "http");
 * const Routes = defineCustomResource({ group: "demo.io", version: "v1", kind: "Route", scope: "Namespaced", spec: z.object({ port }) });
 * const field = Routes.crd.spec.versions[0].schema?.openAPIV3Schema?.properties?.spec.properties?.port;
 * assert.equal(field?.["x-kubernetes-int-or-string"], true);
 * ```
 */
export function intOrString<T extends ZodSchemaLike<number | string>>(schema: T): T {
  const zs = _zod(schema, "the schema given to intOrString()");
  const def = zs.def as { type: string; options?: z.ZodType[] };
  const kinds = (def.options ?? []).map((o) => {
    const checks = (o.def as { checks?: unknown[] }).checks ?? [];
    const format = (o.def as { format?: string }).format;
    if (o.def.type === "number" && checks.length === 0 && (!format || format === "safeint")) {
      return "number";
    }
    if (o.def.type === "string" && checks.length === 0 && !format) return "string";
    return `${o.def.type} with checks`;
  }).sort();
  if (def.type !== "union" || kinds.join(",") !== "number,string") {
    throw new TypeError(
      `intOrString: expected z.union([z.int(), z.string()]) without further checks, found a ` +
        `${def.type}${def.options ? ` of ${kinds.join(" | ")}` : ""}`,
    );
  }
  const meta = _zodMeta(zs) ?? {};
  return zs.meta({ ...meta, [_INT_OR_STRING]: true }) as unknown as T;
}

/**
 * An additional printer column (`kubectl get` output).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineCustomResource, type PrinterColumn } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const c: PrinterColumn = { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" };
 * const Apps = defineCustomResource({
 *   group: "demo.io",
 *   version: "v1",
 *   kind: "App",
 *   scope: "Namespaced",
 *   spec: z.object({ replicas: z.int() }),
 *   printerColumns: [c],
 * });
 * assert.deepEqual(Apps.crd.spec.versions[0].additionalPrinterColumns, [c]);
 * ```
 */
export interface PrinterColumn {
  /** Column header. */
  name: string;
  /** Column type. */
  type: "string" | "integer" | "number" | "boolean" | "date";
  /** A simple JSONPath into the object, starting with `.` (e.g. `.status.phase`). */
  jsonPath: string;
  /** Help text. */
  description?: string;
  /** Format hint for the value (e.g. `date-time`). */
  format?: string;
  /** 0 shows in the standard view; higher only with `-o wide`. */
  priority?: number;
}

/**
 * Subresources of a version. `status` defaults to on when a status schema is given.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineCustomResource, type Subresources } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const s: Subresources = {
 *   status: true,
 *   scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
 * };
 * const Apps = defineCustomResource({
 *   group: "demo.io",
 *   version: "v1",
 *   kind: "App",
 *   scope: "Namespaced",
 *   spec: z.object({ replicas: z.int() }),
 *   status: z.object({ replicas: z.int().optional() }),
 *   subresources: s,
 * });
 * assert.deepEqual(Apps.subresources, ["status", "scale"]);
 * assert.deepEqual(Apps.crd.spec.versions[0].subresources?.status, {});
 * assert.equal(Apps.crd.spec.versions[0].subresources?.scale?.specReplicasPath, ".spec.replicas");
 * ```
 */
export interface Subresources {
  /**
   * Serve `/status`; writes to the main endpoint then ignore `.status`.
   * @default {true when the version has a status schema}
   */
  status?: boolean;
  /** Serve `/scale` mapped onto these paths. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

/**
 * One more version of the same kind, served from the same CRD. The server does not convert
 * between versions (conversion strategy `None`), so their schemas should be compatible.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { type CustomResourceVersion, defineCustomResource } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const v1alpha1: CustomResourceVersion = {
 *   name: "v1alpha1",
 *   spec: z.object({ html: z.string() }),
 *   deprecated: true,
 * };
 * const Websites = defineCustomResource({
 *   group: "demo.io",
 *   version: "v1",
 *   kind: "Website",
 *   scope: "Namespaced",
 *   spec: z.object({ html: z.string() }),
 *   versions: [v1alpha1],
 * });
 * const old = Websites.crd.spec.versions.find((v) => v.name === "v1alpha1");
 * assert.equal(old?.deprecated, true);
 * assert.equal(old?.storage, false, "the type's own version is the storage version");
 * ```
 */
export interface CustomResourceVersion {
  /** The version name, e.g. `v1beta1`. */
  name: string;
  /** The spec schema of this version. */
  spec: ZodSchemaLike;
  /** The status schema of this version. */
  status?: ZodSchemaLike;
  /**
   * Served by the API.
   * @default {true}
   */
  served?: boolean;
  /** The version objects are stored at (exactly one version of the CRD has it). */
  storage?: boolean;
  /** Reads at this version carry a deprecation warning. */
  deprecated?: boolean;
  /** The warning text for a deprecated version. */
  deprecationWarning?: string;
  /** Printer columns of this version. */
  printerColumns?: PrinterColumn[];
  /** Subresources of this version. */
  subresources?: Subresources;
  /**
   * How this (non-storage) version converts to the storage version and back. When any
   * version has one, the type carries `conversion` and the API server should call a
   * conversion webhook (see the `webhook` module).
   */
  conversion?: VersionConversion;
}

/**
 * What `defineCustomResource()` takes. `version`, `spec`, `status`, `printerColumns` and
 * `subresources` describe the version this resource type reads and writes; `versions` adds
 * more versions of the same kind to the CRD.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { type CustomResourceOptions, defineCustomResource } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const o: CustomResourceOptions<z.ZodObject<{ html: z.ZodString }>> = {
 *   group: "demo.operatorkit.io",
 *   version: "v1alpha1",
 *   kind: "Website",
 *   scope: "Namespaced",
 *   spec: z.object({ html: z.string() }),
 * };
 * const Websites = defineCustomResource(o);
 * assert.equal(Websites.apiVersion, "demo.operatorkit.io/v1alpha1");
 * assert.equal(Websites.plural, "websites");
 * assert.equal(Websites.singular, "website");
 * ```
 */
export interface CustomResourceOptions<
  Spec extends ZodSchemaLike,
  Status extends ZodSchemaLike | undefined = undefined,
> {
  /** API group; must contain a dot (e.g. `demo.operatorkit.io`). */
  group: string;
  /** The version this resource type uses, e.g. `v1alpha1`. */
  version: string;
  /** The kind, in PascalCase. */
  kind: string;
  /**
   * URL name.
   * @default {the lowercase kind by the English rules: -s/-x/-z/-ch/-sh + es, consonant + y to -ies, else + s; a kind ending in an irregular noun (Person, Child, Leaf, Analysis...) must set it}
   */
  plural?: string;
  /**
   * Singular name.
   * @default {the lowercase kind}
   */
  singular?: string;
  /** Short names for kubectl. */
  shortNames?: string[];
  /** Categories (e.g. `all`). */
  categories?: string[];
  /** `Namespaced` or `Cluster`. */
  scope: "Namespaced" | "Cluster";
  /** The spec schema. */
  spec: Spec;
  /** The status schema. */
  status?: Status;
  /** Printer columns. */
  printerColumns?: PrinterColumn[];
  /**
   * Subresources.
   * @default {`{ status: true }` when `status` is given, else none}
   */
  subresources?: Subresources;
  /**
   * True when this version is the storage version.
   * @default {true}
   */
  storage?: boolean;
  /** Further versions of the kind. */
  versions?: CustomResourceVersion[];
  /** How this version converts to the storage version, when it is not the storage one. */
  conversion?: VersionConversion;
}

/**
 * The object type of a custom resource: standard fields, `spec`, optional `status`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { type CustomObject, defineCustomResource } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const Websites = defineCustomResource({
 *   group: "demo.io",
 *   version: "v1",
 *   kind: "Website",
 *   scope: "Namespaced",
 *   spec: z.object({ html: z.string() }),
 *   status: z.object({ ready: z.boolean() }),
 * });
 * const w: CustomObject<{ html: string }, { ready: boolean }> = Websites.schema.parse({
 *   metadata: { name: "site" },
 *   spec: { html: "<h1>hi</h1>" },
 * });
 * assert.equal(w.spec.html, "<h1>hi</h1>");
 * assert.equal(w.status, undefined);
 * ```
 */
export type CustomObject<Spec, Status = never> = KubeObject & {
  /** The desired state. */
  spec: Spec;
  /** The observed state. */
  status?: Status;
};

/**
 * The whole-object decoder of a custom resource type: zod's `safeParse` (so it is a
 * `Decoder<T>`) and `parse`, which throws zod's error on an invalid object.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineCustomResource } from "./custom_resource.ts";
 * const Thing = defineCustomResource({
 *   group: "demo.operatorkit.io",
 *   version: "v1",
 *   kind: "Thing",
 *   scope: "Cluster",
 *   spec: z.object({ size: z.int() }),
 * });
 * import type { CustomResourceDecoder } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const decoder: CustomResourceDecoder<{ metadata: { name?: string }; spec: { size: number } }> = Thing.schema;
 * const r = decoder.safeParse({ metadata: { name: "a" }, spec: { size: "big" } });
 * assert.equal(r.success, false);
 * if (!r.success) assert.deepEqual(r.error.issues[0].path, ["spec", "size"]);
 * assert.throws(() => decoder.parse({ metadata: { name: "a" }, spec: {} }));
 * ```
 */
export interface CustomResourceDecoder<T> extends Decoder<T> {
  /** Returns the decoded object (defaults applied) or throws a {@linkcode CustomResourceDecodeError}. */
  parse(data: unknown): T;
}

/**
 * A resource type built by `defineCustomResource()`: a `ResourceType<T>` (client handles,
 * informers and controllers take it unchanged) plus the CRD and the whole-object schema.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { type CustomResourceType, defineCustomResource } from "./custom_resource.ts";
 * const Things: CustomResourceType = defineCustomResource({
 *   group: "demo.operatorkit.io",
 *   version: "v1",
 *   kind: "Thing",
 *   scope: "Cluster",
 *   spec: z.object({ size: z.int() }),
 * });
 * import assert from "node:assert/strict";
 * assert.equal(Things.crd.metadata.name, "things.demo.operatorkit.io");
 * assert.equal(Things.namespaced, false);
 * assert.equal(Things.singular, "thing");
 * ```
 */
export interface CustomResourceType<T extends KubeObject = KubeObject> extends ResourceType<T> {
  /** The zod schema of the whole object; objects read from the server are validated with it. */
  readonly schema: CustomResourceDecoder<T>;
  /** The CustomResourceDefinition (apiextensions.k8s.io/v1). */
  readonly crd: CustomResourceDefinition;
  /** The singular name. */
  readonly singular: string;
  /** Set when versions declare conversion functions: every version's decoder and conversion. */
  readonly conversion?: CustomResourceConversion;
}

/**
 * The object type of a custom resource type.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineCustomResource, type InferCustomResource } from "./custom_resource.ts";
 * const Website = defineCustomResource({
 *   group: "demo.operatorkit.io",
 *   version: "v1alpha1",
 *   kind: "Website",
 *   scope: "Namespaced",
 *   spec: z.object({ html: z.string() }),
 * });
 * import assert from "node:assert/strict";
 * type Website = InferCustomResource<typeof Website>;
 * const w: Website = Website.schema.parse({ metadata: { name: "a" }, spec: { html: "x" } });
 * const html: string = w.spec.html;
 * assert.equal(html, "x");
 * ```
 */
export type InferCustomResource<R> = R extends ResourceType<infer T> ? T : never;

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

function _check(ok: boolean, what: string, found: unknown): void {
  if (!ok) {
    throw new TypeError(`defineCustomResource: expected ${what}, found ${JSON.stringify(found)}`);
  }
}

/**
 * Defines a custom resource from zod schemas. Returns a resource type with the object type
 * inferred (`InferCustomResource<typeof X>`), a whole-object decoder (`schema`) and the CRD
 * (`crd`). `plural` defaults to the lowercase kind made plural by the English rules (`Policy` ->
 * `policies`, `Ingress` -> `ingresses`; irregular nouns must set it), `singular` to the lowercase kind;
 * the status subresource is on when a status schema is given (unless `subresources.status`
 * is false).
 *
 * Throws `CustomResourceSchemaError` naming the field when the spec or status uses something
 * a structural schema cannot express (unions of objects, transforms, refinements, recursion),
 * unless that field is marked with `preserveUnknown()`; throws `TypeError` for bad names.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import assert from "node:assert/strict";
 * import { defineCustomResource } from "./custom_resource.ts";
 * const Website = defineCustomResource({
 *   group: "demo.operatorkit.io",
 *   version: "v1alpha1",
 *   kind: "Website",
 *   scope: "Namespaced",
 *   spec: z.object({ html: z.string(), replicas: z.int().min(1).max(10).default(1) }),
 *   status: z.object({ observedGeneration: z.int().optional() }),
 * });
 * assert.equal(Website.plural, "websites");
 * assert.equal(Website.crd.metadata.name, "websites.demo.operatorkit.io");
 * const site = Website.schema.parse({ metadata: { name: "a" }, spec: { html: "hi" } });
 * assert.equal(site.spec.replicas, 1);
 * ```
 */
export function defineCustomResource<
  Spec extends ZodSchemaLike,
  Status extends ZodSchemaLike | undefined = undefined,
>(
  options: CustomResourceOptions<Spec, Status>,
): CustomResourceType<CustomObject<SchemaOutput<Spec>, SchemaOutput<Status>>> {
  const { group, version, kind, scope } = options;
  _check(typeof group === "string" && DNS_SUBDOMAIN.test(group), "a group with a dot", group);
  _check(typeof kind === "string" && /^[A-Z][A-Za-z0-9]*$/.test(kind), "a PascalCase kind", kind);
  _check(scope === "Namespaced" || scope === "Cluster", `scope "Namespaced" or "Cluster"`, scope);
  const plural = options.plural ?? _pluralize(kind);
  const singular = options.singular ?? kind.toLowerCase();
  _check(DNS_LABEL.test(plural), "a lowercase plural", plural);
  _check(DNS_LABEL.test(singular), "a lowercase singular", singular);
  for (const s of options.shortNames ?? []) _check(DNS_LABEL.test(s), "lowercase short names", s);

  const specSchema = _zod(options.spec, "spec");
  const statusSchema = options.status === undefined ? undefined : _zod(options.status, "status");
  const extra = options.versions ?? [];
  const primaryStorage = options.storage ?? !extra.some((v) => v.storage);
  const all: CustomResourceVersion[] = [
    {
      name: version,
      spec: options.spec,
      status: options.status,
      served: true,
      storage: primaryStorage,
      printerColumns: options.printerColumns,
      subresources: options.subresources,
      conversion: options.conversion,
    },
    ...extra,
  ];
  const seen = new Set<string>();
  for (const v of all) {
    _check(typeof v.name === "string" && DNS_LABEL.test(v.name), "a version like v1", v.name);
    _check(!seen.has(v.name), "distinct version names", v.name);
    seen.add(v.name);
  }
  const storage = all.filter((v) => v.storage ?? false).map((v) => v.name);
  _check(storage.length === 1, "exactly one storage version", storage);

  const crd: CustomResourceDefinition = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular,
        ...(options.shortNames?.length ? { shortNames: [...options.shortNames] } : {}),
        ...(options.categories?.length ? { categories: [...options.categories] } : {}),
      },
      scope,
      versions: all.map(_versionSpec),
    },
  };

  const objectSchema = _objectSchema(specSchema, statusSchema) as unknown as CustomResourceDecoder<
    CustomObject<SchemaOutput<Spec>, SchemaOutput<Status>>
  >;
  const conversion = _conversionOf(group, kind, all, storage[0]);
  const subresources = Object.keys(crd.spec.versions[0].subresources ?? {});

  return Object.freeze({
    group,
    version,
    apiVersion: `${group}/${version}`,
    kind,
    plural,
    singular,
    namespaced: scope === "Namespaced",
    schema: objectSchema,
    crd,
    ...(subresources.length ? { subresources } : {}),
    ...(conversion ? { conversion } : {}),
  });
}

type _Issue = { path: PropertyKey[]; message: string; code?: string };

/**
 * The whole-object decoder: what `z.looseObject({ apiVersion, kind, metadata, spec, status })`
 * would do, written out so that this module needs no zod import. The spec and status go
 * through the caller's zod schemas (their issues get the `spec` / `status` path prefix); every
 * other field is kept as it came.
 */
function _objectSchema(
  specSchema: z.ZodType,
  statusSchema: z.ZodType | undefined,
): CustomResourceDecoder<KubeObject> {
  const safeParse = (
    data: unknown,
  ):
    | { success: true; data: KubeObject }
    | { success: false; error: { issues: ReadonlyArray<_Issue> } } => {
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      return {
        success: false,
        error: {
          issues: [{
            path: [],
            code: "invalid_type",
            message: `Invalid input: expected object, received ${_typeName(data)}`,
          }],
        },
      };
    }
    const o = data as Record<string, unknown>;
    const issues: _Issue[] = [];
    const out: Record<string, unknown> = { ...o };
    for (const key of ["apiVersion", "kind"]) {
      if (o[key] !== undefined && typeof o[key] !== "string") {
        issues.push({
          path: [key],
          code: "invalid_type",
          message: `Invalid input: expected string, received ${_typeName(o[key])}`,
        });
      }
    }
    const m = o.metadata;
    if (typeof m !== "object" || m === null || Array.isArray(m)) {
      issues.push({
        path: ["metadata"],
        code: "custom",
        message: "expected metadata to be an object",
      });
    }
    const part = (key: string, schema: z.ZodType) => {
      const r = schema.safeParse(o[key]);
      if (r.success) {
        if (r.data !== undefined || key in o) out[key] = r.data;
      } else {
        for (const i of r.error.issues) issues.push({ ...i, path: [key, ...i.path] });
      }
    };
    part("spec", specSchema);
    if (statusSchema && o.status !== undefined) part("status", statusSchema);
    if (issues.length > 0) return { success: false, error: { issues } };
    return { success: true, data: out as unknown as KubeObject };
  };
  return {
    safeParse,
    parse(data: unknown): KubeObject {
      const r = safeParse(data);
      if (r.success) return r.data;
      throw new CustomResourceDecodeError(r.error.issues);
    },
  };
}

function _typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/**
 * What a custom resource type's `schema.parse()` throws for an object that does not decode:
 * `issues` as zod reports them (paths from the object's root), the first in the message.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { CustomResourceDecodeError, defineCustomResource } from "./custom_resource.ts";
 * import assert from "node:assert/strict";
 * const Things = defineCustomResource({ group: "demo.io", version: "v1", kind: "Thing", scope: "Cluster", spec: z.object({ size: z.int() }) });
 * assert.throws(
 *   () => Things.schema.parse({ metadata: { name: "a" }, spec: { size: "big" } }),
 *   (e) => e instanceof CustomResourceDecodeError && e.issues[0].path.join(".") === "spec.size" &&
 *     /^spec\.size: /.test(e.message),
 * );
 * ```
 */
export class CustomResourceDecodeError extends Error {
  /** Every problem found, zod's issues with paths from the object's root. */
  readonly issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }>;
  /** The issues (at least one); the first is named in the message. */
  constructor(issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }>) {
    const first = issues[0];
    super(
      first
        ? `${first.path.map(String).join(".") || "(object)"}: ${first.message}${
          issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""
        }`
        : "expected a valid object, found an invalid one",
    );
    this.name = "CustomResourceDecodeError";
    this.issues = issues;
  }
}

/** Hub-and-spoke conversion of the versions, when any declares conversion functions. */
function _conversionOf(
  group: string,
  kind: string,
  all: CustomResourceVersion[],
  storage: string,
): CustomResourceConversion | undefined {
  if (!all.some((v) => v.conversion)) return undefined;
  const versions: Record<string, CustomResourceConversion["versions"][string]> = {};
  for (const v of all) {
    const c = v.conversion;
    if (v.name === storage) {
      _check(c === undefined, `no conversion on the storage version ${storage}`, v.name);
    } else {
      _check(
        typeof c?.toStorage === "function" && typeof c?.fromStorage === "function",
        `conversion.toStorage and conversion.fromStorage on version ${v.name} (another ` +
          `version declares conversion, so every non-storage version needs them)`,
        v.name,
      );
    }
    const status = v.status === undefined ? undefined : _zod(v.status, `status of ${v.name}`);
    versions[v.name] = {
      schema: _objectSchema(_zod(v.spec, `spec of ${v.name}`), status) as never,
      ...(c ? { conversion: c } : {}),
    };
  }
  return { group, kind, storageVersion: storage, versions };
}

function _versionSpec(
  v: CustomResourceVersion,
): CustomResourceDefinition["spec"]["versions"][number] {
  const properties: Record<string, JSONSchemaProps> = {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: _toStructuralSchema(_zod(v.spec, `the spec of version ${v.name}`), "spec"),
  };
  if (v.status) {
    properties.status = _toStructuralSchema(
      _zod(v.status, `the status of version ${v.name}`),
      "status",
    );
  }
  const out: CustomResourceDefinition["spec"]["versions"][number] = {
    name: v.name,
    served: v.served ?? true,
    storage: v.storage ?? false,
    ...(v.deprecated ? { deprecated: true } : {}),
    ...(v.deprecationWarning ? { deprecationWarning: v.deprecationWarning } : {}),
    schema: {
      openAPIV3Schema: { type: "object", properties, required: ["spec"] },
    },
  };
  const statusOn = v.subresources?.status ?? v.status !== undefined;
  if (statusOn || v.subresources?.scale) {
    out.subresources = {
      ...(statusOn ? { status: {} } : {}),
      ...(v.subresources?.scale ? { scale: { ...v.subresources.scale } } : {}),
    };
  }
  if (v.printerColumns?.length) {
    for (const c of v.printerColumns) {
      _check(typeof c.name === "string" && c.name !== "", "a printer column name", c.name);
      _check(
        ["string", "integer", "number", "boolean", "date"].includes(c.type),
        `printer column "${c.name}" of type string, integer, number, boolean or date`,
        c.type,
      );
      _check(
        typeof c.jsonPath === "string" && c.jsonPath.startsWith("."),
        `printer column "${c.name}" with a jsonPath starting with '.'`,
        c.jsonPath,
      );
    }
    out.additionalPrinterColumns = v.printerColumns.map((c) => ({ ...c }));
  }
  return out;
}

/**
 * The CRD YAML of the given custom resource types (or CRD objects), one document each,
 * separated by `---`: what `kubectl apply -f` takes. Asynchronous because it loads the YAML
 * library on first use (an operator that never prints manifests does not keep it in memory).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { crdManifestYaml, defineCustomResource } from "./custom_resource.ts";
 * const Thing = defineCustomResource({
 *   group: "demo.operatorkit.io",
 *   version: "v1",
 *   kind: "Thing",
 *   scope: "Cluster",
 *   spec: z.object({ size: z.int() }),
 * });
 * import assert from "node:assert/strict";
 * const yaml: string = await crdManifestYaml(Thing);
 * assert.ok(yaml.startsWith("apiVersion: apiextensions.k8s.io/v1\n"));
 * assert.match(yaml, /^  name: things\.demo\.operatorkit\.io$/m);
 * ```
 */
export async function crdManifestYaml(
  ...defs: Array<{ crd: CustomResourceDefinition } | CustomResourceDefinition>
): Promise<string> {
  const { stringify: yamlStringify } = await import("yaml");
  return defs
    .map((d) => yamlStringify(_crdOf(d), { lineWidth: 0 }))
    .join("---\n");
}

/**
 * True when `value` is a resource type built by `defineCustomResource()` (it carries a CRD).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineCustomResource, isCustomResourceType } from "./custom_resource.ts";
 * import { ConfigMaps } from "./builtins.ts";
 * import assert from "node:assert/strict";
 * const Thing = defineCustomResource({ group: "demo.io", version: "v1", kind: "Thing", scope: "Cluster", spec: z.object({}) });
 * assert.equal(isCustomResourceType(Thing), true);
 * assert.equal(isCustomResourceType(ConfigMaps), false);
 * assert.equal(isCustomResourceType({}), false);
 * ```
 */
export function isCustomResourceType(value: unknown): value is CustomResourceType {
  if (typeof value !== "object" || value === null) return false;
  const crd = (value as { crd?: { kind?: unknown } }).crd;
  return typeof crd === "object" && crd !== null && crd.kind === "CustomResourceDefinition" &&
    typeof (value as { plural?: unknown }).plural === "string";
}
