// The write path shared by POST, PUT, PATCH and apply: metadata the server owns (rules 1.x),
// validation (2.x, 10.1), status subresource rules (4.1), generation (1.4), managed fields (1.5),
// no-op detection (1.2), finalizer-driven deletion (3.4, 3.5), dry run (3.8).
import type { StatusCause } from "../../client/types.ts";
import { decodeBuiltin, fillBuiltinZeros, missingRequired, zeroStatus } from "./builtin_decode.ts";
import {
  builtinDefaults,
  builtinOnCreate,
  builtinOnUpdate,
  builtinRules,
} from "./builtin_rules.ts";
import { recordUpdate } from "../_patch/mod_internal.ts";
import type { ServerCtx } from "./context.ts";
import { applyCustomSchema, crdWritten, initialCrdStatus, prepareCrd } from "./crds.ts";
import { defaultsAfterRecord, defaultsBeforeRecord, isCore, omitEmpty } from "./kinds.ts";
import type { ResourceInfo } from "./registry.ts";
import {
  alreadyExists,
  badRequest,
  cause,
  conflict,
  failure,
  forbidden,
  invalid,
  notFound,
  qualified,
  staleConflict,
} from "./status.ts";
import type { Rec } from "./store.ts";
import { clone, deepEqual, generateName, isObj, type Obj, rfc3339 } from "./util.ts";
import { goStrings, validateImmutable, validateKind, validateMeta } from "./validation.ts";

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
  /**
   * Set when the request's version is not the stored one (autoscaling/v1): managedFields are
   * computed on the objects as seen at `apiVersion`, as kube's field manager does.
   */
  managedView?: { apiVersion: string; view: (o: Obj, apiVersion?: string) => Obj };
}

/** What a write produced. */
export interface WriteResult {
  obj: Obj;
  code: number;
  warnings: string[];
}

const NS_KEY = "/namespaces";
const CRD_KEY = "apiextensions.k8s.io/customresourcedefinitions";
const SERVER_SET = [
  "uid",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "generation",
];

function checkBody(info: ResourceInfo, body: unknown): Obj {
  if (!isObj(body)) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${info.kind}): expected a JSON object`,
    );
  }
  const obj = clone(body);
  // custom resources decode as unstructured, which needs `kind`
  // (apimachinery/pkg/apis/meta/v1/unstructured/helpers.go UnstructuredJSONScheme)
  if (info.crd && (obj.kind === undefined || obj.kind === "")) {
    throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
  }
  const group = String(obj.apiVersion ?? "").includes("/")
    ? String(obj.apiVersion).split("/")[0]
    : "";
  if (
    (obj.kind !== undefined && obj.kind !== info.kind) ||
    (obj.apiVersion !== undefined && group !== info.group)
  ) {
    const version = String(obj.apiVersion ?? "").split("/").pop();
    const internal = `${info.group.split(".")[0] || "core"}.${info.kind}`;
    const from = `${version}.${String(obj.kind)}`;
    throw badRequest(
      `${String(obj.kind)} in version ${
        JSON.stringify(version)
      } cannot be handled as a ${info.kind}: converting (${from}) to (${internal}): unknown conversion`,
    );
  }
  if (obj.metadata !== undefined && obj.metadata !== null && !isObj(obj.metadata)) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${info.kind}): metadata must be an object`,
    );
  }
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj;
  return {
    apiVersion: info.crd ? `${info.group}/${info.crd.storageVersion}` : info.apiVersion,
    kind: info.kind,
    metadata: { ...(metadata as Obj | undefined) },
    ...rest,
  };
}

function checkNamespace(ctx: ServerCtx, info: ResourceInfo, namespace: string, name: string): void {
  const ns = ctx.store.get(NS_KEY, namespace);
  if (!ns) throw notFound({ group: "", plural: "namespaces", kind: "Namespace" }, namespace);
  if ((ns.obj.metadata as Obj).deletionTimestamp) {
    const why =
      `unable to create new content in namespace ${namespace} because it is being terminated`;
    throw forbidden(`${qualified(info)} "${name}" is forbidden: ${why}`, {
      name,
      group: info.group,
      kind: info.plural,
      causes: [{
        reason: "NamespaceTerminating",
        message: `namespace ${namespace} is being terminated`,
        field: "metadata.namespace",
      }],
    });
  }
}

function checkCrdActive(ctx: ServerCtx, info: ResourceInfo): void {
  const crd = info.crd && ctx.store.get(CRD_KEY, info.crd.name);
  if (crd && (crd.obj.metadata as Obj).deletionTimestamp) {
    throw failure(
      405,
      "MethodNotAllowed",
      "create not allowed while custom resource definition is terminating",
    );
  }
}

