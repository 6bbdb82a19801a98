import type { StatusCause } from "../../client/types.ts";

/** An OpenAPI v3 schema as a CRD carries it (`openAPIV3Schema`), structural. */
export interface JSONSchemaProps {
  type?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  items?: JSONSchemaProps;
  additionalProperties?: boolean | JSONSchemaProps;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  [key: string]: unknown;
}

/**
 * Validates `obj` against `schema` (types, required, enum, bounds, lengths, patterns,
 * formats). Returns one cause per failing field, worded as kube-apiserver words them, e.g.
 * `{reason:"FieldValueInvalid", field:"spec.replicas", message:"Invalid value: 11: spec.replicas in body should be less than or equal to 10"}`.
 * Empty when valid. The root object's `apiVersion`, `kind` and `metadata` are not checked here.
 */
export function validateAgainstSchema(_schema: JSONSchemaProps, _obj: unknown): StatusCause[] {
  return [];
}

/** Removes fields the schema does not declare (unless preserve-unknown). Returns a new value and the pruned paths. */
export function prune(
  _schema: JSONSchemaProps,
  obj: unknown,
): { value: unknown; pruned: string[] } {
  return { value: obj, pruned: [] };
}

/** Fills schema defaults into absent fields. Returns a new value. */
export function applyDefaults(_schema: JSONSchemaProps, obj: unknown): unknown {
  return obj;
}
