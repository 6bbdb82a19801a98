import type { ManagedFieldsEntry } from "../../client/types.ts";
import { _clone, _deepEqual, _isObject, _setOwn, type JsonObject } from "./_json.ts";
import {
  _ATOMIC,
  _decodeFieldsV1,
  _diff,
  _encodeFieldsV1,
  _fields,
  _listItems,
  _printPath,
  _removePath,
  _SEP,
  _strategy,
  _within,
} from "./_field_set.ts";
import { PatchError } from "./json_patch.ts";
import type { StrategicMergeSchema } from "./strategic_merge.ts";
import { mergeSchema } from "../_schema/builtin.ts";

/** One field another manager owns with a different value. */
export interface ApplyConflict {
  /** The manager that owns the field. */
  manager: string;
  /** The field path as kube prints it, e.g. `.spec.replicas` or `.data.a`. */
  field: string;
  /** The owner's operation (`Apply` or `Update`). */
  operation?: "Apply" | "Update";
  /** The owner's apiVersion. */
  apiVersion?: string;
  /** The owner's subresource, when it wrote through one. */
  subresource?: string;
  /**
   * The cause message kube prints for this conflict, e.g. `conflict with "kubectl"` for an
   * applier or `conflict with "ctl" using v1` for an updater.
   */
  message?: string;
}

/** The outcome of an apply: the merged object (with managedFields updated), or conflicts. */
export type ApplyResult =
  | { object: Record<string, unknown>; conflicts?: undefined }
  | { object?: undefined; conflicts: ApplyConflict[] };

interface _Entry {
  entry: ManagedFieldsEntry;
  set: Set<string>;
  dirty: boolean;
}

/**
 * Server-side apply of `applied` (the user's configuration) onto `live` (undefined when the
 * object does not exist yet). Fields the manager applied before but omits now are removed
 * unless another manager owns them. `force` takes conflicting fields over. The returned
 * object carries `metadata.managedFields` updated for `manager` with operation `Apply`.
 *
 * Lists merge by the built-in strategic merge keys (`k:{"name":"c"}`) or as sets
 * (`v:"x"`, e.g. finalizers); every other list, and every list of a custom resource, is
 * atomic. An apply that changes nothing returns `live` unchanged (managedFields times
 * included), so the caller can skip the write. Throws PatchError("Invalid") for an empty
 * manager.
 */
export function serverSideApply(args: {
  live: Record<string, unknown> | undefined;
  applied: Record<string, unknown>;
  manager: string;
  force: boolean;
  apiVersion: string;
  now: string;
  subresource?: string;
}): ApplyResult {
  const { live, applied, manager, force, apiVersion, now, subresource } = args;
  if (typeof manager !== "string" || manager === "") {
    throw new PatchError("Invalid", `a server-side apply needs a field manager, found none`);
  }
  if (!_isObject(applied)) {
    throw new PatchError("BadRequest", `an apply configuration must be a JSON object`);
  }
  const schema = _schemaOf(applied, live, apiVersion);
  const config = _withoutManagedFields(applied);
  const before = live ? _withoutManagedFields(live) : {};
  const entries = _parseEntries(live);
  if (live && entries.length === 0) {
    // kube's rule for objects that predate field tracking: one Update manager owns it all.
    const all = new Set(_fields(before, schema).keys());
    if (all.size > 0) {
      const av = typeof live.apiVersion === "string" ? live.apiVersion : apiVersion;
      entries.push({
        entry: { manager: "before-first-apply", operation: "Update", apiVersion: av, time: now },
        set: all,
        dirty: true,
      });
    }
  }
  const me = _findOrAdd(entries, manager, "Apply", subresource, apiVersion);
  const lastSet = me.set;
  const newSet = new Set(_fields(config, schema, true).keys());
  const merged = _merge(before, config, "", schema) as JsonObject;

  // Prune what this manager applied last time and omits now, unless someone still owns it.
  const owned: string[] = [...newSet];
  for (const e of entries) if (e !== me) owned.push(...e.set);
  const keep = (p: string) => owned.some((q) => _within(q, p));
  for (const p of [...lastSet].filter((p) => !newSet.has(p))) {
    if (!keep(p) && !_isItemKey(p)) _removePath(merged, p, keep);
  }

  const { changed, removed } = _diff(_fields(before, schema), _fields(merged, schema));
  const conflicts: ApplyConflict[] = [];
  for (const e of entries) {
    if (e === me) continue;
    for (const p of e.set) if (changed.has(p)) conflicts.push(_conflict(e.entry, p));
  }
  if (conflicts.length > 0 && !force) {
    conflicts.sort((a, b) =>
      a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : a.field < b.field ? -1 : 1
    );
    return { conflicts };
  }
  for (const e of entries) {
    if (e !== me) _subtract(e, changed, removed);
  }
  if (!_sameSet(lastSet, newSet)) {
    me.set = newSet;
    me.dirty = true;
  }
  if (live && _deepEqual(merged, before) && !entries.some((e) => e.dirty)) {
    return { object: _clone(live) };
  }
  me.entry.apiVersion = apiVersion;
  me.entry.time = now;
  me.dirty = true;
  const object = merged;
  _setManagedFields(object, _serialize(entries));
  return { object };
}

