// A small two-version custom resource for the webhook module's tests: storage v1 holds
// `size` as an integer, v1alpha1 as a string.
import { z } from "zod";
import { defineCustomResource } from "../client/custom_resource.ts";

export function twoVersionThing(group: string) {
  return defineCustomResource({
    group,
    version: "v1",
    kind: "Thing",
    scope: "Namespaced",
    spec: z.object({ size: z.int() }),
    versions: [{
      name: "v1alpha1",
      spec: z.object({ size: z.string() }),
      conversion: {
        toStorage: (o) => ({ ...o, spec: { size: Number(o.spec.size) } }),
        fromStorage: (o) => ({ ...o, spec: { size: String(o.spec.size) } }),
      },
    }],
  });
}
