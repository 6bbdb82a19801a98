// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the columns
// kube-apiserver's printers produce for the built-in kinds the embedded server knows, and
// apiextensions' table convertor for custom resources (Name, then the CRD's printer columns;
// a CRD without printer columns gets kube's default `Age` column).
import { _evalJsonPath, _parseJsonPath } from "./_jsonpath.ts";
import { _age, _humanDuration } from "./_human_duration.ts";

/** A CRD additionalPrinterColumn. */
export interface PrinterColumn {
  /** Column header. */
  name: string;
  /** integer, number, string, boolean or date. */
  type: string;
  /** Simple JSONPath of the value, e.g. `.spec.replicas`. */
  jsonPath: string;
  /** Column description. */
  description?: string;
  /** OpenAPI format of the value. */
  format?: string;
  /** 0 for the default view, higher for `-o wide`. */
  priority?: number;
}

type _Json = Record<string, unknown>;

interface _Column {
  /** Column header. */
  name: string;
  /** integer, number, string, boolean or date. */
  type: string;
  format: string;
  description: string;
  priority: number;
}

function _obj(v: unknown): _Json {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v as _Json : {};
}

function _arr(v: unknown): _Json[] {
  return Array.isArray(v) ? v.map(_obj) : [];
}

function _str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function _col(
  name: string,
  description: string,
  type = "string",
  priority = 0,
  format = "",
): _Column {
  return { name, type, format, description, priority };
}

const _nameCol = _col(
  "Name",
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  "string",
  0,
  "name",
);
const _creationTimestampDoc =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const _ageCol = _col("Age", _creationTimestampDoc);

interface _Printer {
  columns: _Column[];
  cells: (o: _Json, now: number) => unknown[];
}

function _meta(o: _Json): _Json {
  return _obj(o.metadata);
}

