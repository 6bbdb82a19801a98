import type { KubeObject, ResourceType } from "../client/types.ts";
import { createReconcileContext, ReconcileFlow } from "./reconcile_context.ts";
import type { ReconcileContext } from "./resource.ts";

export const TestType: ResourceType<KubeObject> = {
  group: "demo.operatorkit.io",
  version: "v1",
  apiVersion: "demo.operatorkit.io/v1",
  kind: "Thing",
  plural: "things",
  namespaced: true,
};

export function testContext(
  signal?: AbortSignal,
): { ctx: ReconcileContext<KubeObject>; flow: ReconcileFlow } {
  const flow = new ReconcileFlow();
  const ctx = createReconcileContext({
    controller: "test",
    key: "ns/a",
    type: TestType,
    flow,
    ...(signal ? { signal } : {}),
  });
  return { ctx, flow };
}

export const obj: KubeObject = {
  apiVersion: TestType.apiVersion,
  kind: TestType.kind,
  metadata: { name: "a", namespace: "ns", uid: "uid-a", generation: 1, resourceVersion: "1" },
};
