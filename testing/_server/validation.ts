// Validation of object metadata (rules 2.6, 10.1) and of the few built-in kinds whose rules
// clients depend on (11.2, 11.3).
import type { StatusCause } from "../../client/types.ts";
import type { ResourceInfo } from "./registry.ts";
import { cause } from "./status.ts";
import { isObj, nameProblem, type Obj } from "./util.ts";

/** Causes for invalid metadata: name, labels, annotations, ownerReferences, finalizers. */
export function validateMeta(info: ResourceInfo, m: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = m.name as string;
  const problem = nameProblem(name, info.nameRule);
  if (problem) {
    causes.push(
      cause("FieldValueInvalid", "metadata.name", `Invalid value: "${name}": ${problem}`),
    );
  }
  for (const field of ["labels", "annotations"]) {
    const v = m[field];
    if (v === undefined || v === null) continue;
    if (!isObj(v) || Object.values(v).some((x) => typeof x !== "string")) {
      causes.push(
        cause("FieldValueInvalid", `metadata.${field}`, "Invalid value: must be a map of strings"),
      );
    }
  }
  const refs = m.ownerReferences;
  if (refs !== undefined && refs !== null) {
    if (!Array.isArray(refs)) {
      causes.push(
        cause("FieldValueInvalid", "metadata.ownerReferences", "Invalid value: must be a list"),
      );
    } else {
      let controllers = 0;
      refs.forEach((r, i) => {
        for (const f of ["apiVersion", "kind", "name", "uid"]) {
          if (!isObj(r) || typeof r[f] !== "string" || r[f] === "") {
            causes.push(
              cause("FieldValueRequired", `metadata.ownerReferences[${i}].${f}`, "Required value"),
            );
          }
        }
        if (isObj(r) && r.controller === true) controllers++;
      });
      if (controllers > 1) {
        causes.push(
          cause(
            "FieldValueInvalid",
            "metadata.ownerReferences",
            "Invalid value: Only one reference can have Controller set to true",
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

/** Causes for kind-specific rules: Event namespaces (11.2), events.k8s.io eventTime (11.3). */
export function validateKind(info: ResourceInfo, obj: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  const ns = (obj.metadata as Obj).namespace;
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
