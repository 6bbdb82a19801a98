// What operatorkit's peers run with: the runtime settings of the generated Deployment.
/**
 * The runtime settings of the operator Deployment that `operatorManifests()` generates: its
 * DENO_V8_FLAGS, MALLOC_ARENA_MAX and DENO_NO_UPDATE_CHECK, which operatorkit's peers run with.
 */
export async function deployedEnv(): Promise<Record<string, string>> {
  const { operatorManifests } = await import("../../cli/manifests.ts");
  const docs = JSON.stringify(operatorManifests({ name: "op", namespace: "op", image: "op:1" }));
  const out: Record<string, string> = {};
  for (const name of ["DENO_V8_FLAGS", "MALLOC_ARENA_MAX", "DENO_NO_UPDATE_CHECK"]) {
    const m = new RegExp(`"name":"${name}","value":"([^"]*)"`).exec(docs);
    if (m) out[name] = m[1];
  }
  return out;
}
