// Defaulting and the cross-field validation rules of built-in kinds that operators meet most,
// each citing where kube-apiserver v1.36 does it (paths in k8s.io/kubernetes). Schema-level
// checks (types, int32/int64 ranges, quantities, unknown fields, required fields) are in
// builtin_decode.ts.
import type { StatusCause } from "../../client/types.ts";
import type { ResourceInfo } from "./registry.ts";
import { cause } from "./status.ts";
import { isObj, type Obj } from "./util.ts";

type Defaulter = (obj: Obj, uid: string) => void;

function obj(parent: Obj, key: string): Obj {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key] as Obj;
}

function setIfAbsent(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === "") o[key] = value;
}

// pkg/apis/core/v1/defaults.go SetDefaults_Container: imagePullPolicy Always for `:latest` or
// no tag (and no digest), else IfNotPresent.
function pullPolicy(image: unknown): string {
  if (typeof image !== "string") return "IfNotPresent";
  if (image.includes("@")) return "IfNotPresent";
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  const tag = colon < 0 ? "" : lastSegment.slice(colon + 1);
  return tag === "" || tag === "latest" ? "Always" : "IfNotPresent";
}

function containerDefaults(c: Obj): void {
  // SetDefaults_Container, SetDefaults_ContainerPort (pkg/apis/core/v1/defaults.go)
  setIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
  setIfAbsent(c, "terminationMessagePolicy", "File");
  setIfAbsent(c, "imagePullPolicy", pullPolicy(c.image));
  if (!isObj(c.resources)) c.resources = {};
  if (Array.isArray(c.ports)) {
    for (const p of c.ports) if (isObj(p)) setIfAbsent(p, "protocol", "TCP");
  }
}

/** pkg/apis/core/v1/defaults.go SetDefaults_PodSpec (+ containers); SetDefaults_Pod for pods. */
function podSpecDefaults(spec: Obj, pod: boolean): void {
  setIfAbsent(spec, "dnsPolicy", "ClusterFirst");
  setIfAbsent(spec, "restartPolicy", "Always");
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined) spec.terminationGracePeriodSeconds = 30;
  setIfAbsent(spec, "schedulerName", "default-scheduler");
  if (pod && spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  for (const list of ["containers", "initContainers"]) {
    if (Array.isArray(spec[list])) {
      for (const c of spec[list]) if (isObj(c)) containerDefaults(c);
    }
  }
}

function templateDefaults(spec: Obj): void {
  if (isObj(spec.template) && isObj(spec.template.spec)) podSpecDefaults(spec.template.spec, false);
}

