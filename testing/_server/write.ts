// The write path shared by POST, PUT, PATCH and apply: metadata the server owns (rules 1.x),
// validation (2.x, 10.1), status subresource rules (4.1), generation (1.4), managed fields (1.5),
// no-op detection (1.2), finalizer-driven deletion (3.4, 3.5), dry run (3.8).
import { recordUpdate } from "../_patch/mod_internal.ts";
import type { ServerCtx } from "./context.ts";
import { applyCustomSchema, crdWritten, prepareCrd } from "./crds.ts";
import type { ResourceInfo } from "./registry.ts";
import {
  badRequest,
  cause,
  conflict,
  failure,
  forbidden,
  invalid,
  notFound,
  staleConflict,
} from "./status.ts";
import type { Rec } from "./store.ts";
import { validateKind, validateMeta } from "./validation.ts";
import { clone, deepEqual, generateName, isObj, type Obj, rfc3339 } from "./util.ts";

/** Options of one write. */
export interface WriteOptions {
  manager: string;
  dryRun: boolean;
  subresource?: string;
  /** `fieldValidation`: Strict, Warn (default) or Ignore. */
  fieldValidation?: string | null;
  /** True when server-side apply already computed managedFields. */
  managedFieldsDone?: boolean;
  /** A patch result: no resourceVersion is fine even for custom resources. */
  fromPatch?: boolean;
}

/** What a write produced. */
export interface WriteResult {
  obj: Obj;
  code: number;
  warnings: string[];
}

const NS_KEY = "/namespaces";

function checkBody(info: ResourceInfo, body: unknown): Obj {
  if (!isObj(body)) {
    throw badRequest(
      `expected a JSON object for ${info.kind}, found ${JSON.stringify(body)?.slice(0, 40)}`,
    );
  }
  const obj = clone(body);
  if (obj.kind !== undefined && obj.kind !== info.kind) {
    throw badRequest(
      `the kind in the body (${String(obj.kind)}) does not match the resource (${info.kind})`,
    );
  }
  if (
    obj.apiVersion !== undefined &&
    String(obj.apiVersion).split("/")[0] !== info.apiVersion.split("/")[0]
  ) {
    throw badRequest(
      `the apiVersion in the body (${
        String(obj.apiVersion)
      }) does not match the resource (${info.apiVersion})`,
    );
  }
  if (obj.metadata !== undefined && !isObj(obj.metadata)) {
    throw badRequest("metadata must be an object");
  }
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj;
  return {
    apiVersion: info.crd ? `${info.group}/${info.crd.storageVersion}` : info.apiVersion,
    kind: info.kind,
    metadata: { ...(metadata as Obj | undefined) },
    ...rest,
  };
}

