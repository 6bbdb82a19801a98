// Conversion between the versions of a built-in resource whose versions differ in shape. Only
// HorizontalPodAutoscalers need it: kube-apiserver stores them at autoscaling/v2 and converts
// autoscaling/v1 through the internal type (k8s.io/kubernetes pkg/apis/autoscaling/v1/
// conversion.go and v2/conversion.go, v1.36). What v1 cannot say (metrics other than a CPU
// utilization target, behavior, conditions, current metrics) travels in annotations.
import { fillBuiltinZeros } from "./builtin_decode.ts";
import type { ResourceInfo } from "./registry.ts";
import { clone, isObj, type Obj } from "./util.ts";

const HPA_STORE = "autoscaling/horizontalpodautoscalers";

/** pkg/apis/autoscaling/annotations.go */
const METRICS = "autoscaling.alpha.kubernetes.io/metrics";
const CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics";
const CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
const BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
const ROUND_TRIP = [
  METRICS,
  BEHAVIOR,
  "autoscaling.alpha.kubernetes.io/scale-down-tolerance",
  "autoscaling.alpha.kubernetes.io/scale-up-tolerance",
  CURRENT_METRICS,
  CONDITIONS,
];

/** autoscaling.DefaultCPUUtilization */
const DEFAULT_CPU = 80;

/**
 * The version a built-in resource is stored at when its versions need conversion (the
 * server converts everything else to and from it); undefined for all other built-ins.
 */
export function builtinStorageVersion(info: ResourceInfo): string | undefined {
  return info.crd === undefined && info.storeKey === HPA_STORE ? "v2" : undefined;
}

/**
 * `objects` of `info`'s resource converted to `version` (each object names its own version
 * in apiVersion), with what Go always serializes at that version filled in unless `zeros` is
 * false (field tracking never names those).
 */
export function convertBuiltinObjects(
  info: ResourceInfo,
  objects: Obj[],
  version: string,
  zeros = true,
): Obj[] {
  const apiVersion = `${info.group}/${version}`;
  const at: ResourceInfo = { ...info, version, apiVersion };
  return objects.map((o) => {
    if (o.apiVersion === apiVersion) return o;
    const out = version === "v1" ? hpaToV1(o) : hpaToV2(o);
    if (zeros) fillBuiltinZeros(at, out);
    return out;
  });
}

// ---- helpers -------------------------------------------------------------------------------

/** `o` without the keys whose value is undefined (Go's omitempty on pointers). */
function compact(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

/** A Go resource.Quantity that is not a pointer: absent serializes as "0". */
function quantity(v: unknown): unknown {
  return v ?? "0";
}

function dropRoundTrip(meta: Obj): Obj {
  const annotations = obj(meta.annotations);
  if (!ROUND_TRIP.some((k) => k in annotations)) return meta;
  const kept = Object.fromEntries(
    Object.entries(annotations).filter(([k]) => !ROUND_TRIP.includes(k)),
  );
  const out: Obj = { ...meta, annotations: kept };
  if (Object.keys(kept).length === 0) delete out.annotations;
  return out;
}

/** encoding/json into a struct: field names match case-insensitively. */
function field(o: Obj, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  const key = Object.keys(o).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : o[key];
}

function parseAnnotation(meta: Obj, key: string): unknown {
  const text = obj(meta.annotations)[key];
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // the real conversion ignores an annotation it cannot decode
  }
}

function isCpuUtilization(m: Obj): boolean {
  const r = obj(m.resource);
  return m.type === "Resource" && isObj(m.resource) && r.name === "cpu" &&
    obj(r.target).averageUtilization !== undefined && obj(r.target).averageUtilization !== null;
}

function ref(v: unknown): Obj {
  const r = obj(v);
  return compact({ kind: r.kind ?? "", name: r.name ?? "", apiVersion: r.apiVersion || undefined });
}

function identifier(name: unknown, selector: unknown): Obj {
  return compact({ name: name ?? "", selector: selector ?? undefined });
}

// ---- v2 -> v1 (Convert_autoscaling_*_To_v1_*) ----------------------------------------------

