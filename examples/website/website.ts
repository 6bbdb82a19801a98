/**
 * The Website custom resource of the example operator, defined once with
 * `defineCustomResource()`: group demo.operatorkit.io, version v1alpha1, namespaced; spec
 * `html` (required) and `replicas` (1..10, default 1); status with `observedGeneration` and
 * `conditions` behind the status subresource. Print its CRD with
 * `deno task crds examples/website/website.ts`.
 *
 * @module
 */
import { z } from "zod";
import {
  type CustomObject,
  type CustomResourceType,
  defineCustomResource,
} from "../../client/custom_resource.ts";
import { conditionSchema } from "../../controller/status.ts";

/** The Website spec. */
export const WebsiteSpec = z.object({
  html: z.string().describe("The page served at /"),
  replicas: z.int().min(1).max(10).default(1).describe("Number of nginx pods"),
});

/** The Website status. */
export const WebsiteStatus = z.object({
  observedGeneration: z.int().min(0).optional(),
  conditions: z.array(conditionSchema).optional(),
});

/** A Website object, as decoded. */
export type Website = CustomObject<z.output<typeof WebsiteSpec>, z.output<typeof WebsiteStatus>>;

/** The Website resource type with its CRD. */
export const Website: CustomResourceType<Website> = defineCustomResource({
  group: "demo.operatorkit.io",
  version: "v1alpha1",
  kind: "Website",
  shortNames: ["ws"],
  scope: "Namespaced",
  spec: WebsiteSpec,
  status: WebsiteStatus,
  printerColumns: [
    { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
});
