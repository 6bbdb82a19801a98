// Internal contract between the embedded server's request handlers (testing/_server/*) and the
// patch engines. Signatures here are fixed; implementations live in the sibling files.
export { applyMergePatch } from "./merge_patch.ts";
export { applyJsonPatch, PatchError } from "./json_patch.ts";
export { applyStrategicMergePatch, strategicMergeSchemaFor } from "./strategic_merge.ts";
export type { StrategicMergeSchema } from "./strategic_merge.ts";
export { formatApplyConflicts, recordUpdate, serverSideApply } from "./server_side_apply.ts";
export type { ApplyConflict, ApplyResult } from "./server_side_apply.ts";
export type { ManagedFieldsEntry } from "../../client/types.ts";
