// The Website resource type as the operator needs it. The zod-defined CRD lives in
// website.ts (written with defineCustomResource); this plain descriptor lets the operator
// and its tests run without it and must stay equal to it.
import type { ResourceType } from "../../client/types.ts";
import type { WebsiteLike } from "./children.ts";

export const WebsiteType: ResourceType<WebsiteLike> = {
  group: "demo.operatorkit.io",
  version: "v1alpha1",
  apiVersion: "demo.operatorkit.io/v1alpha1",
  kind: "Website",
  plural: "websites",
  namespaced: true,
};
