import type { KubeObject, ResourceType } from "../client/types.ts";
import { _reconcileContext, ReconcileFlow } from "./_reconcile_flow.ts";
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
  const ctx = _reconcileContext({
    controller: "test",
    key: "ns/a",
    type: TestType,
    ...(signal ? { signal } : {}),
  }, flow);
  return { ctx, flow };
}

export const obj: KubeObject = {
  apiVersion: TestType.apiVersion,
  kind: TestType.kind,
  metadata: { name: "a", namespace: "ns", uid: "uid-a", generation: 1, resourceVersion: "1" },
};