function record(
  ctx: ServerCtx,
  info: ResourceInfo,
  old: Obj | undefined,
  obj: Obj,
  opts: WriteOptions,
): void {
  const m = obj.metadata as Obj;
  if (!opts.managedFieldsDone) {
    const mv = opts.managedView;
    m.managedFields = recordUpdate({
      old: old && mv ? mv.view(old) : old,
      updated: mv ? mv.view(obj) : obj,
      manager: opts.manager,
      apiVersion: mv?.apiVersion ?? info.apiVersion,
      ...(mv && old
        ? { atVersion: (v: string) => ({ old: mv.view(old, v), updated: mv.view(obj, v) }) }
        : {}),
      now: rfc3339(ctx.clock.now()),
      subresource: opts.subresource,
    });
  }
  if (Array.isArray(m.managedFields) && m.managedFields.length === 0) delete m.managedFields;
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

function persist(ctx: ServerCtx, info: ResourceInfo, key: string, obj: Obj): Rec {
  const rec = ctx.store.put(info.storeKey, key, obj);
  if (info.storeKey === CRD_KEY) crdWritten(ctx, rec);
  return rec;
}

/** POST (rules 1.1, 2.2, 2.4-2.7). */
export function createObject(
  ctx: ServerCtx,
  info: ResourceInfo,
  target: { namespace?: string; body: unknown },
  opts: WriteOptions,
): WriteResult {
  const warnings: string[] = [];
  let obj = decodeBuiltin(info, checkBody(info, target.body), opts.fieldValidation, warnings);
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
    throw failure(500, undefined, "resourceVersion should not be set on objects to be created");
  }
  if (!m.name) {
    if (typeof m.generateName === "string" && m.generateName) m.name = generateName(m.generateName);
    else {
      throw invalid(info, "", [
        cause(
          "FieldValueRequired",
          "metadata.name",
          "Required value: name or generateName is required",
        ),
      ]);
    }
  }
  for (const f of SERVER_SET) delete m[f];
  m.uid = crypto.randomUUID();
  m.creationTimestamp = rfc3339(ctx.clock.now());
  if (info.generation) m.generation = 1;
  if (info.status) delete obj.status;
  if (info.crd) obj = applyCustomSchema(info, obj, opts.fieldValidation, warnings);
  omitEmpty(info, obj);
  defaultsBeforeRecord(info, obj);
  builtinDefaults(info, obj, String(m.uid));
  const known = [...validateMeta(info, obj.metadata as Obj), ...validateKind(info, obj)];
  const causes = [...known, ...builtinValidation(info, obj, known)];
  if (causes.length) throw invalid(validationNames(info), String(m.name), causes);
  if (info.storeKey === CRD_KEY) obj = prepareCrd(ctx, obj);
  if (info.namespaced) checkNamespace(ctx, info, m.namespace as string, String(m.name));
  checkCrdActive(ctx, info);
  const key = info.namespaced ? `${m.namespace}/${m.name}` : String(m.name);
  if (ctx.store.get(info.storeKey, key)) throw alreadyExists(info, String(m.name));
  record(ctx, info, undefined, obj, opts);
  fillBuiltinZeros(info, obj);
  builtinOnCreate(info, obj, String(m.uid), { status: zeroStatus(info), controllers: ctx.gc });
  defaultsAfterRecord(info, obj);
  if (info.storeKey === CRD_KEY) obj.status = initialCrdStatus(obj, undefined);
  if (opts.dryRun) return { obj, code: 201, warnings };
  return { obj: persist(ctx, info, key, obj).obj, code: 201, warnings };
}

/** Required fields (OpenAPI `required`) and the cross-field rules of built-in kinds. */
function builtinValidation(info: ResourceInfo, obj: Obj, before: StatusCause[]): StatusCause[] {
  const specific = builtinRules(info, obj);
  // a kind's own rule for a field replaces the generic "Required value"
  const generic = missingRequired(info, obj).filter((c) =>
    ![...before, ...specific].some((s) => s.field === c.field)
  );
  return [...generic, ...specific];
}

/** events.k8s.io Events are validated as core Events: kube names them without the group. */
function validationNames(info: ResourceInfo): ResourceInfo {
  return info.group === "events.k8s.io" ? { ...info, group: "" } : info;
}

