/**
 * `ResourceClient<T>`: the typed handle for one resource type (get, list, create, replace,
 * patch, apply, delete, deleteCollection, watch, and subresources).
 *
 * @module
 */
import { _getLogger as getLogger } from "./_log.ts";
import type { Scale } from "./workload_types.ts";
import type { Clock } from "./clock.ts";
import { decodeList, decodeObject } from "./decode.ts";
import type { RequestSpec, Transport } from "./transport.ts";
import type {
  DecodedList,
  KubeList,
  KubeObject,
  ListOptions,
  ListWatch,
  ResourceType,
  Status,
  WatchOptions,
} from "./types.ts";
import { watchEvents, watchIdleTimeoutMs, type WatchIterator } from "./watch.ts";
import { _SubresourceClient } from "./_subresource.ts";
import { _listPages } from "./_list_pages.ts";
import { _parseListSkippingManagedFields, _SKIP_MANAGED_FIELDS } from "./_managed_fields.ts";
import type {
  ApplyOptions,
  DeleteCollectionOptions,
  DeleteOptions,
  ListAllOptions,
  PatchOptions,
  RequestOptions,
  SubresourceClient,
  WriteOptions,
} from "./resource_options.ts";

const log = getLogger(["operatorkit", "client"]);

const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
} as const;

const META_ACCEPT = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
const META_LIST_ACCEPT =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

/**
 * A typed handle for one resource type. Get one from `client.resource(type)`.
 *
 * @example
 * ```ts
 * import { ConfigMaps, KubeClient, type ResourceClient } from "./mod.ts";
 * import type { ConfigMap } from "./builtin_types.ts";
 * import { startApiServer } from "../testing/mod.ts";
 * import assert from "node:assert/strict";
 * await using server = await startApiServer();
 * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
 * const cms: ResourceClient<ConfigMap> = client.resource(ConfigMaps);
 * await cms.create({ metadata: { name: "a" }, data: { k: "v" } }, { namespace: "default" });
 * const names: string[] = [];
 * for await (const cm of cms.listAll({ namespace: "default", limit: 500 })) names.push(cm.metadata.name!);
 * assert.deepEqual(names, ["a"]);
 * ```
 */
export class ResourceClient<T extends KubeObject> implements ListWatch<T> {
  /** The resource type. */
  readonly type: ResourceType<T>;
  /** The status subresource. */
  readonly status: SubresourceClient<T>;
  /** The scale subresource (autoscaling/v1 Scale). */
  readonly scale: SubresourceClient<Scale>;
  #t: Transport;
  #ns: string;
  #fm: string;
  #clock: Clock;
  #metaType: ResourceType<T> | undefined;

  /** Usually created by `KubeClient.resource()`. */
  constructor(
    transport: Transport,
    type: ResourceType<T>,
    options: { defaultNamespace?: string; fieldManager?: string; clock?: Clock } = {},
  ) {
    this.#t = transport;
    this.type = type;
    this.#ns = options.defaultNamespace ?? "default";
    this.#fm = options.fieldManager ?? "operatorkit";
    this.#clock = options.clock ?? transport.clock;
    this.status = this.subresource<T>("status", { decode: true });
    this.scale = this.subresource<Scale>("scale");
  }

  /** The collection path, or an object's path (and subresource). */
  path(options: { namespace?: string; name?: string; subresource?: string } = {}): string {
    const t = this.type;
    let p = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
    if (t.namespaced && options.namespace) p += `/namespaces/${_seg(options.namespace)}`;
    p += `/${t.plural}`;
    if (options.name !== undefined) {
      if (!options.name) throw new TypeError(`expected a ${t.kind} name, found an empty string`);
      p += `/${_seg(options.name)}`;
    }
    if (options.subresource) p += `/${options.subresource}`;
    return p;
  }

