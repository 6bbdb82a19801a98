// `deno task gen:api`: regenerates api/ and the embedded server's schema table from the
// OpenAPI v3 documents of the Kubernetes version tools/envtest/ builds (read from the Go
// module cache; `go mod download` fetches the module when it is missing).
import { emitTable, TABLE_PATH } from "./emit_table.ts";
import { emitTypes } from "./emit_ts.ts";
import { clientReexports } from "./emit_examples.ts";
import { buildModel } from "./model.ts";
import { readSpecInput, type SpecInput } from "./spec.ts";

/** Every generated file: path relative to the repository root -> contents. */
export function generate(input: SpecInput): Map<string, string> {
  const model = buildModel(input);
  const files = emitTypes(model, clientReexports(ROOT));
  files.set(TABLE_PATH, emitTable(model));
  return files;
}

/** The repository root. */
export const ROOT: URL = new URL("../../", import.meta.url);

/** The deno.json export entries of the generated modules, sorted. */
export function exportEntries(files: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of [...files.keys()].filter((p) => /^api\/.*\/mod\.ts$/.test(p)).sort()) {
    out[`./${path.replace(/\/mod\.ts$/, "")}`] = `./${path}`;
  }
  return out;
}

async function main(): Promise<void> {
  const input = await readSpecInput(false);
  if (!input) throw new Error("the Kubernetes OpenAPI documents could not be found");
  const files = generate(input);
  // api/ holds only generated modules: remove stale ones first
  await Deno.remove(new URL("api/", ROOT), { recursive: true }).catch(() => {});
  for (const [path, text] of files) {
    const url = new URL(path, ROOT);
    await Deno.mkdir(new URL(".", url), { recursive: true });
    await Deno.writeTextFile(url, text);
  }
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const current = Object.entries(denoJson.exports as Record<string, string>);
  const wanted = exportEntries(files);
  const apiNow = Object.fromEntries(current.filter(([k]) => k.startsWith("./api/")));
  if (JSON.stringify(apiNow) !== JSON.stringify(wanted)) {
    // other entries keep their place; the api entries go where the first one was (or last)
    const at = current.findIndex(([k]) => k.startsWith("./api/"));
    const rest = current.filter(([k]) => !k.startsWith("./api/"));
    const index = at < 0 ? rest.length : at;
    rest.splice(index, 0, ...Object.entries(wanted));
    denoJson.exports = Object.fromEntries(rest);
    await Deno.writeTextFile(new URL("deno.json", ROOT), JSON.stringify(denoJson, null, 2) + "\n");
  }
  console.log(
    `wrote ${files.size} files for Kubernetes ${input.version} (${input.documents.size} group versions)`,
  );
}

if (import.meta.main) await main();