function metricSpecToV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? "" };
  const t = (s: Obj) => obj(s.target);
  const id = (s: Obj) => obj(s.metric);
  if (isObj(m.object)) {
    const s = m.object;
    out.object = compact({
      target: ref(s.describedObject),
      metricName: id(s).name ?? "",
      targetValue: quantity(t(s).value),
      selector: id(s).selector ?? undefined,
      averageValue: t(s).averageValue ?? undefined,
    });
  }
  if (isObj(m.pods)) {
    const s = m.pods;
    out.pods = compact({
      metricName: id(s).name ?? "",
      targetAverageValue: quantity(t(s).averageValue),
      selector: id(s).selector ?? undefined,
    });
  }
  if (isObj(m.resource)) {
    const s = m.resource;
    out.resource = compact({
      name: s.name ?? "",
      targetAverageUtilization: t(s).averageUtilization ?? undefined,
      targetAverageValue: t(s).averageValue ?? undefined,
    });
  }
  if (isObj(m.containerResource)) {
    const s = m.containerResource;
    out.containerResource = compact({
      name: s.name ?? "",
      targetAverageUtilization: t(s).averageUtilization ?? undefined,
      targetAverageValue: t(s).averageValue ?? undefined,
      container: s.container ?? "",
    });
  }
  if (isObj(m.external)) {
    const s = m.external;
    out.external = compact({
      metricName: id(s).name ?? "",
      metricSelector: id(s).selector ?? undefined,
      targetValue: t(s).value ?? undefined,
      targetAverageValue: t(s).averageValue ?? undefined,
    });
  }
  return out;
}

function metricStatusToV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? "" };
  const c = (s: Obj) => obj(s.current);
  const id = (s: Obj) => obj(s.metric);
  if (isObj(m.object)) {
    const s = m.object;
    out.object = compact({
      target: ref(s.describedObject),
      metricName: id(s).name ?? "",
      currentValue: quantity(c(s).value),
      selector: id(s).selector ?? undefined,
      averageValue: c(s).averageValue ?? undefined,
    });
  }
  if (isObj(m.pods)) {
    const s = m.pods;
    out.pods = compact({
      metricName: id(s).name ?? "",
      currentAverageValue: quantity(c(s).averageValue),
      selector: id(s).selector ?? undefined,
    });
  }
  if (isObj(m.resource)) {
    const s = m.resource;
    out.resource = compact({
      name: s.name ?? "",
      currentAverageUtilization: c(s).averageUtilization ?? undefined,
      currentAverageValue: quantity(c(s).averageValue),
    });
  }
  if (isObj(m.containerResource)) {
    const s = m.containerResource;
    out.containerResource = compact({
      name: s.name ?? "",
      currentAverageUtilization: c(s).averageUtilization ?? undefined,
      currentAverageValue: quantity(c(s).averageValue),
      container: s.container ?? "",
    });
  }
  if (isObj(m.external)) {
    const s = m.external;
    out.external = compact({
      metricName: id(s).name ?? "",
      metricSelector: id(s).selector ?? undefined,
      currentValue: quantity(c(s).value),
      currentAverageValue: c(s).averageValue ?? undefined,
    });
  }
  return out;
}

function conditionToV1(c: Obj): Obj {
  // metav1.Time is a struct: omitempty does not drop it, its zero value encodes as null
  return compact({
    type: c.type ?? "",
    status: c.status ?? "",
    lastTransitionTime: c.lastTransitionTime ?? null,
    reason: c.reason || undefined,
    message: c.message || undefined,
  });
}

/** The internal HorizontalPodAutoscalerBehavior as encoding/json writes it (no json tags). */
function behaviorToInternalJson(b: Obj): Obj {
  const rules = (v: unknown) => {
    if (!isObj(v)) return null;
    return {
      StabilizationWindowSeconds: v.stabilizationWindowSeconds ?? null,
      SelectPolicy: v.selectPolicy ?? null,
      Policies: Array.isArray(v.policies)
        ? list(v.policies).map((p) => ({
          Type: p.type ?? "",
          Value: p.value ?? 0,
          PeriodSeconds: p.periodSeconds ?? 0,
        }))
        : null,
      Tolerance: v.tolerance ?? null,
    };
  };
  return { ScaleUp: rules(b.scaleUp), ScaleDown: rules(b.scaleDown) };
}

