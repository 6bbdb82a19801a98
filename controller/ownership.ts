/**
 * Owner references: the controller reference a child carries (so the garbage collector
 * removes it with its owner and the controller hears about its changes), and the refusal
 * to take over a child that another owner controls.
 *
 * @module
 */
import type { KubeObject, OwnerReference } from "../client/types.ts";

/**
 * Thrown when a child is already controlled by another owner (its `ownerReferences` has a
 * `controller: true` entry with another uid): adopting it would fight the other controller.
 *
 * @example
 * ```ts
 * import { AlreadyOwnedError } from "./ownership.ts";
 * import assert from "node:assert/strict";
 * const e = new AlreadyOwnedError("ConfigMap default/web", { kind: "Website", name: "other", uid: "u2" }, "Website web");
 * assert.ok(e instanceof AlreadyOwnedError);
 * assert.match(e.message, /controlled by Website other/);
 * ```
 */
export class AlreadyOwnedError extends Error {
  /** The controller reference the child already carries. */
  readonly current: Pick<OwnerReference, "kind" | "name" | "uid">;

  /** Creates the error: `child` and `owner` are descriptions such as `ConfigMap ns/name`. */
  constructor(
    child: string,
    current: Pick<OwnerReference, "kind" | "name" | "uid">,
    owner: string,
  ) {
    super(
      `Expected ${child} to be controlled by ${owner} or by nothing, found it controlled by ${current.kind} ${current.name} (uid ${current.uid}); refusing to adopt it`,
    );
    this.name = "AlreadyOwnedError";
    this.current = current;
  }
}

/**
 * The controller reference to `owner`: `controller: true` and `blockOwnerDeletion: true`, as
 * controller-runtime's `SetControllerReference` writes it. The owner must carry `apiVersion`,
 * `kind`, `name` and `uid` (objects from a controller's cache do; items of a built-in list do
 * not carry `apiVersion`/`kind`: pass `type` then).
 *
 * @example
 * ```ts
 * import { controllerReference } from "./ownership.ts";
 * import assert from "node:assert/strict";
 * const site = { apiVersion: "demo.io/v1", kind: "Website", metadata: { name: "web", uid: "u1" } };
 * assert.deepEqual(controllerReference(site), {
 *   apiVersion: "demo.io/v1",
 *   kind: "Website",
 *   name: "web",
 *   uid: "u1",
 *   controller: true,
 *   blockOwnerDeletion: true,
 * });
 * ```
 */
export function controllerReference(
  owner: KubeObject,
  type?: { apiVersion: string; kind: string },
): OwnerReference {
  const apiVersion = owner.apiVersion ?? type?.apiVersion;
  const kind = owner.kind ?? type?.kind;
  const { name, uid } = owner.metadata;
  if (!apiVersion || !kind || !name || !uid) {
    throw new TypeError(
      `Expected an owner with apiVersion, kind, metadata.name and metadata.uid, found ${
        JSON.stringify({ apiVersion, kind, name, uid })
      }`,
    );
  }
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

/**
 * Returns `child` with the controller reference to `owner` set (replacing an older reference
 * to the same owner uid, keeping other non-controller references). Throws
 * {@linkcode AlreadyOwnedError} when another owner controls `child`. `child` is not modified.
 *
 * @example
 * ```ts
 * import { AlreadyOwnedError, setControllerReference } from "./ownership.ts";
 * import type { ConfigMap } from "../client/builtin_types.ts";
 * import assert from "node:assert/strict";
 * const site = { apiVersion: "demo.io/v1", kind: "Website", metadata: { name: "web", uid: "u1" } };
 * const desired: ConfigMap = { metadata: { name: "web-html", namespace: "ns" } };
 * const cm = setControllerReference(site, desired);
 * assert.equal(cm.metadata.ownerReferences?.[0].uid, "u1");
 * const other = { ...site, metadata: { name: "other", uid: "u2" } };
 * assert.throws(() => setControllerReference(other, cm), AlreadyOwnedError);
 * ```
 */
export function setControllerReference<C extends KubeObject>(
  owner: KubeObject,
  child: C,
  options: { type?: { apiVersion: string; kind: string } } = {},
): C {
  const ref = controllerReference(owner, options.type);
  const refs = child.metadata.ownerReferences ?? [];
  const current = refs.find((r) => r.controller === true && r.uid !== ref.uid);
  if (current) {
    const { namespace, name } = child.metadata;
    throw new AlreadyOwnedError(
      `${child.kind ?? "object"} ${namespace ? `${namespace}/` : ""}${name}`,
      current,
      `${ref.kind} ${ref.name}`,
    );
  }
  return {
    ...child,
    metadata: {
      ...child.metadata,
      ownerReferences: [...refs.filter((r) => r.uid !== ref.uid), ref],
    },
  };
}

/**
 * The controller reference `obj` carries, if any.
 *
 * @example
 * ```ts
 * import { getControllerOf } from "./ownership.ts";
 * import assert from "node:assert/strict";
 * const ref = { apiVersion: "v1", kind: "X", name: "x", uid: "u", controller: true };
 * assert.equal(getControllerOf({ metadata: { ownerReferences: [ref] } })?.uid, "u");
 * assert.equal(getControllerOf({ metadata: {} }), undefined);
 * ```
 */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}
