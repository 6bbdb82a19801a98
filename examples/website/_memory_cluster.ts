// An in-process stand-in for the API server (for the demo and tests), used until the embedded server
// (testing/api_server.ts) lands: one resourceVersion counter, finalizer semantics (rules
// 3.1-3.5), JSON and merge patches (5.1-5.3), the status subresource (4.1), list + watch from
// a resourceVersion (6.1, 7.4). It implements the structural client interfaces the
// controller adapters use, so the same operator code runs against it and a real client.
import type {
  DecodedList,
  KubeObject,
  ListOptions,
  ResourceType,
  WatchEvent,
  WatchOptions,
} from "../../client/types.ts";

export class MemoryApiError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
    this.name = "ApiError";
  }
  isNotFound(): boolean {
    return this.code === 404;
  }
  isConflict(): boolean {
    return this.code === 409;
  }
  isInvalid(): boolean {
    return this.code === 422;
  }
}

type _Event = { type: "ADDED" | "MODIFIED" | "DELETED"; object: KubeObject };

interface _Watcher {
  type: string;
  namespace?: string;
  push(e: WatchEvent<KubeObject> | null): void;
}

type Opts = { namespace?: string; signal?: AbortSignal };

export class MemoryCluster {
  rv = 1;
  #objects = new Map<string, KubeObject>(); // plural/ns/name
  #history: Array<{ rv: number; plural: string; event: _Event }> = [];
  #watchers = new Set<_Watcher>();
  #uid = 0;
  writes = 0;