function hpaToV1(src: Obj): Obj {
  const o = clone(src);
  const spec = obj(o.spec);
  const status = isObj(o.status) ? o.status : undefined;
  const metrics = list(spec.metrics);
  const cpu = metrics.find(isCpuUtilization);
  const meta = dropRoundTrip(obj(o.metadata));
  const annotations: Obj = { ...obj(meta.annotations) };
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(metricSpecToV1);
  if (others.length) annotations[METRICS] = JSON.stringify(others);
  const current = list(status?.currentMetrics);
  if (current.length) annotations[CURRENT_METRICS] = JSON.stringify(current.map(metricStatusToV1));
  if (isObj(spec.behavior)) {
    annotations[BEHAVIOR] = JSON.stringify(behaviorToInternalJson(spec.behavior));
  }
  const conditions = list(status?.conditions);
  if (conditions.length) annotations[CONDITIONS] = JSON.stringify(conditions.map(conditionToV1));
  if (Object.keys(annotations).length) meta.annotations = annotations;
  let cpuNow: unknown;
  for (const m of current) {
    const r = obj(m.resource);
    if (m.type === "Resource" && isObj(m.resource) && r.name === "cpu") {
      const u = obj(r.current).averageUtilization;
      if (u !== undefined && u !== null) cpuNow = u;
    }
  }
  const out: Obj = {
    apiVersion: "autoscaling/v1",
    kind: o.kind ?? "HorizontalPodAutoscaler",
    metadata: meta,
    spec: compact({
      scaleTargetRef: ref(spec.scaleTargetRef),
      minReplicas: spec.minReplicas ?? undefined,
      maxReplicas: spec.maxReplicas ?? 0,
      targetCPUUtilizationPercentage: cpu
        ? obj(obj(cpu.resource).target).averageUtilization
        : undefined,
    }),
  };
  if (status) {
    out.status = compact({
      observedGeneration: status.observedGeneration ?? undefined,
      lastScaleTime: status.lastScaleTime ?? undefined,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: cpuNow,
    });
  }
  return out;
}

// ---- v1 -> v2 (Convert_v1_*_To_autoscaling_*) ----------------------------------------------

function target(type: string, v: Obj): Obj {
  return compact({
    type,
    value: v.value ?? undefined,
    averageValue: v.averageValue ?? undefined,
    averageUtilization: v.averageUtilization ?? undefined,
  });
}

function metricSpecToV2(m: Obj): Obj {
  const out: Obj = { type: m.type ?? "" };
  if (isObj(m.object)) {
    const s = m.object;
    const average = s.averageValue ?? undefined;
    const value = s.targetValue ?? "0";
    // only a non-zero targetValue is kept for an averageValue metric
    const keep = average === undefined || !/^[+-]?0*(\.0*)?([a-zA-Z]*|[eE][+-]?\d+)?$/.test(
      String(value),
    );
    out.object = {
      describedObject: ref(s.target),
      target: target(average === undefined ? "Value" : "AverageValue", {
        value: keep ? value : undefined,
        averageValue: average,
      }),
      metric: identifier(s.metricName, s.selector),
    };
  }
  if (isObj(m.pods)) {
    const s = m.pods;
    out.pods = {
      metric: identifier(s.metricName, s.selector),
      target: target("AverageValue", { averageValue: quantity(s.targetAverageValue) }),
    };
  }
  const resource = (s: Obj) =>
    target(
      s.targetAverageUtilization === undefined || s.targetAverageUtilization === null
        ? "AverageValue"
        : "Utilization",
      { averageValue: s.targetAverageValue, averageUtilization: s.targetAverageUtilization },
    );
  if (isObj(m.resource)) {
    out.resource = { name: m.resource.name ?? "", target: resource(m.resource) };
  }
  if (isObj(m.containerResource)) {
    const s = m.containerResource;
    out.containerResource = {
      name: s.name ?? "",
      target: resource(s),
      container: s.container ?? "",
    };
  }
  if (isObj(m.external)) {
    const s = m.external;
    out.external = {
      metric: identifier(s.metricName, s.metricSelector),
      target: target(
        s.targetValue === undefined || s.targetValue === null ? "AverageValue" : "Value",
        {
          value: s.targetValue,
          averageValue: s.targetAverageValue,
        },
      ),
    };
  }
  return out;
}

