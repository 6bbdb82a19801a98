/**
 * The conversion webhook: `handleConversionReview()` answers an apiextensions.k8s.io/v1
 * ConversionReview for the multi-version custom resource types given, converting through
 * each type's storage version (see `client/conversion.ts`). A malformed review or a failing
 * conversion answers `result.status: Failure` with a message, never a 500.
 *
 * @module
 */
import type { KubeObject } from "../client/types.ts";
import {
  ConversionError,
  convertObject,
  type CustomResourceConversion,
} from "../client/conversion.ts";
import type { ConversionReview } from "./review_types.ts";

/**
 * The URL path of the conversion webhook (one for every kind, as controller-runtime).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { defineCustomResource } from "../client/custom_resource.ts";
 * import { CONVERSION_PATH } from "./conversion.ts";
 * import { staticCertificate } from "./certificates.ts";
 * import { generateWebhookCertificate } from "./self_managed.ts";
 * import { serveWebhooks } from "./server.ts";
 * const Thing = defineCustomResource({
 *   group: "demo.operatorkit.io",
 *   version: "v1",
 *   kind: "Thing",
 *   scope: "Namespaced",
 *   spec: z.object({ size: z.int() }),
 *   versions: [{
 *     name: "v1alpha1",
 *     spec: z.object({ size: z.string() }),
 *     conversion: {
 *       toStorage: (o) => ({ ...o, spec: { size: Number(o.spec.size) } }),
 *       fromStorage: (o) => ({ ...o, spec: { size: String(o.spec.size) } }),
 *     },
 *   }],
 * });
 * const g = await generateWebhookCertificate({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
 * await using server = await serveWebhooks({
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   certificate: staticCertificate(g),
 *   conversion: [Thing],
 * });
 * using http = Deno.createHttpClient({ caCerts: [g.caCert] });
 * const res = await fetch(`${server.url}${CONVERSION_PATH}`, {
 *   method: "POST",
 *   client: http,
 *   body: JSON.stringify({
 *     apiVersion: "apiextensions.k8s.io/v1",
 *     kind: "ConversionReview",
 *     request: {
 *       uid: "c1",
 *       desiredAPIVersion: "demo.operatorkit.io/v1",
 *       objects: [{ apiVersion: "demo.operatorkit.io/v1alpha1", kind: "Thing", metadata: { name: "a" }, spec: { size: "3" } }],
 *     },
 *   }),
 * });
 * const review = await res.json();
 * assert.equal(review.response.result.status, "Success");
 * assert.equal(review.response.convertedObjects[0].spec.size, 3);
 * ```
 */
export const CONVERSION_PATH = "/convert";

const V1 = "apiextensions.k8s.io/v1";

function _failure(uid: string, message: string): ConversionReview {
  return {
    apiVersion: V1,
    kind: "ConversionReview",
    response: { uid, convertedObjects: [], result: { status: "Failure", message } },
  };
}

/**
 * Answers one ConversionReview (parsed JSON) for the types given (each with `conversion`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { handleConversionReview } from "./conversion.ts";
 * const review = handleConversionReview([], { apiVersion: "v1", kind: "Nope" });
 * assert.equal(review.response?.result.status, "Failure");
 * ```
 */
export function handleConversionReview(
  types: ReadonlyArray<{ conversion?: CustomResourceConversion }>,
  body: unknown,
): ConversionReview {
  const review = body as Partial<ConversionReview> | null;
  if (typeof review !== "object" || review === null || Array.isArray(review)) {
    return _failure("", `expected a ConversionReview object, found ${typeof review}`);
  }
  const req = review.request;
  const uid = typeof req?.uid === "string" ? req.uid : "";
  if (review.apiVersion !== V1 || review.kind !== "ConversionReview") {
    return _failure(
      uid,
      `expected apiVersion ${V1} and kind ConversionReview, found ${String(review.apiVersion)} ${
        String(review.kind)
      }`,
    );
  }
  if (
    typeof req !== "object" || req === null || uid === "" ||
    typeof req.desiredAPIVersion !== "string" || !Array.isArray(req.objects)
  ) {
    return _failure(uid, "expected request with uid, desiredAPIVersion and objects");
  }
  const convertedObjects: KubeObject[] = [];
  for (const [i, obj] of req.objects.entries()) {
    const apiVersion = (obj as { apiVersion?: unknown } | null)?.apiVersion;
    const kind = (obj as { kind?: unknown } | null)?.kind;
    const group = typeof apiVersion === "string" ? apiVersion.split("/")[0] : "";
    const conv = types.find((t) => t.conversion?.group === group && t.conversion.kind === kind)
      ?.conversion;
    if (!conv) {
      return _failure(
        uid,
        `objects[${i}]: no conversion for ${String(kind)} in ${String(apiVersion)}`,
      );
    }
    try {
      convertedObjects.push(convertObject(conv, obj, req.desiredAPIVersion));
    } catch (err) {
      const message = err instanceof ConversionError || err instanceof Error
        ? err.message
        : String(err);
      return _failure(uid, `objects[${i}]: ${message}`);
    }
  }
  return {
    apiVersion: V1,
    kind: "ConversionReview",
    response: { uid, convertedObjects, result: { status: "Success" } },
  };
}
