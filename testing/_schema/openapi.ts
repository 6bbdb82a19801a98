import type { JSONSchemaProps } from "./structural.ts";

/** One resource the server serves, as the OpenAPI documents need it. */
export interface OpenApiResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Present for custom resources; built-ins use the engine's own schemas. */
  schema?: JSONSchemaProps;
}

/** `GET /openapi/v3`: `{"paths": {"api/v1": {"serverRelativeURL": ...}, "apis/g/v": ...}}`. */
export function openApiV3Index(_groupVersions: string[]): Record<string, unknown> {
  return { paths: {} };
}

/** `GET /openapi/v3/apis/<g>/<v>` (or `api/v1`): the document kubectl validates against. */
export function openApiV3Document(
  _groupVersion: string,
  _resources: OpenApiResource[],
): Record<string, unknown> {
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.33.0" }, paths: {} };
}