function metricStatusToV2(m: Obj): Obj {
  const out: Obj = { type: m.type ?? "" };
  const current = (v: Obj) => target("", v);
  const noType = (o: Obj) => {
    delete o.type;
    return o;
  };
  if (isObj(m.object)) {
    const s = m.object;
    out.object = {
      metric: identifier(s.metricName, s.selector),
      current: noType(current({ value: quantity(s.currentValue), averageValue: s.averageValue })),
      describedObject: ref(s.target),
    };
  }
  if (isObj(m.pods)) {
    const s = m.pods;
    out.pods = {
      metric: identifier(s.metricName, s.selector),
      current: noType(current({ averageValue: quantity(s.currentAverageValue) })),
    };
  }
  const resource = (s: Obj) =>
    noType(current({
      averageValue: quantity(s.currentAverageValue),
      averageUtilization: s.currentAverageUtilization,
    }));
  if (isObj(m.resource)) {
    out.resource = { name: m.resource.name ?? "", current: resource(m.resource) };
  }
  if (isObj(m.containerResource)) {
    const s = m.containerResource;
    out.containerResource = {
      name: s.name ?? "",
      current: resource(s),
      container: s.container ?? "",
    };
  }
  if (isObj(m.external)) {
    const s = m.external;
    out.external = {
      metric: identifier(s.metricName, s.metricSelector),
      current: noType(current({
        value: quantity(s.currentValue),
        averageValue: s.currentAverageValue,
      })),
    };
  }
  return out;
}

function behaviorFromInternalJson(v: unknown): Obj | undefined {
  if (!isObj(v)) return undefined;
  const rules = (r: unknown) => {
    if (!isObj(r)) return undefined;
    const policies = field(r, "Policies");
    return compact({
      stabilizationWindowSeconds: field(r, "StabilizationWindowSeconds") ?? undefined,
      selectPolicy: field(r, "SelectPolicy") ?? undefined,
      policies: Array.isArray(policies)
        ? list(policies).map((p) => ({
          type: field(p, "Type") ?? "",
          value: field(p, "Value") ?? 0,
          periodSeconds: field(p, "PeriodSeconds") ?? 0,
        }))
        : undefined,
      tolerance: field(r, "Tolerance") ?? undefined,
    });
  };
  const out = compact({
    scaleUp: rules(field(v, "ScaleUp")),
    scaleDown: rules(field(v, "ScaleDown")),
  });
  // an empty behavior (both rules nil) is dropped
  return Object.keys(out).length ? out : undefined;
}

function hpaToV2(src: Obj): Obj {
  const o = clone(src);
  const spec = obj(o.spec);
  const meta = obj(o.metadata);
  const cpu = spec.targetCPUUtilizationPercentage;
  let metrics: Obj[] = cpu === undefined || cpu === null ? [] : [{
    type: "Resource",
    resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } },
  }];
  const others = parseAnnotation(meta, METRICS);
  if (Array.isArray(others)) metrics = [...list(others).map(metricSpecToV2), ...metrics];
  const behavior = behaviorFromInternalJson(parseAnnotation(meta, BEHAVIOR));
  if (!metrics.length) {
    // autoscaling/v1's implicit default, made explicit in conversion
    metrics = [{
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU } },
    }];
  }
  const out: Obj = {
    apiVersion: "autoscaling/v2",
    kind: o.kind ?? "HorizontalPodAutoscaler",
    metadata: dropRoundTrip(meta),
    spec: compact({
      scaleTargetRef: ref(spec.scaleTargetRef),
      minReplicas: spec.minReplicas ?? undefined,
      maxReplicas: spec.maxReplicas ?? 0,
      metrics,
      behavior,
    }),
  };
  if (isObj(o.status)) {
    const s = o.status;
    const status: Obj = compact({
      observedGeneration: s.observedGeneration ?? undefined,
      lastScaleTime: s.lastScaleTime ?? undefined,
      currentReplicas: s.currentReplicas ?? undefined,
      desiredReplicas: s.desiredReplicas ?? 0,
    });
    const cpuNow = s.currentCPUUtilizationPercentage;
    let current: Obj[] | null = cpuNow === undefined || cpuNow === null ? null : [{
      type: "Resource",
      resource: { name: "cpu", current: { averageUtilization: cpuNow } },
    }];
    const annotated = parseAnnotation(meta, CURRENT_METRICS);
    if (Array.isArray(annotated)) current = list(annotated).map(metricStatusToV2);
    status.currentMetrics = current;
    const conditions = parseAnnotation(meta, CONDITIONS);
    if (Array.isArray(conditions) && conditions.length) {
      status.conditions = list(conditions).map((c) =>
        compact({
          type: c.type ?? "",
          status: c.status ?? "",
          lastTransitionTime: c.lastTransitionTime ?? undefined,
          reason: c.reason || undefined,
          message: c.message || undefined,
        })
      );
    }
    out.status = status;
  }
  return out;
}
