import assert from "node:assert/strict";
import { _eventName } from "./_event_name.ts";

Deno.test("event names: <name>.<suffix>, cut to 253 characters, always a DNS subdomain", () => {
  assert.equal(_eventName("site", "18c2a1f00"), "site.18c2a1f00");
  const long = "a".repeat(253);
  const n = _eventName(long, "18c2a1f00");
  assert.equal(n.length, 253);
  assert.ok(n.endsWith(".18c2a1f00"));
  assert.ok(n.startsWith("a".repeat(243)));
  // A cut that ends on '-' or '.' drops it.
  const dotted = "b".repeat(241) + "-." + "c".repeat(10);
  const m = _eventName(dotted, "18c2a1f00");
  assert.equal(m, "b".repeat(241) + ".18c2a1f00");
  assert.match(m, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
  // Names Events cannot carry (RBAC allows ':') fall back to the suffix alone.
  assert.equal(_eventName("system:controller", "ff"), "event.ff");
});