/**
 * The Status message kube-apiserver gives an apply that conflicts, e.g.
 * `Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas`, or for
 * several: `Apply failed with 2 conflicts: conflicts with "a":\n- .data.x\n- .data.y`.
 * Each conflict's `message` is the matching per-cause message.
 */
export function formatApplyConflicts(conflicts: ApplyConflict[]): string {
  const owner = (c: ApplyConflict) =>
    (c.message ?? `conflict with ${JSON.stringify(c.manager)}`)
      .replace(/^conflict with /, "");
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${owner(conflicts[0])}: ${
      conflicts[0].field
    }`;
  }
  const byOwner = new Map<string, string[]>();
  for (const c of conflicts) byOwner.set(owner(c), [...byOwner.get(owner(c)) ?? [], c.field]);
  const lines: string[] = [];
  for (const o of [...byOwner.keys()].sort()) {
    lines.push(`conflicts with ${o}:`, ...byOwner.get(o)!.map((f) => `- ${f}`));
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}

/**
 * Field ownership after a non-apply write (create, update, patch) by `manager`: the fields
 * that changed between `old` and `updated` move to `manager` with operation `Update`.
 * Returns the new managedFields list for `updated`.
 *
 * As kube-apiserver does (checked on v1.36): the starting list is
 * `updated.metadata.managedFields` when the client sent entries (not through a subresource),
 * else the one of `old`; a client that sends an empty list or `[{}]` strips managedFields
 * entirely (nothing is recorded for that write); and an update of an object that has no managedFields records
 * nothing either, until the next apply (creates always record). Fields that disappeared are
 * disowned by everyone. A write that changes no tracked field returns the list unchanged.
 */
export function recordUpdate(args: {
  old: Record<string, unknown> | undefined;
  updated: Record<string, unknown>;
  manager: string;
  apiVersion: string;
  now: string;
  subresource?: string;
  /**
   * The objects as seen at another version (built-ins the server converts): an entry recorded
   * at that version loses what changed there, as structured-merge-diff compares at each
   * manager's version.
   */
  atVersion?: (
    apiVersion: string,
  ) => { old: Record<string, unknown>; updated: Record<string, unknown> };
}): ManagedFieldsEntry[] {
  const { old, updated, manager, apiVersion, now, subresource } = args;
  const meta = _isObject(updated.metadata) ? updated.metadata : {};
  // Writes through a subresource never change managedFields directly.
  const sent = Array.isArray(meta.managedFields) && !subresource
    ? _parseEntries(updated)
    : undefined;
  if (sent && sent.length === 0) return [];
  const source = sent ? updated : old;
  const schema = _schemaOf(updated, old, apiVersion);
  const entries = _parseEntries(source);
  if (old && entries.length === 0) return [];
  const { changed, removed } = _diff(_fields(old ?? {}, schema), _fields(updated, schema));
  if (changed.size === 0 && removed.size === 0) return _serialize(entries);
  const me = _findOrAdd(entries, manager, "Update", subresource, apiVersion);
  for (const e of entries) {
    if (e === me) continue;
    const other = old && args.atVersion && e.entry.apiVersion !== apiVersion
      ? args.atVersion(e.entry.apiVersion ?? apiVersion)
      : undefined;
    if (!other) _subtract(e, changed, removed);
    else {
      const s = _schemaOf(other.updated, other.old, e.entry.apiVersion ?? apiVersion);
      const d = _diff(_fields(other.old, s), _fields(other.updated, s));
      _subtract(e, d.changed, d.removed);
    }
  }
  for (const p of removed) me.set.delete(p);
  for (const p of changed) me.set.add(p);
  me.entry.apiVersion = apiVersion;
  me.entry.time = now;
  me.dirty = true;
  return _serialize(entries);
}

const _CR_SCHEMA: StrategicMergeSchema = {
  "metadata.finalizers": "set",
  "metadata.ownerReferences": "uid",
};

function _schemaOf(
  obj: JsonObject,
  other: JsonObject | undefined,
  apiVersion: string,
): StrategicMergeSchema {
  const av = typeof obj.apiVersion === "string"
    ? obj.apiVersion
    : typeof other?.apiVersion === "string"
    ? other.apiVersion
    : apiVersion;
  const kind = typeof obj.kind === "string" ? obj.kind : other?.kind;
  if (typeof kind !== "string") return _CR_SCHEMA;
  // x-kubernetes-list-type / list-map-keys / map-type of the OpenAPI documents
  return mergeSchema(av, kind, "apply") ?? _CR_SCHEMA;
}

function _withoutManagedFields(obj: JsonObject): JsonObject {
  const out = _clone(obj);
  if (_isObject(out.metadata)) delete out.metadata.managedFields;
  return out;
}

function _setManagedFields(obj: JsonObject, entries: ManagedFieldsEntry[]): void {
  if (!_isObject(obj.metadata)) obj.metadata = {};
  const meta = obj.metadata as JsonObject;
  if (entries.length > 0) meta.managedFields = entries;
  else delete meta.managedFields;
}

function _parseEntries(obj: JsonObject | undefined): _Entry[] {
  const meta = obj && _isObject(obj.metadata) ? obj.metadata : {};
  const list = Array.isArray(meta.managedFields) ? meta.managedFields : [];
  const out: _Entry[] = [];
  for (const raw of list) {
    if (!_isObject(raw) || typeof raw.manager !== "string") continue;
    const entry = _clone(raw) as unknown as ManagedFieldsEntry;
    const set = _decodeFieldsV1(entry.fieldsV1);
    const same = out.find((e) => _sameId(e.entry, entry));
    if (same) {
      for (const p of set) same.set.add(p);
      same.dirty = true;
    } else {
      out.push({ entry, set, dirty: false });
    }
  }
  return out;
}

// managedfields.go BuildManagerIdentifier: an Update manager is also keyed by its apiVersion
// (an Apply manager is not, so it keeps one entry whatever version it applies at).
function _sameId(a: ManagedFieldsEntry, b: ManagedFieldsEntry): boolean {
  return a.manager === b.manager && a.operation === b.operation &&
    (a.subresource ?? "") === (b.subresource ?? "") &&
    (a.operation !== "Update" || a.apiVersion === b.apiVersion);
}

function _findOrAdd(
  entries: _Entry[],
  manager: string,
  operation: "Apply" | "Update",
  subresource: string | undefined,
  apiVersion: string,
): _Entry {
  const id: ManagedFieldsEntry = { manager, operation, apiVersion };
  if (subresource) id.subresource = subresource;
  const found = entries.find((e) => _sameId(e.entry, id));
  if (found) return found;
  const created: _Entry = { entry: { ...id, fieldsType: "FieldsV1" }, set: new Set(), dirty: true };
  entries.push(created);
  return created;
}

function _subtract(e: _Entry, changed: Set<string>, removed: Set<string>): void {
  for (const p of [...e.set]) {
    if (changed.has(p) || removed.has(p)) {
      e.set.delete(p);
      e.dirty = true;
    }
  }
}

function _sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((p) => b.has(p));
}

/**
 * Entries in kube's order (Apply before Update, then by time, manager, subresource), empty
 * ones dropped; changed entries get a freshly encoded fieldsV1.
 */
function _serialize(entries: _Entry[]): ManagedFieldsEntry[] {
  const seconds = (e: _Entry) => {
    const t = e.entry.time ? Date.parse(e.entry.time) : NaN;
    return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
  };
  const order = (a: _Entry, b: _Entry) => {
    const x = a.entry, y = b.entry;
    if (x.operation !== y.operation) return x.operation < y.operation ? -1 : 1;
    if (seconds(a) !== seconds(b)) return seconds(a) - seconds(b);
    if (x.manager !== y.manager) return x.manager < y.manager ? -1 : 1;
    if (x.apiVersion !== y.apiVersion) return x.apiVersion < y.apiVersion ? -1 : 1;
    const xs = x.subresource ?? "", ys = y.subresource ?? "";
    return xs === ys ? 0 : xs < ys ? -1 : 1;
  };
  return entries.filter((e) => e.set.size > 0).sort(order).map((e) => {
    if (!e.dirty) return e.entry;
    const { manager, operation, apiVersion, time, subresource } = e.entry;
    const out: ManagedFieldsEntry = { manager, operation, apiVersion };
    if (time !== undefined) out.time = time;
    out.fieldsType = "FieldsV1";
    out.fieldsV1 = _encodeFieldsV1(e.set);
    if (subresource) out.subresource = subresource;
    return out;
  });
}

function _conflict(owner: ManagedFieldsEntry, path: string): ApplyConflict {
  let message = `conflict with ${JSON.stringify(owner.manager)}`;
  if (owner.subresource) message += ` with subresource ${JSON.stringify(owner.subresource)}`;
  if (owner.operation === "Update") message += ` using ${owner.apiVersion}`;
  const out: ApplyConflict = {
    manager: owner.manager,
    field: _printPath(path),
    operation: owner.operation,
    apiVersion: owner.apiVersion,
    message,
  };
  if (owner.subresource) out.subresource = owner.subresource;
  return out;
}

/** A key field of a keyed-list item (`k:{"name":"c"}` then `f:name`): it goes with its item. */
function _isItemKey(path: string): boolean {
  const segs = path.split(_SEP);
  if (segs.length < 2) return false;
  const parent = segs[segs.length - 2];
  const last = segs[segs.length - 1];
  if (!parent.startsWith("k:") || !last.startsWith("f:")) return false;
  try {
    return Object.hasOwn(JSON.parse(parent.slice(2)), last.slice(2));
  } catch {
    return false;
  }
}

/**
 * Merges an apply configuration into the live value: maps merge, keyed lists merge item by
 * item (new items appended), set lists add missing values, everything else is replaced. A
 * `null` for a map or a keyed/set list keeps the live content (structured-merge-diff does so).
 */
function _merge(live: unknown, config: unknown, schemaPath: string, schema: StrategicMergeSchema) {
  const strategy = _strategy(schema, schemaPath);
  if (config === null && _isObject(live) && strategy !== _ATOMIC) return _clone(live);
  if (config === null && Array.isArray(live) && _listItems(live, strategy)) return _clone(live);
  if (_isObject(config) && strategy !== _ATOMIC) {
    const out: JsonObject = _isObject(live) ? _clone(live) : {};
    for (const [k, v] of Object.entries(config)) {
      const child = schemaPath === "" ? k : `${schemaPath}.${k}`;
      _setOwn(out, k, _merge(Object.hasOwn(out, k) ? out[k] : undefined, v, child, schema));
    }
    return out;
  }
  if (Array.isArray(config)) {
    const segs = _listItems(config, strategy);
    const liveList = Array.isArray(live) ? live : undefined;
    const liveSegs = liveList ? _listItems(liveList, strategy) : [];
    if (!segs || !liveSegs) return _clone(config);
    const out = liveList ? _clone(liveList) : [];
    config.forEach((item, i) => {
      const at = liveSegs.indexOf(segs[i]);
      if (strategy === "set") {
        if (at < 0) out.push(_clone(item));
      } else if (at < 0) {
        out.push(_merge(undefined, item, `${schemaPath}[]`, schema));
      } else {
        out[at] = _merge(out[at], item, `${schemaPath}[]`, schema);
      }
    });
    return out;
  }
  return _clone(config);
}
