// The Website resource type as the operator code sees it: the zod-defined Website of
// website.ts (with its schema, so every object read is validated), typed by the fields
// the operator uses.
import type { ResourceType } from "../../client/types.ts";
import type { WebsiteLike } from "./children.ts";
import { Website } from "./website.ts";

export const WebsiteType: ResourceType<WebsiteLike> = Website as unknown as ResourceType<
  WebsiteLike
>;