  objects(type: ResourceType, namespace?: string): KubeObject[] {
    return [...this.#objects.entries()]
      .filter(([k]) => k.startsWith(`${type.plural}/${namespace ?? ""}`))
      .map(([, v]) => structuredClone(v));
  }

  resource<U extends KubeObject>(type: ResourceType<U>) {
    return new MemoryHandle<U>(this, type);
  }

  _key(type: ResourceType, ns: string | undefined, name: string): string {
    return `${type.plural}/${ns ?? ""}/${name}`;
  }
  _get(type: ResourceType, ns: string | undefined, name: string): KubeObject {
    const o = this.#objects.get(this._key(type, ns, name));
    if (!o) {
      throw new MemoryApiError(404, "NotFound", `${type.plural} "${name}" not found`);
    }
    return o;
  }
  _write(type: ResourceType, obj: KubeObject, kind: "ADDED" | "MODIFIED" | "DELETED"): KubeObject {
    const key = this._key(type, obj.metadata.namespace, obj.metadata.name!);
    obj.metadata.resourceVersion = String(++this.rv);
    this.writes++;
    if (kind === "DELETED") this.#objects.delete(key);
    else this.#objects.set(key, obj);
    const event: _Event = { type: kind, object: structuredClone(obj) };
    this.#history.push({ rv: this.rv, plural: type.plural, event });
    for (const w of this.#watchers) {
      if (w.type === type.plural && (!w.namespace || w.namespace === obj.metadata.namespace)) {
        w.push(structuredClone(event));
      }
    }
    return structuredClone(obj);
  }
  _create(type: ResourceType, obj: KubeObject, ns?: string): KubeObject {
    const o = structuredClone(obj);
    o.metadata.namespace = o.metadata.namespace ?? ns;
    if (this.#objects.has(this._key(type, o.metadata.namespace, o.metadata.name!))) {
      throw new MemoryApiError(
        409,
        "AlreadyExists",
        `${type.plural} "${o.metadata.name}" already exists`,
      );
    }
    o.apiVersion = type.apiVersion;
    o.kind = type.kind;
    o.metadata.uid = `uid-${++this.#uid}`;
    o.metadata.creationTimestamp = "2026-01-01T00:00:00Z";
    if (type.group !== "") o.metadata.generation = 1;
    delete (o as { status?: unknown }).status;
    return this._write(type, o, "ADDED");
  }
  _update(type: ResourceType, cur: KubeObject, next: KubeObject, status = false): KubeObject {
    if (
      next.metadata.resourceVersion &&
      next.metadata.resourceVersion !== cur.metadata.resourceVersion
    ) {
      throw new MemoryApiError(409, "Conflict", `the object has been modified`);
    }
    const n = structuredClone(next);
    n.metadata.uid = cur.metadata.uid;
    n.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
    n.metadata.generation = cur.metadata.generation;
    const strip = (o: KubeObject) => {
      const { metadata: _m, status: _s, ...rest } = o as KubeObject & { status?: unknown };
      return JSON.stringify(rest);
    };
    if (status) {
      const s = structuredClone(cur) as KubeObject & { status?: unknown };
      s.status = (n as { status?: unknown }).status;
      return JSON.stringify(s) === JSON.stringify(cur)
        ? structuredClone(cur)
        : this._write(type, s, "MODIFIED");
    }
    (n as { status?: unknown }).status = (cur as { status?: unknown }).status;
    if (type.group !== "" && strip(n) !== strip(cur)) {
      n.metadata.generation = (cur.metadata.generation ?? 0) + 1;
    }
    if (cur.metadata.deletionTimestamp) {
      const added = (n.metadata.finalizers ?? []).some((f) =>
        !cur.metadata.finalizers?.includes(f)
      );
      if (added) {
        throw new MemoryApiError(
          422,
          "Invalid",
          "no new finalizers can be added if the object is being deleted",
        );
      }
      if ((n.metadata.finalizers ?? []).length === 0) return this._write(type, n, "DELETED");
    }
    const same = JSON.stringify({ ...n, metadata: { ...n.metadata, resourceVersion: "" } }) ===
      JSON.stringify({ ...cur, metadata: { ...cur.metadata, resourceVersion: "" } });
    return same ? structuredClone(cur) : this._write(type, n, "MODIFIED");
  }
  _delete(type: ResourceType, ns: string | undefined, name: string): KubeObject {
    const cur = this._get(type, ns, name);
    if ((cur.metadata.finalizers ?? []).length === 0) {
      return this._write(type, structuredClone(cur), "DELETED");
    }
    if (cur.metadata.deletionTimestamp) return structuredClone(cur);
    const n = structuredClone(cur);
    n.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    if (n.metadata.generation) n.metadata.generation++;
    return this._write(type, n, "MODIFIED");
  }
  _list(type: ResourceType, options: ListOptions): DecodedList<KubeObject> {
    return {
      metadata: { resourceVersion: String(this.rv) },
      items: this.objects(type, options.namespace),
      invalid: [],
    };
  }
  async *_watch(type: ResourceType, options: WatchOptions): AsyncIterable<WatchEvent<KubeObject>> {
    const from = Number(options.resourceVersion ?? this.rv);
    const buffered: Array<WatchEvent<KubeObject> | null> = [];
    let wake: (() => void) | undefined;
    const w: _Watcher = {
      type: type.plural,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      push: (e) => {
        buffered.push(e);
        wake?.();
      },
    };
    for (const h of this.#history) {
      if (
        h.rv > from && h.plural === type.plural &&
        (!options.namespace || h.event.object.metadata.namespace === options.namespace)
      ) {
        buffered.push(structuredClone(h.event));
      }
    }
    this.#watchers.add(w);
    const onAbort = () => w.push(null);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        if (options.signal?.aborted) return;
        const e = buffered.shift();
        if (e === null) return;
        if (e) {
          yield e;
          continue;
        }
        await new Promise<void>((r) => wake = r);
        wake = undefined;
      }
    } finally {
      this.#watchers.delete(w);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }
}

function _pointer(
  doc: unknown,
  path: string,
): { parent: Record<string, unknown> | unknown[]; last: string } {
  const parts = path.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  const last = parts.pop()!;
  // deno-lint-ignore no-explicit-any
  let parent: any = doc;
  for (const p of parts) {
    parent = parent?.[p];
    if (parent === undefined) throw new MemoryApiError(422, "Invalid", `path ${path} not found`);
  }
  return { parent, last };
}

export function applyJsonPatch(
  doc: KubeObject,
  ops: Array<{ op: string; path: string; value?: unknown }>,
): KubeObject {
  const d = structuredClone(doc);
  for (const op of ops) {
    const { parent, last } = _pointer(d, op.path);
    // deno-lint-ignore no-explicit-any
    const p = parent as any;
    if (op.op === "test") {
      if (JSON.stringify(p[Array.isArray(p) ? Number(last) : last]) !== JSON.stringify(op.value)) {
        throw new MemoryApiError(422, "Invalid", `test operation failed at ${op.path}`);
      }
    } else if (op.op === "add") {
      if (Array.isArray(p)) p.splice(last === "-" ? p.length : Number(last), 0, op.value);
      else p[last] = op.value;
    } else if (op.op === "remove") {
      if (Array.isArray(p)) p.splice(Number(last), 1);
      else delete p[last];
    } else if (op.op === "replace") {
      p[Array.isArray(p) ? Number(last) : last] = op.value;
    } else throw new MemoryApiError(422, "Invalid", `unsupported op ${op.op}`);
  }
  return d;
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === "object" && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

export class MemoryHandle<T extends KubeObject> {
  constructor(readonly cluster: MemoryCluster, readonly type: ResourceType<T>) {}

  get(name: string, o: Opts = {}): Promise<T> {
    try {
      return Promise.resolve(structuredClone(this.cluster._get(this.type, o.namespace, name)) as T);
    } catch (e) {
      return Promise.reject(e);
    }
  }
  create(obj: T, o: Opts = {}): Promise<T> {
    return this.#run(() => this.cluster._create(this.type, obj, o.namespace));
  }
  replace(obj: T, _o: Opts = {}): Promise<T> {
    return this.#run(() => {
      const cur = this.cluster._get(this.type, obj.metadata.namespace, obj.metadata.name!);
      return this.cluster._update(this.type, cur, obj);
    });
  }
  patch(
    name: string,
    o: Opts & { type: "json" | "merge" | "strategic"; body: unknown },
  ): Promise<T> {
    return this.#patch(name, o, false);
  }
  delete(name: string, o: Opts = {}): Promise<T> {
    return this.#run(() => this.cluster._delete(this.type, o.namespace, name));
  }
  list(options: ListOptions = {}): Promise<DecodedList<T>> {
    return Promise.resolve(this.cluster._list(this.type, options) as DecodedList<T>);
  }
  watch(options: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    return this.cluster._watch(this.type, options) as AsyncIterable<WatchEvent<T>>;
  }
  get status(): { patch: MemoryHandle<T>["patch"] } {
    return { patch: (name, o) => this.#patch(name, o, true) };
  }

  #patch(name: string, o: Opts & { type: string; body: unknown }, status: boolean): Promise<T> {
    return this.#run(() => {
      const cur = this.cluster._get(this.type, o.namespace, name);
      const next = o.type === "json"
        ? applyJsonPatch(cur, o.body as Array<{ op: string; path: string }>)
        : applyMergePatch(cur, o.body) as KubeObject;
      next.metadata.resourceVersion = (o.body as { metadata?: { resourceVersion?: string } })
        ?.metadata?.resourceVersion ?? cur.metadata.resourceVersion;
      return this.cluster._update(this.type, cur, next, status);
    });
  }

  #run(fn: () => KubeObject): Promise<T> {
    try {
      return Promise.resolve(fn() as T);
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
