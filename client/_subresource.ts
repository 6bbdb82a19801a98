// The handle for one subresource (status, scale, or any other) of a resource type.
import type { DecodeResult } from "./decode.ts";
import type { RequestSpec, Transport } from "./transport.ts";
import type { KubeObject } from "./types.ts";

import type { SubresourceClient } from "./resource_options.ts";

type Opts = { namespace?: string; signal?: AbortSignal };
type WOpts = Opts & { dryRun?: boolean; fieldManager?: string };

export interface _SubresourceInit<S extends KubeObject> {
  transport: Transport;
  name: string;
  path: (ns: string | undefined, name: string) => string;
  namespaceFor: (o: Opts, obj?: KubeObject) => string | undefined;
  writeQuery: (o: WOpts) => Record<string, string | undefined>;
  decode?: (raw: unknown) => DecodeResult<S>;
  /** Fills apiVersion and kind of the parent type (the status subresource). */
  typed?: (obj: KubeObject) => KubeObject;
  patchTypes: Record<string, string>;
}

export class _SubresourceClient<S extends KubeObject> implements SubresourceClient<S> {
  readonly name: string;
  #o: _SubresourceInit<S>;

  constructor(o: _SubresourceInit<S>) {
    this.name = o.name;
    this.#o = o;
  }

  #sig(o: Opts): Pick<RequestSpec, "signal"> {
    return o.signal ? { signal: o.signal } : {};
  }

  async get(name: string, options: Opts = {}): Promise<S> {
    const raw = await this.#o.transport.json<unknown>({
      method: "GET",
      path: this.#o.path(this.#o.namespaceFor(options), name),
      ...this.#sig(options),
    });
    if (!this.#o.decode) return raw as S;
    const r = this.#o.decode(raw);
    if (!r.ok) throw r.error;
    return r.value;
  }

  async replace(obj: S, options: WOpts = {}): Promise<S> {
    const name = obj?.metadata?.name;
    if (!name) throw new TypeError("expected metadata.name to replace a subresource, found none");
    return await this.#o.transport.json<S>({
      method: "PUT",
      path: this.#o.path(this.#o.namespaceFor(options, obj), name),
      query: this.#o.writeQuery(options),
      body: this.#o.typed ? this.#o.typed(obj) : obj,
      ...this.#sig(options),
    });
  }

  async patch(
    name: string,
    options: WOpts & { type: "json" | "merge" | "strategic"; body: unknown },
  ): Promise<S> {
    const contentType = this.#o.patchTypes[options.type];
    if (!contentType) {
      throw new TypeError(`expected patch type json, merge or strategic, found ${options.type}`);
    }
    return await this.#o.transport.json<S>({
      method: "PATCH",
      path: this.#o.path(this.#o.namespaceFor(options), name),
      query: this.#o.writeQuery(options),
      body: options.body,
      contentType,
      ...this.#sig(options),
    });
  }

  async apply(obj: S, options: WOpts & { force?: boolean } = {}): Promise<S> {
    const name = obj?.metadata?.name;
    if (!name) throw new TypeError("expected metadata.name to apply a subresource, found none");
    return await this.#o.transport.json<S>({
      method: "PATCH",
      path: this.#o.path(this.#o.namespaceFor(options, obj), name),
      query: { ...this.#o.writeQuery(options), force: options.force ? "true" : undefined },
      body: this.#o.typed ? this.#o.typed(obj) : obj,
      contentType: "application/apply-patch+yaml",
      ...this.#sig(options),
    });
  }

  async create(name: string, options: WOpts & { body: unknown }): Promise<KubeObject> {
    return await this.#o.transport.json<KubeObject>({
      method: "POST",
      path: this.#o.path(this.#o.namespaceFor(options), name),
      query: this.#o.writeQuery(options),
      body: options.body,
      ...this.#sig(options),
    });
  }
}
