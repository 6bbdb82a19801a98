// The in-memory store: one Map per resource type keyed `namespace/name`, one resourceVersion
// counter for every type (rule 1.2), and a bounded event history for watch resumption.
import { expired } from "./status.ts";
import type { Obj } from "./util.ts";

/** One stored object version. `obj` is never mutated once stored. */
export interface Rec {
  readonly key: string;
  readonly obj: Obj;
  /** The serialized object, computed once on first use. */
  json?: string;
  /** The serialized object without kind and apiVersion (built-in list items), once. */
  itemJson?: string;
}

/** What changed: the stored object version and the previous one. */
export interface StoreEvent {
  readonly rv: number;
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly storeKey: string;
  readonly rec: Rec;
  readonly prev?: Rec;
  /** Serialized watch lines, cached per variant so every watcher shares them. */
  lines?: Map<string, Uint8Array>;
}

/** The JSON text of a stored object, serialized once. */
export function recJson(rec: Rec): string {
  return rec.json ??= JSON.stringify(rec.obj);
}

/** The JSON text of a stored object as an item of a built-in list: kube's typed lists leave
 * out each item's kind and apiVersion. Serialized once. */
export function recItemJson(rec: Rec): string {
  if (rec.itemJson === undefined) {
    const { apiVersion: _a, kind: _k, ...rest } = rec.obj;
    rec.itemJson = JSON.stringify(rest);
  }
  return rec.itemJson;
}

class Table {
  readonly map = new Map<string, Rec>();
  #sorted: string[] | undefined;
  sortedKeys(): string[] {
    return this.#sorted ??= [...this.map.keys()].sort();
  }
  set(key: string, rec: Rec): void {
    if (!this.map.has(key)) this.#sorted = undefined;
    this.map.set(key, rec);
  }
  delete(key: string): void {
    if (this.map.delete(key)) this.#sorted = undefined;
  }
}

function ownerUids(obj: Obj | undefined): string[] {
  const refs = (obj?.metadata as Obj | undefined)?.ownerReferences;
  return Array.isArray(refs) ? refs.map((r) => (r as Obj).uid as string).filter(Boolean) : [];
}

function withRv(obj: Obj, rv: number): Obj {
  return { ...obj, metadata: { ...(obj.metadata as Obj), resourceVersion: String(rv) } };
}

/** A point-in-time view of one type, sorted by key (rule 6.4). */
export interface Snapshot {
  readonly rv: number;
  readonly keys: string[];
  readonly map: ReadonlyMap<string, Rec>;
}

/** The store. Listeners see every persisted change synchronously, in order. */
export class Store {
  #rv = 0;
  #compactedRv = 0;
  #tables = new Map<string, Table>();
  #ring: (StoreEvent | undefined)[];
  #start = 0;
  #size = 0;
  #owners = new Map<string, Set<string>>();
  readonly listeners: Array<(e: StoreEvent) => void> = [];

  constructor(readonly historyLimit: number) {
    this.#ring = new Array(Math.max(0, historyLimit));
  }

  /** The latest resourceVersion. */
  get rv(): number {
    return this.#rv;
  }

  /** Events at or below this RV may be gone from history. */
  get compactedRv(): number {
    return this.#compactedRv;
  }

