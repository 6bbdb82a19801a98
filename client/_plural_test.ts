import assert from "node:assert/strict";
import { _IrregularPluralError, _pluralize } from "./_plural.ts";

Deno.test("pluralize: -y, -s, -x, -z, -ch, -sh and the regular case", () => {
  const cases: Array<[string, string]> = [
    ["Policy", "policies"],
    ["NetworkPolicy", "networkpolicies"],
    ["Gateway", "gateways"], // a vowel before the y: just -s
    ["Ingress", "ingresses"],
    ["Status", "statuses"],
    ["Alias", "aliases"],
    ["Box", "boxes"],
    ["Index", "indexes"],
    ["Quiz", "quizes"],
    ["Branch", "branches"],
    ["Patch", "patches"],
    ["Mesh", "meshes"],
    ["Stash", "stashes"],
    ["Website", "websites"],
    ["Greeting", "greetings"],
    ["Human", "humans"], // "man" is irregular only as a whole word
    ["Photo", "photos"],
  ];
  for (const [kind, plural] of cases) assert.equal(_pluralize(kind), plural, kind);
});

Deno.test("pluralize: an irregular last word needs an explicit plural, with a suggestion", () => {
  assert.throws(() => _pluralize("Person"), _IrregularPluralError);
  assert.throws(
    () => _pluralize("SalesPerson"),
    /expected an explicit plural for kind SalesPerson: its last word "person" .* e\.g\. "salespeople"/,
  );
  assert.throws(() => _pluralize("DataAnalysis"), /"dataanalyses"/);
  assert.throws(() => _pluralize("Leaf"), /"leaves"/);
});
