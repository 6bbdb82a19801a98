// Validation of object metadata (rules 2.6, 10.1) and of the built-in kinds whose rules
// clients depend on (ConfigMap/Secret keys, Lease durations 11.1, Events 11.2, 11.3). Messages
// follow kube-apiserver v1.36's wording.
import type { StatusCause } from "../../client/types.ts";
import type { ResourceInfo } from "./registry.ts";
import { cause } from "./status.ts";
import { isObj, nameProblem, type Obj } from "./util.ts";

/** Go's `%#v` of a []string, as kube prints it in messages. */
export function goStrings(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(", ")}}`;
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) {
    return "a qualified name must consist of a name part and an optional prefix separated by '/'";
  }
  const name = parts[parts.length - 1];
  if (name.length === 0 || name.length > 63) {
    return "name part must be non-empty and no more than 63 characters";
  }
  if (!NAME_PART.test(name)) return NAME_PART_MSG;
  if (parts.length === 2 && nameProblem(parts[0], "subdomain")) {
    return "prefix part must be a lowercase RFC 1123 subdomain";
  }
  return undefined;
}

function validateMap(field: string, v: unknown, causes: StatusCause[], values: boolean): void {
  if (v === undefined || v === null) return;
  if (!isObj(v) || Object.values(v).some((x) => typeof x !== "string")) {
    causes.push(cause("FieldValueInvalid", field, "Invalid value: must be a map of strings"));
    return;
  }
  for (const [k, val] of Object.entries(v)) {
    const kp = qualifiedNameProblem(k);
    if (kp) {
      causes.push(cause("FieldValueInvalid", field, `Invalid value: ${JSON.stringify(k)}: ${kp}`));
    }
    if (values && (String(val).length > 63 || !LABEL_VALUE.test(String(val)))) {
      causes.push(
        cause(
          "FieldValueInvalid",
          field,
          `Invalid value: ${JSON.stringify(val)}: ${LABEL_VALUE_MSG}`,
        ),
      );
    }
  }
}

/** Causes for invalid metadata: name, labels, annotations, ownerReferences, finalizers. */
export function validateMeta(info: ResourceInfo, m: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = String(m.name);
  const problem = info.nameRule === "label" && name.includes(".")
    ? "must not contain dots"
    : nameProblem(name, info.nameRule);
  if (problem) {
    causes.push(
      cause(
        "FieldValueInvalid",
        "metadata.name",
        `Invalid value: ${JSON.stringify(name)}: ${problem}`,
      ),
    );
  }
  validateMap("metadata.labels", m.labels, causes, true);
  validateMap("metadata.annotations", m.annotations, causes, false);
  const refs = m.ownerReferences;
  if (refs !== undefined && refs !== null) {
    if (!Array.isArray(refs)) {
      causes.push(
        cause("FieldValueInvalid", "metadata.ownerReferences", "Invalid value: must be a list"),
      );
    } else {
      const controllers: string[] = [];
      for (const r of refs) {
        const ref = isObj(r) ? r : {};
        const checks: Array<[string, string]> = [["apiVersion", "version must not be empty"], [
          "kind",
          "must not be empty",
        ], [
          "name",
          "must not be empty",
        ], ["uid", "must not be empty"]];
        for (const [f, why] of checks) {
          if (
            typeof ref[f] !== "string" || ref[f] === "" ||
            (f === "apiVersion" && String(ref[f]).endsWith("/"))
          ) {
            causes.push(
              cause(
                "FieldValueInvalid",
                `metadata.ownerReferences.${f}`,
                `Invalid value: ${JSON.stringify(ref[f] ?? "")}: ${why}`,
              ),
            );
          }
        }
        if (ref.controller === true) controllers.push(`${String(ref.kind)}/${String(ref.name)}`);
      }
      if (controllers.length > 1) {
        causes.push(
          cause(
            "FieldValueInvalid",
            "metadata.ownerReferences",
            `Invalid value: ${
              JSON.stringify(refs)
            }: Only one reference can have Controller set to true. Found "true" in references for ${
              controllers.join(" and ")
            }`,
          ),
        );
      }
    }
  }
  const fins = m.finalizers;
  if (
    fins !== undefined && fins !== null &&
    (!Array.isArray(fins) || fins.some((f) => typeof f !== "string" || f === ""))
  ) {
    causes.push(
      cause(
        "FieldValueInvalid",
        "metadata.finalizers",
        "Invalid value: must be a list of non-empty strings",
      ),
    );
  }
  return causes;
}

function validateKeys(field: string, v: unknown, causes: StatusCause[], seen: Set<string>): void {
  if (!isObj(v)) return;
  for (const k of Object.keys(v)) {
    if (!CONFIG_KEY.test(k) || k.length > 253) {
      causes.push(
        cause(
          "FieldValueInvalid",
          `${field}[${k}]`,
          `Invalid value: ${JSON.stringify(k)}: ${CONFIG_KEY_MSG}`,
        ),
      );
    } else if (seen.has(k)) {
      causes.push(
        cause(
          "FieldValueInvalid",
          `${field}[${k}]`,
          `Invalid value: ${JSON.stringify(k)}: duplicate of key present in data`,
        ),
      );
    }
    seen.add(k);
  }
}

function positive(obj: Obj, path: string, causes: StatusCause[], orZero: boolean): void {
  const v = (obj.spec as Obj | undefined)?.[path];
  if (typeof v !== "number") return;
  if (orZero ? v < 0 : v <= 0) {
    causes.push(
      cause(
        "FieldValueInvalid",
        `spec.${path}`,
        `Invalid value: ${v}: must be greater than ${orZero ? "or equal to " : ""}0`,
      ),
    );
  }
}

/** Causes for kind-specific rules. */
export function validateKind(info: ResourceInfo, obj: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  const ns = (obj.metadata as Obj).namespace;
  if (info.group === "" && (info.plural === "configmaps" || info.plural === "secrets")) {
    const seen = new Set<string>();
    validateKeys("data", obj.data, causes, seen);
    validateKeys(
      info.plural === "configmaps" ? "binaryData" : "stringData",
      info.plural === "configmaps" ? obj.binaryData : obj.stringData,
      causes,
      info.plural === "configmaps" ? seen : new Set(),
    );
  }
  if (info.group === "coordination.k8s.io" && info.kind === "Lease") {
    positive(obj, "leaseDurationSeconds", causes, false);
    positive(obj, "leaseTransitions", causes, true);
  }
  if (info.kind === "Event" && info.group === "") {
    const io = obj.involvedObject;
    if (isObj(io) && io.namespace !== undefined && io.namespace !== "" && io.namespace !== ns) {
      causes.push(
        cause(
          "FieldValueInvalid",
          "involvedObject.namespace",
          `Invalid value: ${JSON.stringify(io.namespace)}: does not match event.namespace`,
        ),
      );
    }
  }
  if (info.kind === "Event" && info.group === "events.k8s.io") {
    if (!obj.eventTime) causes.push(cause("FieldValueRequired", "eventTime", "Required value"));
    const reg = obj.regarding;
    if (isObj(reg) && reg.namespace !== undefined && reg.namespace !== "" && reg.namespace !== ns) {
      causes.push(
        cause(
          "FieldValueInvalid",
          "regarding.namespace",
          `Invalid value: ${JSON.stringify(reg.namespace)}: does not match event.namespace`,
        ),
      );
    }
  }
  return causes;
}

/** ConfigMaps and Secrets marked `immutable: true` keep their data and the flag. */
export function validateImmutable(info: ResourceInfo, obj: Obj, old: Obj): StatusCause[] {
  if (info.group !== "" || (info.plural !== "configmaps" && info.plural !== "secrets")) return [];
  if (old.immutable !== true) return [];
  const msg = "Forbidden: field is immutable when `immutable` is set";
  const causes: StatusCause[] = [];
  const fields = info.plural === "configmaps" ? ["data", "binaryData"] : ["data"];
  for (const f of fields) {
    if (JSON.stringify(obj[f] ?? {}) !== JSON.stringify(old[f] ?? {})) {
      causes.push(cause("FieldValueForbidden", f, msg));
    }
  }
  if (obj.immutable !== true) causes.push(cause("FieldValueForbidden", "immutable", msg));
  return causes;
}
