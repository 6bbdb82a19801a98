// A minimal decoder for the Kubernetes protobuf envelope, enough for the request bodies kubectl's
// typed generators send (`kubectl create configmap|secret|namespace|serviceaccount|deployment`):
// kubectl 1.32 posts those as `application/vnd.kubernetes.protobuf` and accepts JSON answers.
// Decoding is strict: a field this decoder does not know (and that the server would not reset
// anyway) makes the request a 415, so nothing is dropped silently. Other kinds answer 415.
import { failure } from "./status.ts";
import type { Obj } from "./util.ts";

type Field =
  | { name: string; t: "string" | "int" | "bool" | "bytes"; ptr?: boolean }
  | { name: string; t: "strings" }
  | { name: string; t: "msg" | "msgs"; s: Schema }
  | { name: string; t: "map"; bytes?: boolean; quantity?: boolean }
  | { name: string; t: "ignore" };
type Schema = Record<number, Field>;

/** Thrown for a field the decoder does not know. */
class UnknownField extends Error {
  override name = "UnknownField";
}

const IGNORE = (name: string): Field => ({ name, t: "ignore" });

const OWNER_REF: Schema = {
  1: { name: "kind", t: "string" },
  3: { name: "name", t: "string" },
  4: { name: "uid", t: "string" },
  5: { name: "apiVersion", t: "string" },
  6: { name: "controller", t: "bool" },
  7: { name: "blockOwnerDeletion", t: "bool" },
};
const META: Schema = {
  1: { name: "name", t: "string" },
  2: { name: "generateName", t: "string" },
  3: { name: "namespace", t: "string" },
  5: { name: "uid", t: "string" },
  6: { name: "resourceVersion", t: "string" },
  11: { name: "labels", t: "map" },
  12: { name: "annotations", t: "map" },
  13: { name: "ownerReferences", t: "msgs", s: OWNER_REF },
  14: { name: "finalizers", t: "strings" },
  4: IGNORE("selfLink"),
  7: IGNORE("generation"),
  8: IGNORE("creationTimestamp"),
  9: IGNORE("deletionTimestamp"),
  10: IGNORE("deletionGracePeriodSeconds"),
  17: IGNORE("managedFields"),
};
const OBJECT_REF: Schema = {
  1: { name: "kind", t: "string" },
  2: { name: "namespace", t: "string" },
  3: { name: "name", t: "string" },
  4: { name: "uid", t: "string" },
  5: { name: "apiVersion", t: "string" },
  6: { name: "resourceVersion", t: "string" },
  7: { name: "fieldPath", t: "string" },
};
const CONTAINER: Schema = {
  1: { name: "name", t: "string" },
  2: { name: "image", t: "string" },
  3: { name: "command", t: "strings" },
  4: { name: "args", t: "strings" },
  5: { name: "workingDir", t: "string" },
  6: {
    name: "ports",
    t: "msgs",
    s: {
      1: { name: "name", t: "string" },
      2: { name: "hostPort", t: "int" },
      3: { name: "containerPort", t: "int" },
      4: { name: "protocol", t: "string" },
      5: { name: "hostIP", t: "string" },
    },
  },
  7: {
    name: "env",
    t: "msgs",
    s: { 1: { name: "name", t: "string" }, 2: { name: "value", t: "string" } },
  },
  8: {
    name: "resources",
    t: "msg",
    s: {
      1: { name: "limits", t: "map", quantity: true },
      2: { name: "requests", t: "map", quantity: true },
    },
  },
  13: { name: "terminationMessagePath", t: "string" },
  14: { name: "imagePullPolicy", t: "string" },
  20: { name: "terminationMessagePolicy", t: "string" },
};
const POD_SPEC: Schema = {
  2: { name: "containers", t: "msgs", s: CONTAINER },
  3: { name: "restartPolicy", t: "string" },
  4: { name: "terminationGracePeriodSeconds", t: "int", ptr: true },
  6: { name: "dnsPolicy", t: "string" },
  7: { name: "nodeSelector", t: "map" },
  8: { name: "serviceAccountName", t: "string" },
};
const LABEL_SELECTOR: Schema = {
  1: { name: "matchLabels", t: "map" },
  2: {
    name: "matchExpressions",
    t: "msgs",
    s: {
      1: { name: "key", t: "string" },
      2: { name: "operator", t: "string" },
      3: { name: "values", t: "strings" },
    },
  },
};