function checkNamespace(ctx: ServerCtx, namespace: string): void {
  const ns = ctx.store.get(NS_KEY, namespace);
  if (!ns) throw notFound({ group: "", plural: "namespaces", kind: "Namespace" }, namespace);
  if ((ns.obj.metadata as Obj).deletionTimestamp) {
    throw forbidden(
      `unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        name: namespace,
        kind: "namespaces",
        causes: [{
          reason: "NamespaceTerminating",
          message: `namespace ${namespace} is being terminated`,
          field: "metadata.namespace",
        }],
      },
    );
  }
}

function now(ctx: ServerCtx): string {
  return rfc3339(ctx.clock.now());
}

function record(
  ctx: ServerCtx,
  info: ResourceInfo,
  old: Obj | undefined,
  obj: Obj,
  opts: WriteOptions,
): void {
  if (opts.managedFieldsDone) return;
  (obj.metadata as Obj).managedFields = recordUpdate({
    old,
    updated: obj,
    manager: opts.manager,
    apiVersion: info.apiVersion,
    now: now(ctx),
    subresource: opts.subresource,
  });
}

function withoutVolatile(obj: Obj): Obj {
  const m = { ...(obj.metadata as Obj) };
  delete m.resourceVersion;
  delete m.managedFields;
  return { ...obj, metadata: m };
}

function specChanged(info: ResourceInfo, a: Obj, b: Obj): boolean {
  const strip = (o: Obj) => {
    const c: Obj = { ...o };
    delete c.metadata;
    if (info.status) delete c.status;
    return c;
  };
  return !deepEqual(strip(a), strip(b));
}

/** POST (rules 1.1, 2.2, 2.4-2.7). */
export function createObject(
  ctx: ServerCtx,
  info: ResourceInfo,
  target: { namespace?: string; body: unknown },
  opts: WriteOptions,
): WriteResult {
  const obj = checkBody(info, target.body);
  const m = obj.metadata as Obj;
  if (info.namespaced) {
    if (m.namespace && target.namespace && m.namespace !== target.namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    m.namespace = target.namespace ?? m.namespace;
    if (!m.namespace) throw badRequest("a namespace is required to create a namespaced object");
  } else delete m.namespace;
  if (m.resourceVersion) {
    throw failure(
      500,
      "InternalError",
      "Internal error occurred: resourceVersion should not be set on objects to be created",
    );
  }
  if (!m.name) {
    if (typeof m.generateName === "string" && m.generateName) m.name = generateName(m.generateName);
    else {throw invalid(info, "", [
        cause(
          "FieldValueRequired",
          "metadata.name",
          "Required value: name or generateName is required",
        ),
      ]);}
  }
  for (
    const f of [
      "uid",
      "creationTimestamp",
      "deletionTimestamp",
      "deletionGracePeriodSeconds",
      "generation",
    ]
  ) delete m[f];
  m.uid = crypto.randomUUID();
  m.creationTimestamp = now(ctx);
  if (info.generation) m.generation = 1;
  if (info.status) {
    if (info.plural === "namespaces" && info.group === "") obj.status = { phase: "Active" };
    else delete obj.status;
  }
  if (info.plural === "namespaces" && info.group === "") obj.spec = { finalizers: ["kubernetes"] };
  const warnings: string[] = [];
  let out = obj;
  if (info.crd) out = applyCustomSchema(info, obj, opts.fieldValidation, warnings);
  const causes = [...validateMeta(info, out.metadata as Obj), ...validateKind(info, out)];
  if (causes.length) throw invalid(info, String(m.name), causes);
  if (info.namespaced) checkNamespace(ctx, m.namespace as string);
  const key = info.namespaced ? `${m.namespace}/${m.name}` : String(m.name);
  if (ctx.store.get(info.storeKey, key)) {
    throw failure(
      409,
      "AlreadyExists",
      `${info.group ? `${info.plural}.${info.group}` : info.plural} "${m.name}" already exists`,
      {
        name: String(m.name),
        group: info.group,
        kind: info.plural,
      },
    );
  }
  if (info.plural === "customresourcedefinitions") out = prepareCrd(ctx, out, undefined);
  record(ctx, info, undefined, out, opts);
  if (opts.dryRun) return { obj: out, code: 201, warnings };
  const rec = ctx.store.put(info.storeKey, key, out);
  if (info.plural === "customresourcedefinitions") crdWritten(ctx, rec);
  return { obj: rec.obj, code: 201, warnings };
}

/** PUT, and the second half of PATCH (rules 1.3, 2.5, 2.8, 2.9, 3.4, 3.5, 4.1). */
export function updateObject(
  ctx: ServerCtx,
  info: ResourceInfo,
  target: { namespace?: string; name: string; body: unknown; old?: Rec },
  opts: WriteOptions,
): WriteResult {
  const key = info.namespaced ? `${target.namespace}/${target.name}` : target.name;
  const old = target.old ?? ctx.store.get(info.storeKey, key);
  if (!old) throw notFound(info, target.name);
  const oldObj = old.obj;
  const oldMeta = oldObj.metadata as Obj;
  let obj = checkBody(info, target.body);
  let m = obj.metadata as Obj;
  if (m.name !== undefined && m.name !== target.name) {
    throw badRequest(
      `the name of the object (${
        String(m.name)
      }) does not match the name on the URL (${target.name})`,
    );
  }
  if (info.namespaced) {
    if (m.namespace && m.namespace !== target.namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
  }
  const rv = m.resourceVersion;
  if (rv !== undefined && rv !== "" && rv !== oldMeta.resourceVersion) {
    throw staleConflict(info, target.name);
  }
  if ((rv === undefined || rv === "") && !info.unconditionalUpdate && !opts.fromPatch) {
    throw invalid(info, target.name, [
      cause(
        "FieldValueInvalid",
        "metadata.resourceVersion",
        "Invalid value: 0x0: must be specified for an update",
      ),
    ]);
  }
  if (m.uid !== undefined && m.uid !== "" && m.uid !== oldMeta.uid) {
    throw conflict(
      info,
      target.name,
      `Precondition failed: UID in precondition: ${String(m.uid)}, UID in object meta: ${
        String(oldMeta.uid)
      }`,
    );
  }
  if (opts.subresource === "status") {
    obj = { ...oldObj, status: obj.status };
    if (obj.status === undefined) delete obj.status;
    m = obj.metadata = { ...oldMeta };
  } else {
    m.name = target.name;
    if (info.namespaced) m.namespace = target.namespace;
    for (
      const f of [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
      ]
    ) {
      if (oldMeta[f] === undefined) delete m[f];
      else m[f] = oldMeta[f];
    }
    if (m.managedFields === undefined && oldMeta.managedFields !== undefined) {
      m.managedFields = oldMeta.managedFields;
    }
    if (info.status) {
      if (oldObj.status === undefined) delete obj.status;
      else obj.status = oldObj.status;
    }
    if (info.plural === "namespaces" && info.group === "") obj.spec = oldObj.spec;
  }
  if (opts.subresource === "finalize") {
    const spec = isObj(target.body) && isObj(target.body.spec) ? target.body.spec : {};
    obj = {
      ...oldObj,
      spec: { ...(oldObj.spec as Obj | undefined), finalizers: spec.finalizers ?? [] },
    };
    m = obj.metadata = { ...oldMeta };
  }
  m.resourceVersion = oldMeta.resourceVersion;
  const warnings: string[] = [];
  if (info.crd) obj = applyCustomSchema(info, obj, opts.fieldValidation, warnings);
  m = obj.metadata as Obj;
  const causes = [...validateMeta(info, m), ...validateKind(info, obj)];
  if (oldMeta.deletionTimestamp) {
    const before = new Set((oldMeta.finalizers as string[] | undefined) ?? []);
    const added = ((m.finalizers as string[] | undefined) ?? []).filter((f) => !before.has(f));
    if (added.length) {
      causes.push(
        cause(
          "FieldValueForbidden",
          "metadata.finalizers",
          `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${
            JSON.stringify(added)
          }`,
        ),
      );
    }
  }
  if (causes.length) throw invalid(info, target.name, causes);
  if (info.plural === "customresourcedefinitions") obj = prepareCrd(ctx, obj, oldObj);
  record(ctx, info, oldObj, obj, opts);
  if (deepEqual(withoutVolatile(obj), withoutVolatile(oldObj))) {
    return { obj: oldObj, code: 200, warnings };
  }
  m = obj.metadata as Obj;
  if (info.generation && specChanged(info, oldObj, obj)) {
    m.generation = ((oldMeta.generation as number | undefined) ?? 0) + 1;
  }
  const fins = (m.finalizers as string[] | undefined) ?? [];
  const specFins = info.plural === "namespaces" && info.group === ""
    ? ((obj.spec as Obj | undefined)?.finalizers as string[] | undefined) ?? []
    : [];
  if (oldMeta.deletionTimestamp && fins.length === 0 && specFins.length === 0) {
    if (!opts.dryRun) ctx.store.remove(info.storeKey, key);
    return { obj, code: 200, warnings };
  }
  if (opts.dryRun) return { obj, code: 200, warnings };
  const rec = ctx.store.put(info.storeKey, key, obj);
  if (info.plural === "customresourcedefinitions") crdWritten(ctx, rec);
  return { obj: rec.obj, code: 200, warnings };
}