  #table(storeKey: string): Table {
    let t = this.#tables.get(storeKey);
    if (!t) this.#tables.set(storeKey, t = new Table());
    return t;
  }

  /** The current version of one object. */
  get(storeKey: string, key: string): Rec | undefined {
    return this.#tables.get(storeKey)?.map.get(key);
  }

  /** The number of objects of one type. */
  count(storeKey: string): number {
    return this.#tables.get(storeKey)?.map.size ?? 0;
  }

  /** Current objects of one type, sorted by key. */
  snapshot(storeKey: string): Snapshot {
    const t = this.#table(storeKey);
    return { rv: this.#rv, keys: t.sortedKeys(), map: t.map };
  }

  /** The type's objects as they were at `rv`, rebuilt from history; 410 when it is gone. */
  snapshotAt(storeKey: string, rv: number, what: string): Snapshot {
    if (rv >= this.#rv) return this.snapshot(storeKey);
    if (rv < this.#compactedRv) {
      throw expired(`${what}: too old resource version: ${rv} (${this.#compactedRv + 1})`);
    }
    const map = new Map(this.#table(storeKey).map);
    const events = this.eventsSince(rv, storeKey);
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (e.type === "ADDED") map.delete(e.rec.key);
      else map.set(e.rec.key, e.prev!);
    }
    return { rv, keys: [...map.keys()].sort(), map };
  }

  /** History events of one type with RV > `rv`, oldest first. Caller checks compaction. */
  eventsSince(rv: number, storeKey?: string): StoreEvent[] {
    const out: StoreEvent[] = [];
    const n = this.#ring.length;
    for (let i = this.#size - 1; i >= 0; i--) {
      const e = this.#ring[(this.#start + i) % n]!;
      if (e.rv <= rv) break;
      if (!storeKey || e.storeKey === storeKey) out.push(e);
    }
    return out.reverse();
  }

  #emit(e: StoreEvent): void {
    const n = this.#ring.length;
    if (n > 0) {
      if (this.#size === n) {
        this.#compactedRv = this.#ring[this.#start]!.rv;
        this.#ring[this.#start] = e;
        this.#start = (this.#start + 1) % n;
      } else {
        this.#ring[(this.#start + this.#size) % n] = e;
        this.#size++;
      }
    } else {
      this.#compactedRv = e.rv;
    }
    for (const l of this.listeners) l(e);
  }

  #index(storeKey: string, key: string, before: Obj | undefined, after: Obj | undefined): void {
    const b = ownerUids(before), a = ownerUids(after);
    if (b.length === 0 && a.length === 0) return;
    const ref = `${storeKey}|${key}`;
    for (const uid of b) if (!a.includes(uid)) this.#owners.get(uid)?.delete(ref);
    for (const uid of a) {
      let s = this.#owners.get(uid);
      if (!s) this.#owners.set(uid, s = new Set());
      s.add(ref);
    }
  }

  /** `storeKey|key` references of objects naming `uid` as an owner. */
  dependents(uid: string): string[] {
    return [...(this.#owners.get(uid) ?? [])];
  }

  /** Stores a new or changed object with a fresh RV and emits ADDED or MODIFIED. */
  put(storeKey: string, key: string, obj: Obj): Rec {
    const t = this.#table(storeKey);
    const prev = t.map.get(key);
    const rv = ++this.#rv;
    const rec: Rec = { key, obj: withRv(obj, rv) };
    t.set(key, rec);
    this.#index(storeKey, key, prev?.obj, rec.obj);
    this.#emit({ rv, type: prev ? "MODIFIED" : "ADDED", storeKey, rec, prev });
    return rec;
  }

  /** Removes an object; DELETED carries its last state with the deletion RV (rule 3.5). */
  remove(storeKey: string, key: string): Rec | undefined {
    const t = this.#tables.get(storeKey);
    const prev = t?.map.get(key);
    if (!t || !prev) return undefined;
    const rv = ++this.#rv;
    t.delete(key);
    this.#index(storeKey, key, prev.obj, undefined);
    const rec: Rec = { key, obj: withRv(prev.obj, rv) };
    this.#emit({ rv, type: "DELETED", storeKey, rec, prev });
    return rec;
  }

  /** Every stored type key. */
  storeKeys(): string[] {
    return [...this.#tables.keys()];
  }

  /** Forgets history: a resume from any older RV gets 410. */
  compact(): void {
    this.#ring = new Array(this.#ring.length);
    this.#start = 0;
    this.#size = 0;
    this.#compactedRv = this.#rv;
  }

  /** Drops every object (keeping the RV counter, so old RVs are reported as expired). */
  reset(): void {
    this.#tables.clear();
    this.#owners.clear();
    // Objects vanished without events: even the latest RV can no longer be resumed from.
    this.#rv++;
    this.compact();
  }
}