const KINDS: Record<string, Schema> = {
  "apps/v1/Deployment": {
    1: { name: "metadata", t: "msg", s: META },
    2: {
      name: "spec",
      t: "msg",
      s: {
        1: { name: "replicas", t: "int", ptr: true },
        2: { name: "selector", t: "msg", s: LABEL_SELECTOR },
        3: {
          name: "template",
          t: "msg",
          s: {
            1: { name: "metadata", t: "msg", s: META },
            2: { name: "spec", t: "msg", s: POD_SPEC },
          },
        },
        4: { name: "strategy", t: "msg", s: { 1: { name: "type", t: "string" } } },
        5: { name: "minReadySeconds", t: "int" },
        6: { name: "revisionHistoryLimit", t: "int", ptr: true },
        7: { name: "paused", t: "bool" },
        9: { name: "progressDeadlineSeconds", t: "int", ptr: true },
      },
    },
    3: IGNORE("status"),
  },
  "v1/ConfigMap": {
    1: { name: "metadata", t: "msg", s: META },
    2: { name: "data", t: "map" },
    3: { name: "binaryData", t: "map", bytes: true },
    4: { name: "immutable", t: "bool", ptr: true },
  },
  "v1/Secret": {
    1: { name: "metadata", t: "msg", s: META },
    2: { name: "data", t: "map", bytes: true },
    3: { name: "type", t: "string" },
    4: { name: "stringData", t: "map" },
    5: { name: "immutable", t: "bool", ptr: true },
  },
  "v1/Namespace": {
    1: { name: "metadata", t: "msg", s: META },
    2: { name: "spec", t: "msg", s: { 1: { name: "finalizers", t: "strings" } } },
    3: IGNORE("status"),
  },
  "v1/ServiceAccount": {
    1: { name: "metadata", t: "msg", s: META },
    2: { name: "secrets", t: "msgs", s: OBJECT_REF },
    3: { name: "imagePullSecrets", t: "msgs", s: { 1: { name: "name", t: "string" } } },
    4: { name: "automountServiceAccountToken", t: "bool", ptr: true },
  },
};
const UNKNOWN: Schema = {
  1: {
    name: "typeMeta",
    t: "msg",
    s: { 1: { name: "apiVersion", t: "string" }, 2: { name: "kind", t: "string" } },
  },
  2: { name: "raw", t: "bytes" },
  3: { name: "contentEncoding", t: "string" },
  4: IGNORE("contentType"),
};

const decoder = new TextDecoder();

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  varint(): number {
    let result = 0, shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error("truncated varint");
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
    }
  }
  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.buf.length) throw new Error("truncated field");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function decode(buf: Uint8Array, schema: Schema): Obj {
  const r = new Reader(buf);
  const out: Obj = {};
  while (r.pos < buf.length) {
    const tag = r.varint();
    const num = Math.floor(tag / 8), wire = tag & 7;
    const f = schema[num];
    if (!f) {
      // Go's generated marshallers write every non-pointer field, zero or not: an unknown
      // field is fine while it holds nothing
      if (wire === 0 && r.varint() === 0) continue;
      if (wire === 2 && r.bytes().length === 0) continue;
      throw new UnknownField(`field ${num}`);
    }
    if (f.t === "ignore") {
      r.skip(wire);
      continue;
    }
    switch (f.t) {
      case "string": {
        // proto3: an empty string is an unset field
        const v = decoder.decode(r.bytes());
        if (v !== "") out[f.name] = v;
        break;
      }
      case "bytes":
        out[f.name] = r.bytes();
        break;
      case "int": {
        // negative int64 as two's complement; zero only kept for pointer fields (omitempty)
        const v = r.varint();
        if (v !== 0 || f.ptr) out[f.name] = v >= 2 ** 63 ? v - 2 ** 64 : v;
        break;
      }
      case "bool": {
        const v = r.varint() !== 0;
        if (v || f.ptr) out[f.name] = v;
        break;
      }
      case "strings":
        ((out[f.name] ??= []) as string[]).push(decoder.decode(r.bytes()));
        break;
      case "msg":
        out[f.name] = decode(r.bytes(), f.s);
        break;
      case "msgs":
        ((out[f.name] ??= []) as Obj[]).push(decode(r.bytes(), f.s));
        break;
      case "map": {
        const e = decode(r.bytes(), {
          1: { name: "k", t: "string" },
          2: { name: "v", t: "bytes" },
        });
        const v = (e.v as Uint8Array | undefined) ?? new Uint8Array();
        const value = f.quantity
          ? String(decode(v, { 1: { name: "q", t: "string" } }).q ?? "")
          : f.bytes
          ? b64(v)
          : decoder.decode(v);
        ((out[f.name] ??= {}) as Obj)[String(e.k ?? "")] = value;
        break;
      }
    }
  }
  return out;
}

/** Decodes a `application/vnd.kubernetes.protobuf` body into a JSON object (415 when unsupported). */
export function decodeProtobuf(body: Uint8Array): Obj {
  const magic = [0x6b, 0x38, 0x73, 0x00];
  if (body.length < 4 || magic.some((b, i) => body[i] !== b)) {
    throw failure(400, "BadRequest", "protobuf body without the k8s envelope magic");
  }
  let envelope: Obj;
  try {
    envelope = decode(body.subarray(4), UNKNOWN);
  } catch (e) {
    throw failure(400, "BadRequest", `undecodable protobuf envelope: ${(e as Error).message}`);
  }
  const tm = (envelope.typeMeta ?? {}) as Obj;
  const key = `${tm.apiVersion}/${tm.kind}`;
  const schema = KINDS[key];
  if (!schema || envelope.contentEncoding) {
    throw failure(
      415,
      "UnsupportedMediaType",
      `the embedded API server decodes protobuf only for ${
        Object.keys(KINDS).join(", ")
      }; send ${key} as application/json`,
    );
  }
  try {
    const obj = decode((envelope.raw as Uint8Array | undefined) ?? new Uint8Array(), schema);
    return { apiVersion: tm.apiVersion, kind: tm.kind, ...obj };
  } catch (e) {
    if (e instanceof UnknownField) {
      throw failure(
        415,
        "UnsupportedMediaType",
        `the embedded API server cannot decode this protobuf ${key} (${e.message} unknown); send it as application/json`,
      );
    }
    throw failure(400, "BadRequest", `undecodable protobuf ${key}: ${(e as Error).message}`);
  }
}
