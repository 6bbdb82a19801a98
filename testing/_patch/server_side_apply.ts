import type { ManagedFieldsEntry } from "../../client/types.ts";

/** One field another manager owns with a different value. */
export interface ApplyConflict {
  /** The manager that owns the field. */
  manager: string;
  /** The field path as kube prints it, e.g. `.spec.replicas` or `.data.a`. */
  field: string;
}

/** The outcome of an apply: the merged object (with managedFields updated), or conflicts. */
export type ApplyResult =
  | { object: Record<string, unknown>; conflicts?: undefined }
  | { object?: undefined; conflicts: ApplyConflict[] };

/**
 * Server-side apply of `applied` (the user's configuration) onto `live` (undefined when the
 * object does not exist yet). Fields the manager applied before but omits now are removed
 * unless another manager owns them. `force` takes conflicting fields over. The returned
 * object carries `metadata.managedFields` updated for `manager` with operation `Apply`.
 */
export function serverSideApply(_args: {
  live: Record<string, unknown> | undefined;
  applied: Record<string, unknown>;
  manager: string;
  force: boolean;
  apiVersion: string;
  now: string;
  subresource?: string;
}): ApplyResult {
  throw new Error("serverSideApply: not implemented yet");
}

/**
 * Field ownership after a non-apply write (create, update, patch) by `manager`: the fields
 * that changed between `old` and `updated` move to `manager` with operation `Update`.
 * Returns the new managedFields list for `updated`.
 */
export function recordUpdate(args: {
  old: Record<string, unknown> | undefined;
  updated: Record<string, unknown>;
  manager: string;
  apiVersion: string;
  now: string;
  subresource?: string;
}): ManagedFieldsEntry[] {
  return (args.updated.metadata as { managedFields?: ManagedFieldsEntry[] })?.managedFields ?? [];
}
