// defineCustomResource never gives a CRD a silently wrong plural.
import assert from "node:assert/strict";
import { z } from "zod";
import { defineCustomResource } from "./custom_resource.ts";

const base = { group: "demo.operatorkit.io", version: "v1", scope: "Namespaced" as const };
const spec = z.object({ a: z.string().optional() });

Deno.test("defineCustomResource pluralizes -y, -s, -x, -ch, -sh kinds correctly", () => {
  for (
    const [kind, plural] of [
      ["Policy", "policies"],
      ["Ingress", "ingresses"],
      ["Mailbox", "mailboxes"],
      ["Branch", "branches"],
      ["Mesh", "meshes"],
      ["Tenant", "tenants"],
    ]
  ) {
    const t = defineCustomResource({ ...base, kind, spec });
    assert.equal(t.plural, plural);
    assert.equal(t.crd.metadata.name, `${plural}.demo.operatorkit.io`);
    assert.equal(t.crd.spec.names.plural, plural);
  }
});

Deno.test("defineCustomResource asks for the plural of an irregular kind, and takes it", () => {
  assert.throws(
    () => defineCustomResource({ ...base, kind: "SalesPerson", spec }),
    /expected an explicit plural for kind SalesPerson.*"salespeople"/,
  );
  const t = defineCustomResource({ ...base, kind: "SalesPerson", plural: "salespeople", spec });
  assert.equal(t.crd.metadata.name, "salespeople.demo.operatorkit.io");
});
