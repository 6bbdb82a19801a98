/** A CRD additionalPrinterColumn. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

/**
 * Builds a `meta.k8s.io/v1` Table for `kubectl get` from objects of one kind. `columns` are
 * the CRD's additionalPrinterColumns (custom resources); for built-in kinds the engine uses
 * its own columns (NAME, AGE, and kind-specific ones like DATA for ConfigMaps).
 * `includeObject` follows the request's `includeObject` parameter (None|Metadata|Object;
 * kubectl sends Metadata... the object goes into each row's `object`).
 */
export function renderTable(_args: {
  apiVersion: string;
  kind: string;
  objects: Record<string, unknown>[];
  columns?: PrinterColumn[];
  listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  includeObject?: string;
  now: number;
}): Record<string, unknown> {
  throw new Error("renderTable: not implemented yet");
}
