// Internal contract between the embedded server's handlers and the schema engines (CRD
// structural schemas, OpenAPI documents for kubectl, server-side Table printing).
export type { JSONSchemaProps } from "./structural.ts";
export { applyDefaults, prune, validateAgainstSchema } from "./structural.ts";
export { validateCustomResourceDefinition } from "./crd_validation.ts";
export { openApiV3Document, openApiV3Index } from "./openapi.ts";
export type { OpenApiResource } from "./openapi.ts";
export { renderTable } from "./table.ts";
export type { PrinterColumn } from "./table.ts";
