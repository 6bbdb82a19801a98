// Emulation of kube-controller-manager's garbage collector and namespace controller
// (rules 10.2, 2.4), plus CRD clean-up (rule 9.3). Runs after the write that triggered it
// (queued as microtasks), so it is asynchronous to the client but leaves no timer behind.
import type { ServerCtx } from "./context.ts";
import { crdStoreKey, removeCrdResource } from "./crds.ts";
import { CRD_CLEANUP, deleteOne } from "./delete.ts";
import type { ResourceInfo } from "./registry.ts";
import type { StoreEvent } from "./store.ts";
import { deepEqual, isObj, type Obj } from "./util.ts";

const NS_KEY = "/namespaces";
const CRD_KEY = "apiextensions.k8s.io/customresourcedefinitions";

interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  blockOwnerDeletion?: boolean;
}

function refs(obj: Obj): OwnerRef[] {
  const r = (obj.metadata as Obj).ownerReferences;
  return Array.isArray(r) ? r as OwnerRef[] : [];
}

function finalizersOf(obj: Obj): string[] {
  return ((obj.metadata as Obj).finalizers as string[] | undefined) ?? [];
}

/** Wires GC, namespace deletion and CRD clean-up to the store's events. */
export class GarbageCollector {
  #queue: Array<() => void> = [];
  #scheduled = false;
  #stopped = false;
  #cleanups = new Set<string>();

