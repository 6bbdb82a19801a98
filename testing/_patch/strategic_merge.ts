/**
 * Merge information for one built-in type: for each list path (dotted, with `[]` for list
 * items, e.g. `spec.template.spec.containers`), the merge key (`name`) or `"set"` for
 * primitive lists merged as sets.
 */
export type StrategicMergeSchema = Record<string, string>;

/** The strategic-merge schema for a built-in apiVersion/kind, or undefined (CRs: 415). */
export function strategicMergeSchemaFor(
  _apiVersion: string,
  _kind: string,
): StrategicMergeSchema | undefined {
  return undefined;
}

/** Strategic merge patch for built-in types. Returns a new value. Throws PatchError. */
export function applyStrategicMergePatch(
  _target: unknown,
  _patch: unknown,
  _schema: StrategicMergeSchema,
): unknown {
  throw new Error("applyStrategicMergePatch: not implemented yet");
}
