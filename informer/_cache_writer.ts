import type { InformerLogger } from "./reflector.ts";
import {
  type DecodeFailure,
  type KubeObject,
  objectKey,
  type WatchEvent,
} from "../client/types.ts";
import type { Dispatcher, InformerEvent } from "./dispatch.ts";
import type { InformerCounters } from "./health.ts";
import type { MemoryStore } from "./store.ts";

/** How many (uid, resourceVersion) pairs of decode failures we remember for dedup. */
const _REPORTED_CAP = 10_000;

/**
 * Applies reflector output to the store and turns it into handler events: dedup by
 * (uid, resourceVersion), relist diffs, transform, decode-failure reporting. Internal.
 */
export class _CacheWriter<T extends KubeObject> {
  #reported = new Set<string>();

  constructor(
    readonly store: MemoryStore<T>,
    readonly dispatcher: Dispatcher<T>,
    readonly counters: InformerCounters,
    readonly options: {
      transform: (obj: T) => T;
      onDecodeFailure?: (failure: DecodeFailure, raw: KubeObject) => void;
      log: InformerLogger;
      /** Metadata-only: PartialObjectMetadata is never held to the type's full schema. */
      metadataOnly?: boolean;
    },
  ) {}

  /**
   * Swaps in a complete list and dispatches the difference with the previous contents:
   * adds for new objects, updates for changed ones (uid equal, resourceVersion different),
   * deletes for vanished ones (and for a uid change under the same key), nothing otherwise.
   * A cached object whose listed version fails to decode leaves the cache without a delete.
   */
  replace(items: T[], invalid: Array<{ raw: KubeObject; error: DecodeFailure }>): void {
    if (this.options.metadataOnly && invalid.length) {
      // The client decodes with the type's schema, which a PartialObjectMetadata (no spec)
      // fails; metadata-only objects are cached as they are.
      items = [...items, ...invalid.filter(_isPartial).map((bad) => bad.raw as T)];
      invalid = invalid.filter((bad) => !_isPartial(bad));
    }
    for (const bad of invalid) this.reportInvalid(bad.raw, bad.error);
    const store = this.store;
    const events: InformerEvent<T>[] = [];
    const next: T[] = new Array(items.length);
    const keys: string[] = new Array(items.length);
    const transform = this.options.transform;
    const c = this.counters;
    // The first list (and any list onto an empty cache) has nothing to diff: every item is an
    // add, and no cached key can have vanished.
    const empty = store.size === 0;
    const seen = empty ? undefined : new Set<string>();
    // Events no consumer reads are counted, not built (say, the adds of a large first list
    // when no handler has onAdd).
    const d = this.dispatcher;
    const adds = d.wants("add");
    const updates = !empty && d.wants("update");
    const deletes = !empty && d.wants("delete");
    for (let i = 0; i < items.length; i++) {
      const obj = transform(items[i]);
      const key = objectKey(obj);
      keys[i] = key;
      seen?.add(key);
      const old = empty ? undefined : store.getByKey(key);
      if (!old) {
        next[i] = obj;
        if (adds) events.push({ type: "add", object: obj });
        c.added++;
      } else if (old.metadata.uid !== obj.metadata.uid) {
        next[i] = obj;
        if (deletes) {
          events.push({ type: "delete", object: old, finalStateUnknown: true, resync: false });
        }
        if (adds) events.push({ type: "add", object: obj });
        c.deleted++;
        c.added++;
      } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        next[i] = obj;
        if (updates) events.push({ type: "update", old, object: obj });
        c.modified++;
      } else {
        // Unchanged: keep the cached object so readers holding it stay current.
        next[i] = old;
      }
    }
    if (seen) {
      // An object whose listed version fails to decode still exists on the server: it leaves
      // the cache as it does on a watch (INVALID), without a delete handlers would act on.
      const invalidUids = new Map<string, string | undefined>();
      for (const bad of invalid) invalidUids.set(objectKey(bad.raw), bad.raw.metadata?.uid);
      for (const key of store.keys()) {
        if (seen.has(key)) continue;
        const old = store.getByKey(key)!;
        if (invalidUids.has(key) && invalidUids.get(key) === old.metadata.uid) continue;
        if (deletes) {
          events.push({ type: "delete", object: old, finalStateUnknown: true, resync: false });
        }
        c.deleted++;
      }
    }
    store.replace(next, keys);
    for (const e of events) this.dispatcher.publish(e);
  }

  /** Applies one watch event. */
  event(ev: WatchEvent<T>): void {
    if (ev.type === "INVALID" && this.options.metadataOnly && _isPartial(ev)) {
      ev = { type: ev.eventType, object: ev.raw as T };
    }
    switch (ev.type) {
      case "ADDED":
      case "MODIFIED": {
        const obj = this.options.transform(ev.object);
        const key = objectKey(obj);
        const old = this.store.getByKey(key);
        if (
          old && old.metadata.uid === obj.metadata.uid &&
          old.metadata.resourceVersion === obj.metadata.resourceVersion
        ) {
          this.counters.duplicates++;
          return;
        }
        this.store.set(obj, key);
        if (!old) {
          this.counters.added++;
          this.dispatcher.publish({ type: "add", object: obj });
        } else if (old.metadata.uid !== obj.metadata.uid) {
          // The DELETED of the previous incarnation was lost (e.g. across a reconnect).
          this.counters.deleted++;
          this.counters.added++;
          this.dispatcher.publish({
            type: "delete",
            object: old,
            finalStateUnknown: true,
            resync: false,
          });
          this.dispatcher.publish({ type: "add", object: obj });
        } else {
          this.counters.modified++;
          this.dispatcher.publish({ type: "update", old, object: obj });
        }
        return;
      }
      case "DELETED": {
        const key = objectKey(ev.object);
        const old = this.store.getByKey(key);
        if (!old || (ev.object.metadata.uid && old.metadata.uid !== ev.object.metadata.uid)) {
          this.counters.duplicates++;
          return;
        }
        this.store.delete(key);
        this.counters.deleted++;
        this.dispatcher.publish({
          type: "delete",
          object: this.options.transform(ev.object),
          finalStateUnknown: false,
          resync: false,
        });
        return;
      }
      case "INVALID": {
        this.reportInvalid(ev.raw, ev.error);
        const key = objectKey(ev.raw);
        const old = this.store.getByKey(key);
        if (!old) return;
        this.store.delete(key);
        if (ev.eventType === "DELETED") {
          this.counters.deleted++;
          this.dispatcher.publish({
            type: "delete",
            object: old,
            finalStateUnknown: true,
            resync: false,
          });
        }
        // A cached object whose new version does not decode leaves the cache without a
        // delete event: it still exists on the server, and handlers must not clean it up.
        return;
      }
      case "BOOKMARK":
        this.counters.bookmarks++;
        return;
    }
  }

  /** Reports a decode failure once per (uid, resourceVersion). */
  reportInvalid(raw: KubeObject, error: DecodeFailure): void {
    const id = `${raw.metadata?.uid ?? error.uid ?? error.key}@${
      raw.metadata?.resourceVersion ?? error.resourceVersion ?? ""
    }`;
    if (this.#reported.has(id)) return;
    if (this.#reported.size >= _REPORTED_CAP) {
      this.#reported.delete(this.#reported.values().next().value!);
    }
    this.#reported.add(id);
    this.counters.decodeFailures++;
    this.options.log.warn(
      "object {key} at resourceVersion {resourceVersion} failed to decode and is not cached: {message}",
      { key: error.key, resourceVersion: error.resourceVersion, message: error.message },
    );
    try {
      this.options.onDecodeFailure?.(error, raw);
    } catch (err) {
      this.options.log.error("onDecodeFailure threw: {error}", { error: err });
    }
  }
}

function _isPartial(bad: { raw: KubeObject }): boolean {
  return bad.raw?.kind === "PartialObjectMetadata";
}
