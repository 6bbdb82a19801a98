// A minimal decoder for the Kubernetes protobuf envelope, enough for the request bodies kubectl's
// typed generators send (`kubectl create configmap|secret|namespace|serviceaccount`): kubectl
// 1.32 posts those as `application/vnd.kubernetes.protobuf` and accepts JSON answers.
// Other kinds answer 415 (see testing/README.md).
import { failure } from "./status.ts";
import type { Obj } from "./util.ts";

type Field =
  | { name: string; t: "string" | "int" | "bool" | "bytes" }
  | { name: string; t: "strings" }
  | { name: string; t: "msg" | "msgs"; s: Schema }
  | { name: string; t: "map"; bytes?: boolean };
type Schema = Record<number, Field>;

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
const KINDS: Record<string, Schema> = {
  "v1/ConfigMap": {
    1: { name: "metadata", t: "msg", s: META },
    2: { name: "data", t: "map" },
    3: { name: "binaryData", t: "map", bytes: true },
    4: { name: "immutable", t: "bool" },
  },
  "v1/Secret": {
    1: { name: "metadata", t: "msg", s: META },
    2: { name: "data", t: "map", bytes: true },
    3: { name: "type", t: "string" },
    4: { name: "stringData", t: "map" },
    5: { name: "immutable", t: "bool" },
  },
  "v1/Namespace": {
    1: { name: "metadata", t: "msg", s: META },
    2: { name: "spec", t: "msg", s: { 1: { name: "finalizers", t: "strings" } } },
  },
  "v1/ServiceAccount": {
    1: { name: "metadata", t: "msg", s: META },
    2: { name: "secrets", t: "msgs", s: OBJECT_REF },
    3: { name: "imagePullSecrets", t: "msgs", s: { 1: { name: "name", t: "string" } } },
    4: { name: "automountServiceAccountToken", t: "bool" },
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
      case "int":
        out[f.name] = r.varint();
        break;
      case "bool":
        out[f.name] = r.varint() !== 0;
        break;
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
        ((out[f.name] ??= {}) as Obj)[String(e.k ?? "")] = f.bytes ? b64(v) : decoder.decode(v);
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
    throw failure(400, "BadRequest", `undecodable protobuf ${key}: ${(e as Error).message}`);
  }
}
