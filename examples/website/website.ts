/**
 * The Website custom resource of the example operator, defined once with
 * `defineCustomResource()`: group demo.operatorkit.io, version v1alpha1, namespaced; spec
 * `html` (required) and `replicas` (1..10, default 1); status with `observedGeneration` and
 * `conditions` behind the status subresource. Version v1 is served too, with `replicas` moved
 * under `spec.scaling`; v1alpha1 stays the storage version (the hub) and the operator's
 * conversion webhook converts between them. Print its CRD with
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
import { conditionSchema } from "../../controller/condition_schema.ts";
import { versionType } from "../../client/conversion.ts";

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

/** The Website spec at v1: replicas moved under `scaling`. */
export const WebsiteSpecV1 = z.object({
  html: z.string().describe("The page served at /"),
  scaling: z.object({
    replicas: z.int().min(1).max(10).default(1).describe("Number of nginx pods"),
  }).default({ replicas: 1 }),
});

/** A Website object at v1, as decoded. */
export type WebsiteV1 = CustomObject<
  z.output<typeof WebsiteSpecV1>,
  z.output<typeof WebsiteStatus>
>;

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
  versions: [{
    name: "v1",
    spec: WebsiteSpecV1,
    status: WebsiteStatus,
    printerColumns: [
      { name: "Replicas", type: "integer", jsonPath: ".spec.scaling.replicas" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ],
    conversion: {
      toStorage: (site: WebsiteV1): Website => {
        const { scaling, ...rest } = site.spec;
        return { ...site, spec: { ...rest, replicas: scaling?.replicas ?? 1 } };
      },
      fromStorage: (site: Website): WebsiteV1 => {
        const { replicas, ...rest } = site.spec;
        return { ...site, spec: { ...rest, scaling: { replicas: replicas ?? 1 } } };
      },
    },
  }],
});

/** The Website resource type at v1 (read and write Websites with the v1 shape). */
export const WebsiteV1: CustomResourceType<WebsiteV1> = versionType<WebsiteV1>(Website, "v1");
