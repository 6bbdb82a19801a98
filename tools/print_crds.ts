/**
 * Prints the CRD YAML of every custom resource type a module exports.
 *
 * Usage:
 *
 * ```sh
 * deno run -A tools/print_crds.ts <module> [<module> ...] > crds.yaml
 * deno run -A tools/print_crds.ts examples/website/website.ts | kubectl apply -f -
 * ```
 *
 * Each `<module>` is a path (relative to the current directory) or a URL. Every export that
 * `defineCustomResource()` built (it carries a `.crd`) is printed, one YAML document each,
 * in export order, separated by `---`; the same CRD exported twice is printed once. Exits
 * with status 1 and a message on stderr when a module cannot be imported or exports no custom
 * resource type; status 2 without arguments. The operator runtime's manifests command reuses
 * `printCrds()`.
 *
 * @module
 */
import { crdManifestYaml, isCustomResourceType } from "../client/custom_resource.ts";
import type { CustomResourceDefinition } from "../client/builtin_types.ts";

/**
 * Imports each module and returns the CRD YAML of the custom resource types it exports.
 * Throws when a module exports none.
 *
 * @example
 * ```ts ignore
 * import { printCrds } from "./print_crds.ts";
 * console.log(await printCrds(["./examples/website/website.ts"]));
 * ```
 */
export async function printCrds(
  modules: string[],
  options: { cwd?: string } = {},
): Promise<string> {
  const cwd = options.cwd ?? Deno.cwd();
  const crds: CustomResourceDefinition[] = [];
  const names = new Set<string>();
  for (const spec of modules) {
    const url = /^[a-z][a-z0-9+.-]*:/i.test(spec) ? new URL(spec) : new URL(
      spec,
      `file://${cwd.endsWith("/") ? cwd : `${cwd}/`}`,
    );
    const mod: Record<string, unknown> = await import(url.href);
    let found = 0;
    for (const value of Object.values(mod)) {
      if (!isCustomResourceType(value)) continue;
      found++;
      const name = value.crd.metadata.name ?? "";
      if (names.has(name)) continue;
      names.add(name);
      crds.push(value.crd);
    }
    if (found === 0) {
      throw new Error(
        `expected ${spec} to export at least one defineCustomResource() type, found exports: ${
          Object.keys(mod).join(", ") || "(none)"
        }`,
      );
    }
  }
  return await crdManifestYaml(...crds);
}

if (import.meta.main) {
  if (Deno.args.length === 0 || Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.error("usage: deno run -A tools/print_crds.ts <module> [<module> ...]");
    Deno.exit(Deno.args.length === 0 ? 2 : 0);
  }
  try {
    await Deno.stdout.write(new TextEncoder().encode(await printCrds(Deno.args)));
  } catch (e) {
    console.error(`print_crds: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