const DEFAULTERS: Record<string, Defaulter> = {
  "/Pod": (o) => {
    if (isObj(o.spec)) podSpecDefaults(o.spec, true);
  },
  "/PodTemplate": (o) => {
    if (isObj(o.template) && isObj(o.template.spec)) podSpecDefaults(o.template.spec, false);
  },
  "/ReplicationController": (o) => {
    const spec = obj(o, "spec");
    if (spec.replicas === undefined) spec.replicas = 1;
    templateDefaults(spec);
  },
  // pkg/apis/core/v1/defaults.go SetDefaults_Service
  "/Service": (o) => {
    const spec = obj(o, "spec");
    setIfAbsent(spec, "type", "ClusterIP");
    setIfAbsent(spec, "sessionAffinity", "None");
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) {
        if (!isObj(p)) continue;
        setIfAbsent(p, "protocol", "TCP");
        if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === "") {
          p.targetPort = p.port;
        }
      }
    }
    if (spec.type === "ExternalName") return;
    setIfAbsent(spec, "internalTrafficPolicy", "Cluster");
    if (spec.type === "NodePort" || spec.type === "LoadBalancer") {
      setIfAbsent(spec, "externalTrafficPolicy", "Cluster");
    }
  },
  // pkg/apis/core/v1/defaults.go SetDefaults_PersistentVolumeClaimSpec
  "/PersistentVolumeClaim": (o) => {
    setIfAbsent(obj(o, "spec"), "volumeMode", "Filesystem");
  },
  // pkg/apis/apps/v1/defaults.go
  "apps/Deployment": (o) => {
    const spec = obj(o, "spec");
    if (spec.replicas === undefined) spec.replicas = 1;
    const strategy = obj(spec, "strategy");
    setIfAbsent(strategy, "type", "RollingUpdate");
    if (strategy.type === "RollingUpdate") {
      const ru = obj(strategy, "rollingUpdate");
      if (ru.maxUnavailable === undefined) ru.maxUnavailable = "25%";
      if (ru.maxSurge === undefined) ru.maxSurge = "25%";
    }
    if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
    if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
    templateDefaults(spec);
  },
  "apps/ReplicaSet": (o) => {
    const spec = obj(o, "spec");
    if (spec.replicas === undefined) spec.replicas = 1;
    templateDefaults(spec);
  },
  "apps/StatefulSet": (o) => {
    const spec = obj(o, "spec");
    if (spec.replicas === undefined) spec.replicas = 1;
    setIfAbsent(spec, "podManagementPolicy", "OrderedReady");
    const us = obj(spec, "updateStrategy");
    setIfAbsent(us, "type", "RollingUpdate");
    if (us.type === "RollingUpdate") {
      const ru = obj(us, "rollingUpdate");
      if (ru.partition === undefined) ru.partition = 0;
    }
    if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
    const retention = obj(spec, "persistentVolumeClaimRetentionPolicy");
    setIfAbsent(retention, "whenDeleted", "Retain");
    setIfAbsent(retention, "whenScaled", "Retain");
    templateDefaults(spec);
  },
  "apps/DaemonSet": (o) => {
    const spec = obj(o, "spec");
    const us = obj(spec, "updateStrategy");
    setIfAbsent(us, "type", "RollingUpdate");
    if (us.type === "RollingUpdate") {
      const ru = obj(us, "rollingUpdate");
      if (ru.maxUnavailable === undefined) ru.maxUnavailable = 1;
      if (ru.maxSurge === undefined) ru.maxSurge = 0;
    }
    if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
    templateDefaults(spec);
  },
  // pkg/apis/batch/v1/defaults.go SetDefaults_Job; selector and labels from
  // pkg/registry/batch/job/strategy.go generateSelector (manualSelector unset)
  "batch/Job": (o) => jobSpecDefaults(obj(o, "spec")),
  "batch/CronJob": (o) => {
    const spec = obj(o, "spec");
    setIfAbsent(spec, "concurrencyPolicy", "Allow");
    if (spec.suspend === undefined) spec.suspend = false;
    if (spec.successfulJobsHistoryLimit === undefined) spec.successfulJobsHistoryLimit = 3;
    if (spec.failedJobsHistoryLimit === undefined) spec.failedJobsHistoryLimit = 1;
    // the job template's JobSpec is not defaulted (only its pod template)
    const jt = obj(spec, "jobTemplate");
    if (isObj(jt.spec)) templateDefaults(jt.spec);
  },
  // pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem
  "/LimitRange": (o) => {
    const spec = obj(o, "spec");
    for (const item of Array.isArray(spec.limits) ? spec.limits : []) {
      if (!isObj(item) || item.type !== "Container") continue;
      const max = isObj(item.max) ? item.max : {};
      const min = isObj(item.min) ? item.min : {};
      const def: Obj = isObj(item.default) ? item.default : {};
      for (const [k, v] of Object.entries(max)) if (def[k] === undefined) def[k] = v;
      const req: Obj = isObj(item.defaultRequest) ? item.defaultRequest : {};
      for (const [k, v] of Object.entries(min)) if (req[k] === undefined) req[k] = v;
      for (const [k, v] of Object.entries(def)) if (req[k] === undefined) req[k] = v;
      if (Object.keys(def).length) item.default = def;
      if (Object.keys(req).length) item.defaultRequest = req;
    }
  },
  // pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscaler
  "autoscaling/HorizontalPodAutoscaler": (o) => {
    if (o.apiVersion !== "autoscaling/v2") return;
    const spec = obj(o, "spec");
    if (spec.minReplicas === undefined) spec.minReplicas = 1;
    if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
      spec.metrics = [{
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
      }];
    }
    // SetDefaults_HorizontalPodAutoscalerBehavior: a behavior gets both rules, unset parts
    // from the defaults (scale up: 0s window, max of 4 pods or 100% per 15s; scale down: max
    // 100% per 15s)
    if (isObj(spec.behavior)) {
      const b = spec.behavior;
      const policy = (type: string, value: number) => ({ type, value, periodSeconds: 15 });
      const rules = (from: unknown, to: Obj): Obj =>
        isObj(from)
          ? { ...to, ...Object.fromEntries(Object.entries(from).filter(([, v]) => v !== null)) }
          : to;
      b.scaleUp = rules(b.scaleUp, {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [policy("Pods", 4), policy("Percent", 100)],
      });
      b.scaleDown = rules(b.scaleDown, {
        selectPolicy: "Max",
        policies: [policy("Percent", 100)],
      });
    }
    // v2/conversion.go: v2 keeps none of autoscaling/v1's round-trip annotations
    const meta = obj(o, "metadata");
    if (isObj(meta.annotations)) {
      for (const k of Object.keys(meta.annotations)) {
        if (
          /^autoscaling\.alpha\.kubernetes\.io\/(metrics|behavior|conditions|current-metrics|scale-(up|down)-tolerance)$/
            .test(k)
        ) {
          delete meta.annotations[k];
        }
      }
      if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
    }
  },
  // pkg/apis/admissionregistration/v1/defaults.go SetDefaults_ValidatingWebhook, SetDefaults_Rule
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration": (o) => webhookDefaults(o),
  "admissionregistration.k8s.io/MutatingWebhookConfiguration": (o) => {
    webhookDefaults(o);
    for (const w of Array.isArray(o.webhooks) ? o.webhooks : []) {
      if (isObj(w)) setIfAbsent(w, "reinvocationPolicy", "Never");
    }
  },
  // pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy
  "networking.k8s.io/NetworkPolicy": (o) => {
    const spec = obj(o, "spec");
    if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
      spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0
        ? ["Ingress", "Egress"]
        : ["Ingress"];
    }
    for (const dir of ["ingress", "egress"]) {
      for (const rule of Array.isArray(spec[dir]) ? spec[dir] : []) {
        for (const p of isObj(rule) && Array.isArray(rule.ports) ? rule.ports : []) {
          if (isObj(p)) setIfAbsent(p, "protocol", "TCP");
        }
      }
    }
  },
};

