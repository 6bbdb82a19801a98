// An order-independent fingerprint of a set of objects by (uid, resourceVersion): the sum,
// modulo 2^32, of each pair's 32-bit FNV-1a hash. Two caches holding the same object versions
// have the same fingerprint whatever their order; a missing, extra or stale object changes it
// (up to hash collisions). Computed on demand (O(n)), never on the watch path.

function _fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The fingerprint of `objects` (see above); 0 for none. */
export function _cacheFingerprint(
  objects: Iterable<{ metadata: { uid?: string; resourceVersion?: string } }>,
): number {
  let sum = 0;
  for (const o of objects) {
    sum = (sum + _fnv1a(`${o.metadata.uid ?? ""}/${o.metadata.resourceVersion ?? ""}`)) >>> 0;
  }
  return sum;
}