  constructor(readonly ctx: ServerCtx) {
    ctx.store.listeners.push((e) => this.#onEvent(e));
  }

  /** Stops processing queued work. */
  stop(): void {
    this.#stopped = true;
    this.#queue = [];
  }

  #later(fn: () => void): void {
    this.#queue.push(fn);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      while (this.#queue.length && !this.#stopped) {
        try {
          this.#queue.shift()!();
        } catch {
          // the object changed under us; the next event retries
        }
      }
    });
  }

  #onEvent(e: StoreEvent): void {
    if (e.storeKey === CRD_KEY) {
      const crd = e.rec.obj;
      if (e.type === "DELETED") this.#later(() => removeCrdResource(this.ctx, e.prev!.obj));
      else if ((crd.metadata as Obj).deletionTimestamp) {
        this.#later(() => this.#cleanupCrd(e.rec.key));
      }
    } else if (e.type === "DELETED") {
      const name = this.#terminatingCrd(e.storeKey);
      if (name && !this.#cleanups.has(name)) {
        this.#cleanups.add(name);
        this.#later(() => {
          this.#cleanups.delete(name);
          this.#cleanupCrd(name);
        });
      }
    }
    if (!this.ctx.gc) return;
    const obj = e.rec.obj;
    const m = obj.metadata as Obj;
    if (e.type === "DELETED") {
      const uid = String(m.uid);
      this.#later(() => this.#ownerGone(uid));
      for (const r of refs(obj)) {
        this.#later(() => this.#checkForeground(r, m.namespace as string | undefined));
      }
      if (m.namespace) this.#later(() => this.#checkNamespace(String(m.namespace)));
      return;
    }
    if (!m.deletionTimestamp) return;
    const fins = finalizersOf(obj);
    if (e.storeKey === NS_KEY) {
      this.#later(() => this.#drainNamespace(String(m.name)));
    } else if (fins.includes("orphan")) {
      this.#later(() => this.#orphan(e.storeKey, e.rec.key));
    } else if (fins.includes("foregroundDeletion")) {
      this.#later(() => this.#foreground(e.storeKey, e.rec.key));
    }
  }

  /** The name of the terminating CRD that serves `storeKey`, if any. */
  #terminatingCrd(storeKey: string): string | undefined {
    const name = this.#infoFor(storeKey)?.crd?.name;
    const crd = name ? this.ctx.store.get(CRD_KEY, name) : undefined;
    return crd && (crd.obj.metadata as Obj).deletionTimestamp ? name : undefined;
  }

  /** kube's CRD finalizer: delete every custom object, then release the CRD (rule 9.3). */
  #cleanupCrd(name: string): void {
    const crd = this.ctx.store.get(CRD_KEY, name);
    if (!crd || !finalizersOf(crd.obj).includes(CRD_CLEANUP)) return;
    const storeKey = crdStoreKey(crd.obj);
    const snap = this.ctx.store.snapshot(storeKey);
    for (const key of [...snap.keys]) {
      const rec = this.ctx.store.get(storeKey, key);
      if (rec && !(rec.obj.metadata as Obj).deletionTimestamp) {
        this.#deleteBackground(storeKey, key, rec.obj);
      }
    }
    if (this.ctx.store.count(storeKey) === 0) this.#removeFinalizer(CRD_KEY, name, CRD_CLEANUP);
  }

  #infoFor(storeKey: string): ResourceInfo | undefined {
    return this.ctx.registry.all().find((i) => i.storeKey === storeKey);
  }

  /** Replaces an object; drops it when it is terminating with no finalizers left. */
  #write(storeKey: string, key: string, next: Obj): void {
    const m = next.metadata as Obj;
    const specFins = storeKey === NS_KEY
      ? ((next.spec as Obj | undefined)?.finalizers as string[] | undefined) ?? []
      : [];
    const cur = this.ctx.store.get(storeKey, key);
    if (cur && deepEqual(cur.obj, next)) return;
    if (m.deletionTimestamp && finalizersOf(next).length === 0 && specFins.length === 0) {
      this.ctx.store.remove(storeKey, key);
    } else {
      this.ctx.store.put(storeKey, key, next);
    }
  }

  #removeFinalizer(storeKey: string, key: string, finalizer: string): void {
    const rec = this.ctx.store.get(storeKey, key);
    if (!rec || !finalizersOf(rec.obj).includes(finalizer)) return;
    const m = rec.obj.metadata as Obj;
    const finalizers = finalizersOf(rec.obj).filter((f) => f !== finalizer);
    const meta: Obj = { ...m, finalizers };
    if (finalizers.length === 0) delete meta.finalizers;
    this.#write(storeKey, key, { ...rec.obj, metadata: meta });
  }

  #ownerExists(r: OwnerRef, namespace: string | undefined): boolean {
    const info = this.ctx.registry.byKind(r.apiVersion, r.kind);
    if (!info) return true; // unknown kinds are never collected
    const key = info.namespaced ? `${namespace}/${r.name}` : r.name;
    const rec = this.ctx.store.get(info.storeKey, key);
    return rec !== undefined && (rec.obj.metadata as Obj).uid === r.uid;
  }

  #dependents(uid: string): Array<{ storeKey: string; key: string; obj: Obj }> {
    const out = [];
    for (const ref of this.ctx.store.dependents(uid)) {
      const i = ref.indexOf("|");
      const storeKey = ref.slice(0, i), key = ref.slice(i + 1);
      const rec = this.ctx.store.get(storeKey, key);
      if (rec) out.push({ storeKey, key, obj: rec.obj });
    }
    return out;
  }

  #deleteBackground(storeKey: string, key: string, obj: Obj): void {
    const info = this.#infoFor(storeKey);
    if (!info) return;
    deleteOne(this.ctx, info, { key, name: String((obj.metadata as Obj).name) }, {
      propagationPolicy: "Background",
      dryRun: false,
    });
  }

  /** Background: dependents whose owners are all gone are deleted. */
  #ownerGone(uid: string): void {
    for (const d of this.#dependents(uid)) {
      const ns = (d.obj.metadata as Obj).namespace as string | undefined;
      if (refs(d.obj).every((r) => !this.#ownerExists(r, ns))) {
        this.#deleteBackground(d.storeKey, d.key, d.obj);
      }
    }
  }

  /** Foreground: delete dependents; drop `foregroundDeletion` once no blocker remains. */
  #foreground(storeKey: string, key: string): void {
    const rec = this.ctx.store.get(storeKey, key);
    if (!rec) return;
    const uid = String((rec.obj.metadata as Obj).uid);
    for (const d of this.#dependents(uid)) {
      if (!(d.obj.metadata as Obj).deletionTimestamp) {
        this.#deleteBackground(d.storeKey, d.key, d.obj);
      }
    }
    const blocking = this.#dependents(uid).some((d) =>
      refs(d.obj).some((r) => r.uid === uid && r.blockOwnerDeletion === true)
    );
    if (!blocking) this.#removeFinalizer(storeKey, key, "foregroundDeletion");
  }

  /** A dependent went away: its foreground-deleting owner may now finish. */
  #checkForeground(r: OwnerRef, namespace: string | undefined): void {
    const info = this.ctx.registry.byKind(r.apiVersion, r.kind);
    if (!info) return;
    const key = info.namespaced ? `${namespace}/${r.name}` : r.name;
    const rec = this.ctx.store.get(info.storeKey, key);
    if (!rec || (rec.obj.metadata as Obj).uid !== r.uid) return;
    if (finalizersOf(rec.obj).includes("foregroundDeletion")) this.#foreground(info.storeKey, key);
  }

  /** Orphan: strip the owner from its dependents, then drop `orphan`. */
  #orphan(storeKey: string, key: string): void {
    const rec = this.ctx.store.get(storeKey, key);
    if (!rec) return;
    const uid = String((rec.obj.metadata as Obj).uid);
    for (const d of this.#dependents(uid)) {
      const left = refs(d.obj).filter((r) => r.uid !== uid);
      const meta: Obj = { ...(d.obj.metadata as Obj), ownerReferences: left };
      if (left.length === 0) delete meta.ownerReferences;
      this.ctx.store.put(d.storeKey, d.key, { ...d.obj, metadata: meta });
    }
    this.#removeFinalizer(storeKey, key, "orphan");
  }

  #namespaceEmpty(ns: string): boolean {
    for (const storeKey of this.ctx.store.storeKeys()) {
      if (storeKey === NS_KEY) continue;
      const snap = this.ctx.store.snapshot(storeKey);
      const prefix = `${ns}/`;
      let lo = 0, hi = snap.keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (snap.keys[mid] < prefix) lo = mid + 1;
        else hi = mid;
      }
      if (lo < snap.keys.length && snap.keys[lo].startsWith(prefix)) return false;
    }
    return true;
  }

  /** Namespace deletion: delete everything inside, then finalize the namespace. */
  #drainNamespace(ns: string): void {
    for (const storeKey of this.ctx.store.storeKeys()) {
      if (storeKey === NS_KEY) continue;
      const snap = this.ctx.store.snapshot(storeKey);
      for (const key of [...snap.keys]) {
        if (!key.startsWith(`${ns}/`)) continue;
        const rec = this.ctx.store.get(storeKey, key);
        if (rec && !(rec.obj.metadata as Obj).deletionTimestamp) {
          this.#deleteBackground(storeKey, key, rec.obj);
        }
      }
    }
    this.#checkNamespace(ns);
  }

  #checkNamespace(ns: string): void {
    const rec = this.ctx.store.get(NS_KEY, ns);
    if (!rec || !(rec.obj.metadata as Obj).deletionTimestamp) return;
    if (!this.#namespaceEmpty(ns)) return;
    const spec = isObj(rec.obj.spec) ? rec.obj.spec : {};
    this.#write(NS_KEY, ns, { ...rec.obj, spec: { ...spec, finalizers: [] } });
  }
}