function webhookDefaults(o: Obj): void {
  for (const w of Array.isArray(o.webhooks) ? o.webhooks : []) {
    if (!isObj(w)) continue;
    setIfAbsent(w, "failurePolicy", "Fail");
    setIfAbsent(w, "matchPolicy", "Equivalent");
    if (!isObj(w.namespaceSelector)) w.namespaceSelector = {};
    if (!isObj(w.objectSelector)) w.objectSelector = {};
    if (w.timeoutSeconds === undefined) w.timeoutSeconds = 10;
    for (const r of Array.isArray(w.rules) ? w.rules : []) {
      if (isObj(r)) setIfAbsent(r, "scope", "*");
    }
  }
}

function jobSpecDefaults(spec: Obj): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism === undefined) spec.parallelism = 1;
  if (spec.backoffLimit === undefined) {
    spec.backoffLimit = spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  }
  if (spec.completionMode === undefined) spec.completionMode = "NonIndexed";
  if (spec.suspend === undefined) spec.suspend = false;
  if (spec.podReplacementPolicy === undefined) {
    spec.podReplacementPolicy = spec.podFailurePolicy !== undefined
      ? "Failed"
      : "TerminatingOrFailed";
  }
  if (spec.manualSelector === undefined) spec.manualSelector = false;
  templateDefaults(spec);
}