function checkPreconditions(
  info: ResourceInfo,
  name: string,
  m: Obj,
  oldMeta: Obj,
  opts: WriteOptions,
): void {
  const rv = m.resourceVersion;
  if (rv !== undefined && rv !== "" && rv !== oldMeta.resourceVersion) {
    throw staleConflict(info, name);
  }
  if ((rv === undefined || rv === "") && !info.unconditionalUpdate && !opts.fromPatch) {
    const message = "Invalid value: 0: must be specified for an update";
    throw failure(
      422,
      "Invalid",
      `${qualified(info)} "${name}" is invalid: metadata.resourceVersion: ${message}`,
      {
        name,
        group: info.group,
        kind: info.plural,
        causes: [cause("FieldValueInvalid", "metadata.resourceVersion", message)],
      },
    );
  }
  if (m.uid !== undefined && m.uid !== "" && m.uid !== oldMeta.uid) {
    throw conflict(
      info,
      name,
      `Precondition failed: UID in precondition: ${String(m.uid)}, UID in object meta: ${
        String(oldMeta.uid)
      }`,
    );
  }
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
  const warnings: string[] = [];
  let obj = decodeBuiltin(info, checkBody(info, target.body), opts.fieldValidation, warnings);
  let m = obj.metadata as Obj;
  if (m.name !== undefined && m.name !== target.name) {
    throw badRequest(
      `the name of the object (${
        String(m.name)
      }) does not match the name on the URL (${target.name})`,
    );
  }
  if (info.namespaced && m.namespace && m.namespace !== target.namespace) {
    throw badRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  }
  checkPreconditions(info, target.name, m, oldMeta, opts);
  if (opts.subresource === "status") {
    obj = { ...oldObj, status: obj.status };
    if (obj.status === undefined) delete obj.status;
    m = obj.metadata = { ...oldMeta };
  } else if (opts.subresource === "finalize") {
    const spec = isObj(obj.spec) ? obj.spec : {};
    obj = {
      ...oldObj,
      spec: { ...(oldObj.spec as Obj | undefined), finalizers: spec.finalizers ?? [] },
    };
    m = obj.metadata = { ...oldMeta };
  } else {
    m.name = target.name;
    if (info.namespaced) m.namespace = target.namespace;
    for (const f of SERVER_SET) {
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
    if (isCore(info, "namespaces")) obj.spec = oldObj.spec;
  }
  m.resourceVersion = oldMeta.resourceVersion;
  if (info.crd) obj = applyCustomSchema(info, obj, opts.fieldValidation, warnings);
  omitEmpty(info, obj);
  defaultsBeforeRecord(info, obj);
  builtinDefaults(info, obj, String(oldMeta.uid ?? ""));
  if (isCore(info, "events")) {
    for (const f of ["eventTime", "reportingComponent", "reportingInstance"]) {
      if (!(f in obj)) obj[f] = oldObj[f];
    }
  }
  m = obj.metadata as Obj;
  const known = [
    ...validateMeta(info, m),
    ...validateKind(info, obj),
    ...validateImmutable(info, obj, oldObj),
  ];
  const causes = [...known, ...builtinValidation(info, obj, known)];
  if (oldMeta.deletionTimestamp) {
    const before = new Set((oldMeta.finalizers as string[] | undefined) ?? []);
    const added = ((m.finalizers as string[] | undefined) ?? []).filter((f) => !before.has(f));
    if (added.length) {
      // kube reports this twice (object meta and finalizer validation)
      const c = cause(
        "FieldValueForbidden",
        "metadata.finalizers",
        `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${
          goStrings(added)
        }`,
      );
      causes.push(c, { ...c });
    }
  }
  if (causes.length) throw invalid(validationNames(info), target.name, causes);
  if (info.storeKey === CRD_KEY) {
    obj = prepareCrd(ctx, obj);
    obj.status = initialCrdStatus(obj, oldObj);
  }
  record(ctx, info, oldObj, obj, opts);
  fillBuiltinZeros(info, obj);
  builtinOnUpdate(info, obj, String(oldMeta.uid ?? ""));
  if (deepEqual(withoutVolatile(obj), withoutVolatile(oldObj))) {
    return { obj: oldObj, code: 200, warnings };
  }
  if (info.generation && specChanged(info, oldObj, obj)) {
    m.generation = ((oldMeta.generation as number | undefined) ?? 0) + 1;
  }
  const fins = (m.finalizers as string[] | undefined) ?? [];
  const specFins = isCore(info, "namespaces")
    ? ((obj.spec as Obj | undefined)?.finalizers as string[] | undefined) ?? []
    : [];
  if (oldMeta.deletionTimestamp && fins.length === 0 && specFins.length === 0) {
    if (!opts.dryRun) ctx.store.remove(info.storeKey, key);
    return { obj, code: 200, warnings };
  }
  if (opts.dryRun) return { obj, code: 200, warnings };
  return { obj: persist(ctx, info, key, obj).obj, code: 200, warnings };
}