  /** GET one object; a 404 rejects with `ApiError` (`isNotFound`), a schema failure with `DecodeError`. */
  async get(name: string, options: RequestOptions & { metadataOnly?: boolean } = {}): Promise<T> {
    const raw = await this.#t.json<unknown>({
      method: "GET",
      path: this.path({ namespace: this.#nsFor(options), name }),
      ...(options.metadataOnly ? { accept: META_ACCEPT } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const r = decodeObject(this.#decodeAs(options.metadataOnly), raw);
    if (!r.ok) throw r.error;
    return r.value;
  }

  // PartialObjectMetadata answers carry no spec or status: the type's schema does not apply.
  #decodeAs(metadataOnly: boolean | undefined): ResourceType<T> {
    if (!metadataOnly || !this.type.schema) return this.type;
    return this.#metaType ??= { ...this.type, schema: undefined };
  }

  /** One page of LIST; no namespace on a namespaced type lists all namespaces. */
  async list(options: ListOptions = {}): Promise<DecodedList<T>> {
    const list = await this.#t.json<KubeList<unknown>>(this.#listSpec(options, options.continue));
    return decodeList(this.#decodeAs(options.metadataOnly), list);
  }

  /**
   * Every page of a LIST (from `options.continue`, following `continue`), in order. The next
   * page is requested as soon as the current page's body has arrived (its `continue` token
   * precedes the items), so the server prepares it while this one is parsed and decoded; at
   * most two pages are held at once. Breaking out of the loop cancels the page requested
   * ahead. The reflector lists this way.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { KubeClient, ConfigMaps } from "./mod.ts";
   * import { startApiServer } from "../testing/mod.ts";
   * await using server = await startApiServer();
   * await using client = await KubeClient.fromKubeConfig({ document: server.kubeconfig });
   * const cms = client.resource(ConfigMaps);
   * for (const name of ["a", "b", "c"]) {
   *   await cms.create({ metadata: { name }, data: {} }, { namespace: "default" });
   * }
   * const sizes: number[] = [];
   * for await (const page of cms.listPages({ namespace: "default", limit: 2 })) {
   *   sizes.push(page.items.length);
   * }
   * assert.deepEqual(sizes, [2, 1]);
   * ```
   */
  listPages(options: ListOptions = {}): AsyncGenerator<DecodedList<T>, void, undefined> {
    const as = this.#decodeAs(options.metadataOnly);
    const spec = (cont: string | undefined, signal: AbortSignal) => ({
      ...this.#listSpec(options, cont),
      signal,
    });
    const skipMf = (options as _Internal)[_SKIP_MANAGED_FIELDS] === true;
    return _listPages(
      async (cont, signal) => await (await this.#t.request(spec(cont, signal))).text(),
      (list) => decodeList(as, list),
      (text) =>
        _parseList(text, this.path({ namespace: this.#nsForList(options.namespace) }), skipMf),
      options.signal,
    );
  }

  #listSpec(options: ListOptions, cont: string | undefined): RequestSpec {
    return {
      method: "GET",
      path: this.path({ namespace: this.#nsForList(options.namespace) }),
      query: {
        labelSelector: options.labelSelector || undefined,
        fieldSelector: options.fieldSelector || undefined,
        limit: options.limit,
        continue: cont || undefined,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
      },
      ...(options.metadataOnly ? { accept: META_LIST_ACCEPT } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
  }

  /** Every object over all pages (following `continue`), one page in memory at a time. */
  async *listAll(options: ListAllOptions = {}): AsyncGenerator<T, void, undefined> {
    const { onInvalid, ...rest } = options;
    let cont: string | undefined;
    do {
      const page = await this.list({ ...rest, ...(cont ? { continue: cont } : {}) });
      for (const bad of page.invalid) {
        if (onInvalid) onInvalid(bad.error, bad.raw);
        else {
          log.warn("skipping {resource} {key} that fails its schema: {error}", {
            resource: this.type.plural,
            key: bad.error.key,
            error: bad.error.message,
          });
        }
      }
      yield* page.items;
      cont = page.metadata.continue || undefined;
    } while (cont);
  }

  /** POST a new object. */
  async create(obj: T, options: WriteOptions = {}): Promise<T> {
    return await this.#t.json<T>({
      method: "POST",
      path: this.path({ namespace: this.#nsFor(options, obj) }),
      query: this.#writeQuery(options),
      body: this.#typed(obj),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** PUT the whole object; its `metadata.resourceVersion` makes it conditional (409 when stale). */
  async replace(obj: T, options: WriteOptions = {}): Promise<T> {
    return await this.#t.json<T>({
      method: "PUT",
      path: this.path({ namespace: this.#nsFor(options, obj), name: _name(obj, "replace") }),
      query: this.#writeQuery(options),
      body: this.#typed(obj),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** PATCH with a JSON patch, merge patch or strategic merge patch. */
  async patch(name: string, options: PatchOptions): Promise<T> {
    const contentType = PATCH_TYPES[options.type];
    if (!contentType) {
      throw new TypeError(`expected patch type json, merge or strategic, found ${options.type}`);
    }
    return await this.#t.json<T>({
      method: "PATCH",
      path: this.path({ namespace: this.#nsFor(options), name }),
      query: this.#writeQuery(options),
      body: options.body,
      contentType,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Server-side apply: creates or updates the fields `obj` sets, owned by the field manager. */
  async apply(obj: T, options: ApplyOptions = {}): Promise<T> {
    return await this.#t.json<T>({
      method: "PATCH",
      path: this.path({ namespace: this.#nsFor(options, obj), name: _name(obj, "apply") }),
      query: { ...this.#writeQuery(options), force: options.force ? true : undefined },
      body: this.#typed(obj),
      contentType: "application/apply-patch+yaml",
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * DELETE one object. Resolves with the object when it stays (finalizers, Foreground) and
   * with the server's Success `Status` when it is gone.
   */
  async delete(name: string, options: DeleteOptions = {}): Promise<T | Status> {
    return await this.#t.json<T | Status>(
      this.#deleteSpec(this.path({ namespace: this.#nsFor(options), name }), options),
    );
  }

  /** DELETE every object matching the selectors; resolves with the list of deleted objects. */
  async deleteCollection(options: DeleteCollectionOptions = {}): Promise<KubeList<T> | Status> {
    const spec = this.#deleteSpec(this.path({ namespace: this.#nsForList(options.namespace) }), {
      ...options,
    });
    spec.query = {
      ...spec.query,
      labelSelector: options.labelSelector || undefined,
      fieldSelector: options.fieldSelector || undefined,
    };
    return await this.#t.json<KubeList<T> | Status>(spec);
  }

  /**
   * WATCH as an async iterable (see `ListWatch.watch`). The idle timeout defaults to
   * timeoutSeconds plus 30 s.
   */
  watch(options: WatchOptions = {}): WatchIterator<T> {
    const spec: RequestSpec = {
      method: "GET",
      path: this.path({ namespace: this.#nsForList(options.namespace) }),
      query: {
        watch: 1,
        labelSelector: options.labelSelector || undefined,
        fieldSelector: options.fieldSelector || undefined,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
        allowWatchBookmarks: options.allowWatchBookmarks || undefined,
        timeoutSeconds: options.timeoutSeconds,
        sendInitialEvents: options.sendInitialEvents === undefined
          ? undefined
          : options.sendInitialEvents,
      },
      ...(options.metadataOnly ? { accept: META_ACCEPT } : {}),
    };
    return watchEvents(this.#t, this.#decodeAs(options.metadataOnly), spec, {
      idleTimeoutMs: watchIdleTimeoutMs(options),
      clock: this.#clock,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onOpen ? { onOpen: options.onOpen } : {}),
    });
  }

  /** A handle for any named subresource (e.g. `ephemeralcontainers`, `eviction`). */
  subresource<S extends KubeObject = KubeObject>(
    name: string,
    options: { decode?: boolean } = {},
  ): SubresourceClient<S> {
    if (!/^[a-z][a-z0-9]*$/.test(name)) {
      throw new TypeError(
        `expected a subresource name like "status", found ${JSON.stringify(name)}`,
      );
    }
    return new _SubresourceClient<S>({
      transport: this.#t,
      name,
      path: (ns, obj) => this.path({ namespace: ns, name: obj, subresource: name }),
      namespaceFor: (o, obj) => this.#nsFor(o, obj),
      writeQuery: (o) => this.#writeQuery(o),
      ...(options.decode
        ? {
          decode: (raw: unknown) => decodeObject(this.type, raw) as never,
          typed: (obj: KubeObject) => this.#typed(obj),
        }
        : {}),
      patchTypes: PATCH_TYPES,
    });
  }

  // Custom resources need apiVersion and kind in the body (built-ins default them from the
  // URL); the type supplies them when the object leaves them out.
  #typed(obj: KubeObject): KubeObject {
    if (obj.apiVersion && obj.kind) return obj;
    return { apiVersion: this.type.apiVersion, kind: this.type.kind, ...obj };
  }

  #nsFor(options: { namespace?: string }, obj?: KubeObject): string | undefined {
    if (!this.type.namespaced) {
      if (options.namespace) {
        throw new TypeError(
          `expected no namespace for cluster-scoped ${this.type.kind}, found ${options.namespace}`,
        );
      }
      return undefined;
    }
    return options.namespace || obj?.metadata?.namespace || this.#ns;
  }

  #nsForList(namespace: string | undefined): string | undefined {
    if (!this.type.namespaced && namespace) {
      throw new TypeError(
        `expected no namespace for cluster-scoped ${this.type.kind}, found ${namespace}`,
      );
    }
    return namespace || undefined;
  }

  #writeQuery(options: WriteOptions): Record<string, string | undefined> {
    return {
      fieldManager: options.fieldManager ?? this.#fm,
      dryRun: options.dryRun ? "All" : undefined,
    };
  }

  #deleteSpec(path: string, options: DeleteOptions): RequestSpec {
    const body: Record<string, unknown> = { kind: "DeleteOptions", apiVersion: "v1" };
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.preconditions) body.preconditions = options.preconditions;
    if (options.gracePeriodSeconds !== undefined) {
      body.gracePeriodSeconds = options.gracePeriodSeconds;
    }
    if (options.dryRun) body.dryRun = ["All"];
    return {
      method: "DELETE",
      path,
      query: {
        dryRun: options.dryRun ? "All" : undefined,
        propagationPolicy: options.propagationPolicy,
        gracePeriodSeconds: options.gracePeriodSeconds,
      },
      body,
      ...(options.signal ? { signal: options.signal } : {}),
    };
  }
}

function _seg(s: string): string {
  if (s.includes("/")) {
    throw new TypeError(`expected a name without "/", found ${JSON.stringify(s)}`);
  }
  return encodeURIComponent(s);
}

function _name(obj: KubeObject, verb: string): string {
  const name = obj?.metadata?.name;
  if (!name) throw new TypeError(`expected metadata.name to ${verb} an object, found none`);
  return name;
}

// Options may carry internal flags from the informer (see _managed_fields.ts).
type _Internal = { [_SKIP_MANAGED_FIELDS]?: boolean };

function _parseList(text: string, path: string, skipManagedFields: boolean): KubeList<unknown> {
  try {
    return (skipManagedFields
      ? _parseListSkippingManagedFields(text)
      : JSON.parse(text)) as KubeList<unknown>;
  } catch (err) {
    throw new Error(
      `GET ${path}: expected a JSON body, found ${text.length} bytes of something else`,
      { cause: err },
    );
  }
}