// pkg/registry/batch/job/strategy.go PrepareForCreate/generateSelector (after field tracking)
function jobSelector(o: Obj, uid: string): void {
  const spec = obj(o, "spec");
  const meta = o.metadata as Obj;
  const template = obj(spec, "template");
  const tmeta = obj(template, "metadata");
  if (spec.manualSelector !== true && !isObj(spec.selector) && uid) {
    spec.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
    tmeta.labels = {
      ...(isObj(tmeta.labels) ? tmeta.labels : {}),
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": meta.name,
      "controller-uid": uid,
      "job-name": meta.name,
    };
  }
  if (isObj(tmeta.labels) && (!isObj(meta.labels) || Object.keys(meta.labels).length === 0)) {
    meta.labels = { ...tmeta.labels };
  }
}

// A stable address in 10.96.0.0/12 (kubeadm's default service CIDR) per Service uid.
function clusterIp(uid: string): string {
  let h = 0;
  for (const ch of uid) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `10.${96 + (h >>> 20) % 16}.${(h >>> 8) % 256}.${1 + h % 254}`;
}

// pkg/registry/core/service/storage (ClusterIP allocation and IP families), modelled on a
// single-stack IPv4 cluster; after field tracking, so never in managedFields.
function serviceAllocation(o: Obj, uid: string): void {
  const spec = obj(o, "spec");
  if (spec.type === "ExternalName") return;
  setIfAbsent(spec, "clusterIP", clusterIp(uid));
  if (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0) {
    spec.clusterIPs = [spec.clusterIP];
  }
  if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ["IPv4"];
  setIfAbsent(spec, "ipFamilyPolicy", "SingleStack");
}

// pkg/apis/core/helper/qos GetPodQOS, for containers only: BestEffort without requests and
// limits, Guaranteed when every container limits cpu and memory to its requests.
function qosClass(spec: Obj): string {
  const cs = (Array.isArray(spec.containers) ? spec.containers : []).filter(isObj);
  const res = cs.map((c) => (isObj(c.resources) ? c.resources : {}) as Obj);
  const any = res.some((r) =>
    Object.keys(isObj(r.requests) ? r.requests : {}).length +
        Object.keys(isObj(r.limits) ? r.limits : {}).length > 0
  );
  if (!any) return "BestEffort";
  const guaranteed = res.every((r) => {
    const limits = isObj(r.limits) ? r.limits : {};
    const requests = isObj(r.requests) ? r.requests : limits;
    return ["cpu", "memory"].every((k) =>
      limits[k] !== undefined && (requests[k] ?? limits[k]) === limits[k]
    );
  });
  return guaranteed ? "Guaranteed" : "Burstable";
}

/**
 * What a built-in's strategy and REST storage set on create after field tracking (so never in
 * managedFields): the zero `status` (Pods and PVCs start Pending), a Job's selector and
 * labels, a Service's ClusterIP and IP families.
 */
export function builtinOnCreate(
  info: ResourceInfo,
  o: Obj,
  uid: string,
  opts: { status: unknown; controllers: boolean },
): void {
  if (info.crd) return;
  const status = opts.status;
  if (info.status && status !== undefined) o.status = status;
  switch (`${info.group}/${info.kind}`) {
    case "/Pod":
      o.status = {
        ...(isObj(o.status) ? o.status : {}),
        phase: "Pending",
        qosClass: qosClass(isObj(o.spec) ? o.spec : {}),
      };
      break;
    case "autoscaling/HorizontalPodAutoscaler":
      // autoscaling/v2 HorizontalPodAutoscalerStatus.currentMetrics has no omitempty
      if (o.apiVersion === "autoscaling/v2" && isObj(o.status)) {
        o.status = { ...o.status, currentMetrics: null };
      }
      break;
    case "/PersistentVolumeClaim":
      o.status = { ...(isObj(o.status) ? o.status : {}), phase: "Pending" };
      protect(o, "kubernetes.io/pvc-protection", opts.controllers);
      break;
    case "/PersistentVolume":
      protect(o, "kubernetes.io/pv-protection", opts.controllers);
      break;
    case "/Service":
      serviceAllocation(o, uid);
      break;
    case "batch/Job":
      jobSelector(o, uid);
      break;
  }
}