function _sortedSelector(sel: unknown): string {
  const entries = Object.entries(_obj(sel)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? "<none>" : entries.map(([k, v]) => `${k}=${v}`).join(",");
}

function _podStatus(
  o: _Json,
): { ready: string; reason: string; restarts: string; lastRestart: number } {
  const spec = _obj(o.spec);
  const status = _obj(o.status);
  const total = _arr(spec.containers).length;
  let reason = _str(status.reason) || _str(status.phase);
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let initializing = false;
  const inits = _arr(status.initContainerStatuses);
  inits.forEach((c, i) => {
    restarts += Number(c.restartCount ?? 0);
    const state = _obj(c.state);
    const term = _obj(state.terminated);
    const wait = _obj(state.waiting);
    if (state.terminated !== undefined && term.exitCode === 0) return;
    if (state.terminated !== undefined) {
      reason = _str(term.reason) !== ""
        ? `Init:${_str(term.reason)}`
        : term.signal
        ? `Init:Signal:${term.signal}`
        : `Init:ExitCode:${term.exitCode}`;
    } else if (
      state.waiting !== undefined && _str(wait.reason) !== "" && wait.reason !== "PodInitializing"
    ) {
      reason = `Init:${_str(wait.reason)}`;
    } else {
      reason = `Init:${i}/${_arr(spec.initContainers).length}`;
    }
    initializing = true;
  });
  if (!initializing) {
    let hasRunning = false;
    for (const c of _arr(status.containerStatuses).reverse()) {
      restarts += Number(c.restartCount ?? 0);
      const lastTerm = _obj(_obj(c.lastState).terminated);
      const finished = Date.parse(_str(lastTerm.finishedAt));
      if (!Number.isNaN(finished) && finished > lastRestart) lastRestart = finished;
      const state = _obj(c.state);
      const term = _obj(state.terminated);
      const wait = _obj(state.waiting);
      if (state.waiting !== undefined && _str(wait.reason) !== "") reason = _str(wait.reason);
      else if (state.terminated !== undefined && _str(term.reason) !== "") {
        reason = _str(term.reason);
      } else if (state.terminated !== undefined) {
        reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      } else if (c.ready === true && state.running !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === "Completed" && hasRunning) reason = "Running";
  }
  if (_meta(o).deletionTimestamp !== undefined && _meta(o).deletionTimestamp !== null) {
    reason = status.reason === "NodeLost" ? "Unknown" : "Terminating";
  }
  return { ready: `${ready}/${total}`, reason, restarts: String(restarts), lastRestart };
}

function _servicePorts(spec: _Json): string {
  const ports = _arr(spec.ports);
  if (ports.length === 0) return "<none>";
  return ports.map((p) => {
    const proto = _str(p.protocol) || "TCP";
    return p.nodePort ? `${p.port}:${p.nodePort}/${proto}` : `${p.port}/${proto}`;
  }).join(",");
}

function _serviceExternalIP(spec: _Json, status: _Json): string {
  const external = Array.isArray(spec.externalIPs) ? spec.externalIPs.map(String) : [];
  switch (_str(spec.type) || "ClusterIP") {
    case "ClusterIP":
    case "NodePort":
      return external.length > 0 ? external.join(",") : "<none>";
    case "LoadBalancer": {
      const ingress = _arr(_obj(status.loadBalancer).ingress)
        .map((i) => _str(i.ip) || _str(i.hostname)).filter((s) => s !== "");
      const all = [...ingress, ...external];
      return all.length > 0 ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return _str(spec.externalName) || "<none>";
    default:
      return "<unknown>";
  }
}

const _nodeAddressesDoc =
  "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

const _printers: Record<string, _Printer> = {
  "/ConfigMap": {
    columns: [
      _nameCol,
      _col(
        "Data",
        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
      ),
      _ageCol,
    ],
    cells: (o, now) => [
      _meta(o).name,
      Object.keys(_obj(o.data)).length + Object.keys(_obj(o.binaryData)).length,
      _age(_meta(o).creationTimestamp, now),
    ],
  },
  "/Secret": {
    columns: [
      _nameCol,
      _col(
        "Type",
        "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
      ),
      _col(
        "Data",
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
      ),
      _ageCol,
    ],
    cells: (o, now) => [
      _meta(o).name,
      _str(o.type) || "Opaque",
      Object.keys(_obj(o.data)).length,
      _age(_meta(o).creationTimestamp, now),
    ],
  },
  "/Namespace": {
    columns: [_nameCol, _col("Status", "The status of the namespace"), _ageCol],
    cells: (o, now) => [
      _meta(o).name,
      _str(_obj(o.status).phase) || "Active",
      _age(_meta(o).creationTimestamp, now),
    ],
  },
  "/Pod": {
    columns: [
      _nameCol,
      _col("Ready", "The aggregate readiness state of this pod for accepting traffic."),
      _col("Status", "The aggregate status of the containers in this pod."),
      _col(
        "Restarts",
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
      ),
      _ageCol,
      _col(
        "IP",
        "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
        "string",
        1,
      ),
      _col("Node", "NodeName is a request to schedule this pod onto a specific node.", "string", 1),
      _col(
        "Nominated Node",
        "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.",
        "string",
        1,
      ),
      _col(
        "Readiness Gates",
        "If specified, all readiness gates will be evaluated for pod readiness.",
        "string",
        1,
      ),
    ],
    cells: (o, now) => {
      const p = _podStatus(o);
      const restarts = p.restarts !== "0" && p.lastRestart > 0
        ? `${p.restarts} (${_humanDuration(now - p.lastRestart)} ago)`
        : p.restarts;
      const spec = _obj(o.spec);
      const status = _obj(o.status);
      const gates = _arr(spec.readinessGates);
      const conditions = _arr(status.conditions);
      const trueGates =
        gates.filter((g) =>
          conditions.some((c) => c.type === g.conditionType && c.status === "True")
        ).length;
      return [
        _meta(o).name,
        p.ready,
        p.reason,
        restarts,
        _age(_meta(o).creationTimestamp, now),
        _str(status.podIP) || "<none>",
        _str(spec.nodeName) || "<none>",
        _str(status.nominatedNodeName) || "<none>",
        gates.length === 0 ? "<none>" : `${trueGates}/${gates.length}`,
      ];
    },
  },
  "apps/Deployment": {
    columns: [
      _nameCol,
      _col("Ready", "Number of the pod with ready state"),
      _col(
        "Up-to-date",
        "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
      ),
      _col(
        "Available",
        "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
      ),
      _ageCol,
      _col("Containers", "Names of each container in the template.", "string", 1),
      _col("Images", "Images referenced by each container in the template.", "string", 1),
      _col(
        "Selector",
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
        "string",
        1,
      ),
    ],
    cells: (o, now) => {
      const spec = _obj(o.spec);
      const status = _obj(o.status);
      const containers = _arr(_obj(_obj(spec.template).spec).containers);
      const desired = typeof spec.replicas === "number" ? spec.replicas : 1;
      const selector = _obj(spec.selector);
      const labels = _sortedSelector(selector.matchLabels);
      return [
        _meta(o).name,
        `${Number(status.readyReplicas ?? 0)}/${desired}`,
        Number(status.updatedReplicas ?? 0),
        Number(status.availableReplicas ?? 0),
        _age(_meta(o).creationTimestamp, now),
        containers.map((c) => _str(c.name)).join(","),
        containers.map((c) => _str(c.image)).join(","),
        labels,
      ];
    },
  },
  "/Service": {
    columns: [
      _nameCol,
      _col(
        "Type",
        "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.",
      ),
      _col(
        "Cluster-IP",
        "clusterIP is the IP address of the service and is usually assigned randomly.",
      ),
      _col(
        "External-IP",
        "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
      ),
      _col(
        "Port(s)",
        "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
      ),
      _ageCol,
      _col(
        "Selector",
        "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/",
        "string",
        1,
      ),
    ],
    cells: (o, now) => {
      const spec = _obj(o.spec);
      return [
        _meta(o).name,
        _str(spec.type) || "ClusterIP",
        _str(spec.clusterIP) || "<none>",
        _serviceExternalIP(spec, _obj(o.status)),
        _servicePorts(spec),
        _age(_meta(o).creationTimestamp, now),
        _sortedSelector(spec.selector),
      ];
    },
  },
  "coordination.k8s.io/Lease": {
    columns: [
      _nameCol,
      _col("Holder", "holderIdentity contains the identity of the holder of a current lease."),
      _ageCol,
    ],
    cells: (o, now) => [
      _meta(o).name,
      _str(_obj(o.spec).holderIdentity),
      _age(_meta(o).creationTimestamp, now),
    ],
  },
  "apiextensions.k8s.io/CustomResourceDefinition": {
    columns: [_nameCol, _col("Created At", _creationTimestampDoc, "date")],
    cells: (o) => [_meta(o).name, _createdAt(_meta(o).creationTimestamp)],
  },
  // pkg/printers/internalversion/printers.go: jobColumnDefinitions, printJob
  "batch/Job": {
    columns: [
      _nameCol,
      _col("Status", "Status of the job."),
      _col(
        "Completions",
        "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.",
      ),
      _col("Duration", "Time required to complete the job."),
      _ageCol,
      _col("Containers", "Names of each container in the template.", "string", 1),
      _col("Images", "Images referenced by each container in the template.", "string", 1),
      _col(
        "Selector",
        "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
        "string",
        1,
      ),
    ],
    cells: (o, now) => {
      const spec = _obj(o.spec);
      const status = _obj(o.status);
      const succeeded = Number(status.succeeded ?? 0);
      const parallelism = typeof spec.parallelism === "number" ? spec.parallelism : 0;
      const completions = typeof spec.completions === "number"
        ? `${succeeded}/${spec.completions}`
        : parallelism > 1
        ? `${succeeded}/1 of ${parallelism}`
        : `${succeeded}/1`;
      const start = Date.parse(_str(status.startTime));
      const end = Date.parse(_str(status.completionTime));
      const duration = Number.isNaN(start)
        ? ""
        : _humanDuration((Number.isNaN(end) ? now : end) - start);
      const has = (type: string) =>
        _arr(status.conditions).some((c) => c.type === type && c.status === "True");
      const state = has("Complete")
        ? "Complete"
        : has("Failed")
        ? "Failed"
        : _meta(o).deletionTimestamp
        ? "Terminating"
        : has("Suspended")
        ? "Suspended"
        : has("FailureTarget")
        ? "FailureTarget"
        : has("SuccessCriteriaMet")
        ? "SuccessCriteriaMet"
        : "Running";
      const containers = _arr(_obj(_obj(spec.template).spec).containers);
      return [
        _meta(o).name,
        state,
        completions,
        duration,
        _age(_meta(o).creationTimestamp, now),
        containers.map((c) => _str(c.name)).join(","),
        containers.map((c) => _str(c.image)).join(","),
        _formatSelector(spec.selector),
      ];
    },
  },
  // printers.go: nodeColumnDefinitions, printNode
  "/Node": {
    columns: [
      _nameCol,
      _col("Status", "The status of the node"),
      _col("Roles", "The roles of the node"),
      _ageCol,
      _col("Version", "Kubelet Version reported by the node."),
      _col("Internal-IP", _nodeAddressesDoc, "string", 1),
      _col("External-IP", _nodeAddressesDoc, "string", 1),
      _col(
        "OS-Image",
        "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
        "string",
        1,
      ),
      _col(
        "Kernel-Version",
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        "string",
        1,
      ),
      _col(
        "Container-Runtime",
        "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
        "string",
        1,
      ),
    ],
    cells: (o, now) => {
      const status = _obj(o.status);
      const ready = _arr(status.conditions).find((c) => c.type === "Ready");
      const states = ready ? [ready.status === "True" ? "Ready" : "NotReady"] : ["Unknown"];
      if (_obj(o.spec).unschedulable === true) states.push("SchedulingDisabled");
      const roles = new Set<string>();
      for (const [k, v] of Object.entries(_obj(_meta(o).labels))) {
        if (k.startsWith("node-role.kubernetes.io/") && k.length > 24) roles.add(k.slice(24));
        else if (k === "kubernetes.io/role" && v !== "") roles.add(_str(v));
      }
      const info = _obj(status.nodeInfo);
      const address = (type: string) =>
        _str(_arr(status.addresses).find((a) => a.type === type)?.address) || "<none>";
      const arch = _str(info.architecture);
      const kernel = _str(info.kernelVersion) || "<unknown>";
      return [
        _meta(o).name,
        states.join(","),
        [...roles].sort().join(",") || "<none>",
        _age(_meta(o).creationTimestamp, now),
        _str(info.kubeletVersion),
        address("InternalIP"),
        address("ExternalIP"),
        _str(info.osImage) || "<unknown>",
        arch ? `${kernel} (${arch})` : kernel,
        _str(info.containerRuntimeVersion) || "<unknown>",
      ];
    },
  },
  // printers.go: eventColumnDefinitions, printEvent (server-side tables are wide)
  "/Event": {
    columns: [
      _col("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
      _col("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
      _col(
        "Reason",
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      ),
      _col("Object", "The object that this event is about."),
      _col(
        "Subobject",
        'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
        "string",
        1,
      ),
      _col(
        "Source",
        "The component reporting this event. Should be a short machine understandable string.",
        "string",
        1,
      ),
      _col("Message", "A human-readable description of the status of this operation."),
      _col(
        "First Seen",
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
        "string",
        1,
      ),
      _col("Count", "The number of times this event has occurred.", "string", 1),
      { ..._nameCol, priority: 1 },
    ],
    cells: (o, now) => {
      const first = _str(o.firstTimestamp) ? _age(o.firstTimestamp, now) : _age(o.eventTime, now);
      let last = _str(o.lastTimestamp) ? _age(o.lastTimestamp, now) : first;
      let count = typeof o.count === "number" ? o.count : 0;
      const series = _obj(o.series);
      if (o.series) {
        last = _age(series.lastObservedTime, now);
        count = Number(series.count ?? 0);
      } else if (count === 0) count = 1;
      const involved = _obj(o.involvedObject);
      const kind = _str(involved.kind).toLowerCase();
      const target = _str(involved.name) ? `${kind}/${_str(involved.name)}` : kind;
      const source = _obj(o.source);
      const component = _str(source.component) || _str(o.reportingController);
      const instance = _str(source.host) || _str(o.reportingInstance);
      return [
        last,
        _str(o.type),
        _str(o.reason),
        target,
        _str(involved.fieldPath),
        instance ? `${component}, ${instance}` : component,
        _str(o.message).trim(),
        first,
        count,
        _meta(o).name,
      ];
    },
  },
};

// metav1.FormatLabelSelector: the selector's requirements sorted by key (matchLabels as `k=v`),
// comma-joined; `<none>` when empty.
function _formatSelector(sel: unknown): string {
  const s = _obj(sel);
  const parts: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(_obj(s.matchLabels))) parts.push([k, `${k}=${_str(v)}`]);
  for (const e of _arr(s.matchExpressions)) {
    const key = _str(e.key);
    const values = Array.isArray(e.values) ? [...(e.values as string[])].sort().join(",") : "";
    const op = _str(e.operator);
    if (op === "In") parts.push([key, `${key} in (${values})`]);
    else if (op === "NotIn") parts.push([key, `${key} notin (${values})`]);
    else if (op === "Exists") parts.push([key, key]);
    else if (op === "DoesNotExist") parts.push([key, `!${key}`]);
  }
  parts.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return parts.length ? parts.map(([, p]) => p).join(",") : "<none>";
}

function _createdAt(ts: unknown): string {
  if (typeof ts !== "string") return "0001-01-01T00:00:00Z";
  const t = Date.parse(ts);
  return Number.isNaN(t) ? ts : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// The CRD column default when a version declares no printer columns.
const _crdDefaultColumns: PrinterColumn[] = [{
  name: "Age",
  type: "date",
  jsonPath: ".metadata.creationTimestamp",
}];

function _customPrinter(columns: PrinterColumn[]): _Printer {
  const cols = columns.length === 0 ? _crdDefaultColumns : columns;
  const parsed = cols.map((c) => _parseJsonPath(c.jsonPath));
  return {
    columns: [
      _nameCol,
      ...cols.map((c) =>
        _col(
          c.name,
          c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
          c.type,
          c.priority ?? 0,
          c.format ?? "",
        )
      ),
    ],
    cells: (o, now) => [
      _meta(o).name,
      ...cols.map((c, i) => _customCell(c, _evalJsonPath(parsed[i], o), now)),
    ],
  };
}

function _text(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function _customCell(c: PrinterColumn, results: unknown[], now: number): unknown {
  if (results.length === 0) return null;
  if (c.type === "string") return results.map(_text).join(" ");
  const value = results[0];
  if (c.type === "date" && typeof value === "string") {
    const t = Date.parse(value);
    return Number.isNaN(t) ? value : _humanDuration(now - t);
  }
  return value ?? null;
}

/**
 * Builds a `meta.k8s.io/v1` Table for `kubectl get` from objects of one kind. `columns` are
 * the CRD's additionalPrinterColumns (custom resources); for built-in kinds the engine uses
 * its own columns (NAME, AGE, and kind-specific ones like DATA for ConfigMaps).
 * `includeObject` follows the request's `includeObject` parameter (None|Metadata|Object;
 * kubectl sends Metadata... the object goes into each row's `object`).
 *
 * Column names are kube's (`Name`, `Data`, `Age`, `Up-to-date`, `Port(s)`; kubectl upper-cases
 * them). Built-in kinds: ConfigMap, Secret, Namespace, Pod, apps Deployment, Service,
 * coordination Lease, CustomResourceDefinition (`Created At`). Custom resources (`columns`
 * given, or a kind not listed here): `Name`, then the printer columns evaluated as JSONPath
 * (`date` columns printed as ages), or kube's default `Age` column when `columns` is empty.
 * `includeObject` defaults to `Metadata` (a `PartialObjectMetadata`); `None` gives
 * `object: null`; `Object` the object itself. An unknown `includeObject` throws a TypeError.
 */
export function renderTable(args: {
  apiVersion: string;
  kind: string;
  objects: Record<string, unknown>[];
  columns?: PrinterColumn[];
  listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  includeObject?: string;
  now: number;
}): Record<string, unknown> {
  const include = args.includeObject === undefined || args.includeObject === ""
    ? "Metadata"
    : args.includeObject;
  if (!["None", "Metadata", "Object"].includes(include)) {
    throw new TypeError(
      `expected includeObject to be None, Metadata or Object, found ${JSON.stringify(include)}`,
    );
  }
  const slash = args.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : args.apiVersion.slice(0, slash);
  const builtin = _printers[`${group}/${args.kind}`];
  const printer = args.columns !== undefined || builtin === undefined
    ? _customPrinter(args.columns ?? [])
    : builtin;
  const metadata: _Json = {};
  for (const k of ["resourceVersion", "continue", "remainingItemCount"] as const) {
    const v = args.listMeta[k];
    if (v !== undefined && v !== "") metadata[k] = v;
  }
  const rows = args.objects.map((o) => ({
    cells: printer.cells(o, args.now),
    object: include === "None"
      ? null
      : include === "Object"
      ? o
      : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: _meta(o) },
  }));
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