// plugin/pkg/admission/storage/storageobjectinuseprotection: the protection finalizer, which
// kube-controller-manager removes once nothing uses the volume. Without controllers (gc: false,
// like a bare kube-apiserver) it is added and stays; with them it would be removed at once.
function protect(o: Obj, finalizer: string, controllers: boolean): void {
  if (controllers) return;
  const meta = o.metadata as Obj;
  const fins = Array.isArray(meta.finalizers) ? meta.finalizers as string[] : [];
  if (!fins.includes(finalizer)) meta.finalizers = [...fins, finalizer];
}

/** Keeps what builtinOnCreate set when an update leaves it out (immutable in the real server). */
export function builtinOnUpdate(info: ResourceInfo, o: Obj, uid: string): void {
  if (info.crd) return;
  if (`${info.group}/${info.kind}` === "/Service") serviceAllocation(o, uid);
  if (`${info.group}/${info.kind}` === "batch/Job") jobSelector(o, uid);
}

/** Applies the server defaults of a built-in kind (on create and update, as decoding does). */
export function builtinDefaults(info: ResourceInfo, o: Obj, uid: string): void {
  if (info.crd) return;
  DEFAULTERS[`${info.group}/${info.kind}`]?.(o, uid);
}

function goMap(v: unknown): string {
  if (!isObj(v)) return "null";
  const sorted = Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : 1));
  return JSON.stringify(sorted);
}

function selectorMatches(selector: unknown, labels: unknown): boolean {
  if (!isObj(selector)) return false;
  const l = isObj(labels) ? labels : {};
  for (const [k, v] of Object.entries(isObj(selector.matchLabels) ? selector.matchLabels : {})) {
    if (l[k] !== v) return false;
  }
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isObj(e)) continue;
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values : [];
    const has = Object.hasOwn(l, key);
    if (e.operator === "In" && !(has && values.includes(l[key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(l[key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function emptySelector(selector: unknown): boolean {
  if (!isObj(selector)) return true;
  const ml = isObj(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0;
  const me = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0;
  return ml + me === 0;
}

function notSupported(field: string, value: unknown, supported: string[]): StatusCause {
  return cause(
    "FieldValueNotSupported",
    field,
    `Unsupported value: ${JSON.stringify(value)}: supported values: ${
      supported.map((s) => JSON.stringify(s)).join(", ")
    }`,
  );
}

function enumCheck(
  causes: StatusCause[],
  o: Obj,
  key: string,
  field: string,
  supported: string[],
): void {
  const v = o[key];
  if (v !== undefined && v !== "" && !supported.includes(String(v))) {
    causes.push(notSupported(field, v, supported));
  }
}

// pkg/apis/core/validation/validation.go ValidatePodSpec / validateRestartPolicy,
// validatePullPolicy, validateContainerPorts
function podSpecRules(spec: unknown, path: string, causes: StatusCause[]): void {
  if (!isObj(spec)) return;
  enumCheck(causes, spec, "restartPolicy", `${path}.restartPolicy`, [
    "Always",
    "OnFailure",
    "Never",
  ]);
  enumCheck(causes, spec, "dnsPolicy", `${path}.dnsPolicy`, [
    "ClusterFirstWithHostNet",
    "ClusterFirst",
    "Default",
    "None",
  ]);
  for (const list of ["initContainers", "containers"]) {
    const cs = Array.isArray(spec[list]) ? spec[list] : [];
    cs.forEach((c: unknown, i: number) => {
      if (!isObj(c)) return;
      const cp = `${path}.${list}[${i}]`;
      if (c.image === undefined || c.image === "") {
        causes.push(cause("FieldValueRequired", `${cp}.image`, "Required value"));
      }
      enumCheck(causes, c, "imagePullPolicy", `${cp}.imagePullPolicy`, [
        "Always",
        "IfNotPresent",
        "Never",
      ]);
      const ports = Array.isArray(c.ports) ? c.ports : [];
      ports.forEach((p: unknown, j: number) => {
        if (!isObj(p)) return;
        portRange(causes, p.containerPort, `${cp}.ports[${j}].containerPort`);
        enumCheck(causes, p, "protocol", `${cp}.ports[${j}].protocol`, ["SCTP", "TCP", "UDP"]);
      });
    });
  }
}

function portRange(causes: StatusCause[], v: unknown, field: string): void {
  if (typeof v === "number" && (v < 1 || v > 65535)) {
    causes.push(
      cause(
        "FieldValueInvalid",
        field,
        `Invalid value: ${v}: must be between 1 and 65535, inclusive`,
      ),
    );
  }
}

function nonNegative(causes: StatusCause[], o: Obj, key: string, field: string): void {
  const v = o[key];
  if (typeof v === "number" && v < 0) {
    causes.push(
      cause("FieldValueInvalid", field, `Invalid value: ${v}: must be greater than or equal to 0`),
    );
  }
}

// pkg/apis/apps/validation/validation.go ValidateDeploymentSpec, ValidateReplicaSetSpec,
// ValidateStatefulSetSpec, ValidateDaemonSetSpec: the selector is non-empty and matches the
// template labels; the template's restartPolicy is Always.
function workloadRules(kind: string, spec: Obj, causes: StatusCause[]): void {
  nonNegative(causes, spec, "replicas", "spec.replicas");
  const template = isObj(spec.template) ? spec.template : {};
  const labels = isObj(template.metadata) ? template.metadata.labels : undefined;
  if (spec.selector !== undefined && emptySelector(spec.selector)) {
    causes.push(
      cause(
        "FieldValueInvalid",
        "spec.selector",
        `Invalid value: ${JSON.stringify(spec.selector)}: empty selector is invalid for ${kind}`,
      ),
    );
  } else if (spec.selector !== undefined && !selectorMatches(spec.selector, labels)) {
    causes.push(
      cause(
        "FieldValueInvalid",
        "spec.template.metadata.labels",
        `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``,
      ),
    );
  }
  const ps = isObj(template.spec) ? template.spec : undefined;
  if (ps && ps.restartPolicy !== undefined && ps.restartPolicy !== "Always") {
    causes.push(notSupported("spec.template.spec.restartPolicy", ps.restartPolicy, ["Always"]));
  }
  podSpecRules(ps, "spec.template.spec", causes);
}

// pkg/apis/batch/validation/validation.go validateJobSpec: restartPolicy OnFailure or Never;
// non-negative counts.
function jobRules(spec: Obj, path: string, causes: StatusCause[]): void {
  for (const k of ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds"]) {
    nonNegative(causes, spec, k, `${path}.${k}`);
  }
  const template = isObj(spec.template) ? spec.template : {};
  const ps = isObj(template.spec) ? template.spec : {};
  if (!isObj(template.spec)) {
    // the zero PodSpec is validated too (its missing containers)
    causes.push(cause("FieldValueRequired", `${path}.template.spec.containers`, "Required value"));
  }
  const rp = ps.restartPolicy;
  if (rp === undefined || rp === "" || rp === "Always") {
    causes.push(
      cause(
        "FieldValueRequired",
        `${path}.template.spec.restartPolicy`,
        'Required value: valid values: "OnFailure", "Never"',
      ),
    );
  } else if (rp !== "OnFailure" && rp !== "Never") {
    causes.push(notSupported(`${path}.template.spec.restartPolicy`, rp, ["OnFailure", "Never"]));
  }
  podSpecRules(ps, `${path}.template.spec`, causes);
}

/** Cross-field and enum rules of built-in kinds (see the list in the file comment). */
export function builtinRules(info: ResourceInfo, o: Obj): StatusCause[] {
  if (info.crd) return [];
  const causes: StatusCause[] = [];
  const spec = isObj(o.spec) ? o.spec : undefined;
  switch (`${info.group}/${info.kind}`) {
    case "/Pod":
      podSpecRules(spec, "spec", causes);
      break;
    case "apps/Deployment":
    case "apps/ReplicaSet":
    case "apps/StatefulSet":
    case "apps/DaemonSet":
      if (spec) workloadRules(info.kind.toLowerCase(), spec, causes);
      break;
    case "batch/Job":
      if (spec) jobRules(spec, "spec", causes);
      break;
    case "batch/CronJob": {
      const jt = spec && isObj(spec.jobTemplate) ? spec.jobTemplate : undefined;
      if (jt && isObj(jt.spec)) jobRules(jt.spec, "spec.jobTemplate.spec", causes);
      if (spec) {
        enumCheck(causes, spec, "concurrencyPolicy", "spec.concurrencyPolicy", [
          "Allow",
          "Forbid",
          "Replace",
        ]);
      }
      break;
    }
    // pkg/apis/admissionregistration/validation/validation.go validateValidatingWebhook /
    // validateMutatingWebhook: sideEffects, the client config, admissionReviewVersions
    case "admissionregistration.k8s.io/ValidatingWebhookConfiguration":
    case "admissionregistration.k8s.io/MutatingWebhookConfiguration": {
      const hooks = Array.isArray(o.webhooks) ? o.webhooks : [];
      hooks.forEach((w: unknown, i: number) => {
        if (!isObj(w)) return;
        const p = `webhooks[${i}]`;
        if (w.sideEffects === undefined || w.sideEffects === "") {
          causes.push(
            cause(
              "FieldValueRequired",
              `${p}.sideEffects`,
              "Required value: must specify one of None, NoneOnDryRun",
            ),
          );
        }
        const cc = isObj(w.clientConfig) ? w.clientConfig : {};
        if ((cc.url === undefined) === (cc.service === undefined)) {
          causes.push(
            cause(
              "FieldValueRequired",
              `${p}.clientConfig`,
              "Required value: exactly one of url or service is required",
            ),
          );
        }
        const versions = Array.isArray(w.admissionReviewVersions) ? w.admissionReviewVersions : [];
        if (versions.length === 0) {
          causes.push(
            cause(
              "FieldValueRequired",
              `${p}.admissionReviewVersions`,
              "Required value: must specify one of v1, v1beta1",
            ),
          );
        }
      });
      break;
    }
    // pkg/apis/core/validation/validation.go ValidateService
    case "/Service": {
      if (!spec) break;
      enumCheck(causes, spec, "type", "spec.type", [
        "ClusterIP",
        "ExternalName",
        "LoadBalancer",
        "NodePort",
      ]);
      enumCheck(causes, spec, "sessionAffinity", "spec.sessionAffinity", ["ClientIP", "None"]);
      const ports = Array.isArray(spec.ports) ? spec.ports : [];
      if (ports.length === 0 && spec.type !== "ExternalName" && spec.clusterIP !== "None") {
        causes.push(cause("FieldValueRequired", "spec.ports", "Required value"));
      }
      ports.forEach((p: unknown, i: number) => {
        if (!isObj(p)) return;
        portRange(causes, p.port, `spec.ports[${i}].port`);
        enumCheck(causes, p, "protocol", `spec.ports[${i}].protocol`, ["SCTP", "TCP", "UDP"]);
      });
      break;
    }
  }
  return causes;
}
