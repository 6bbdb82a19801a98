// Finds and reads the inputs of the API generator: the OpenAPI v3 documents that
// k8s.io/kubernetes ships (api/openapi-spec/v3/), for the version tools/envtest/ builds, and the
// short names and categories that kube-apiserver's registry code declares (they are not in
// the OpenAPI documents).

/** One OpenAPI v3 schema object, as the Kubernetes documents write it. */
export interface OpenApiSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  required?: string[];
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  $ref?: string;
  default?: unknown;
  enum?: unknown[];
  [extension: string]: unknown;
}

/** One OpenAPI v3 document (one group version). */
export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

/** The generator's inputs, read from the Go module cache. */
export interface SpecInput {
  /** The Kubernetes version, e.g. `v1.36.3`. */
  version: string;
  /** `group/version` (core: `v1`) -> its document, for every group version read. */
  documents: Map<string, OpenApiDocument>;
  /** plural -> short names and categories from the registry code. */
  registry: Map<string, RegistryFacts>;
}

/** What kube-apiserver's registry code says about one resource (by plural). */
export interface RegistryFacts {
  shortNames: string[];
  categories: string[];
  /** The strategy sets metadata.generation on create (`Generation = 1`). */
  generation: boolean;
  /** DELETE answers the deleted object, not a Status (`ReturnDeletedObject: true`). */
  returnDeleted: boolean;
}

const ENVTEST_MODULE = new URL("../envtest/apiserver/", import.meta.url);

/** The k8s.io/kubernetes version tools/envtest/ builds, from its go.mod. */
export async function kubernetesVersion(): Promise<string> {
  const goMod = await Deno.readTextFile(new URL("go.mod", ENVTEST_MODULE));
  const m = goMod.match(/^\s*k8s\.io\/kubernetes (v[0-9][^\s]*)/m);
  if (!m) throw new Error("tools/envtest/apiserver/go.mod does not require k8s.io/kubernetes");
  return m[1];
}

/**
 * The directory of a Go module in the module cache (`go mod download -json`), or undefined
 * when `offline` and it is not cached, or when `go` is missing.
 */
export async function moduleDir(
  path: string,
  version: string,
  offline: boolean,
): Promise<string | undefined> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("go", {
      args: ["mod", "download", "-json", `${path}@${version}`],
      cwd: ENVTEST_MODULE,
      env: offline ? { GOPROXY: "off", GOFLAGS: "-mod=mod" } : { GOFLAGS: "-mod=mod" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  const text = new TextDecoder().decode(out.stdout);
  let info: { Dir?: string; Error?: string };
  try {
    info = JSON.parse(text);
  } catch {
    throw new Error(
      `go mod download ${path}@${version} printed no JSON: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  if (info.Dir) {
    try {
      await Deno.stat(info.Dir);
      return info.Dir;
    } catch { /* not extracted */ }
  }
  if (offline) return undefined;
  throw new Error(`go mod download ${path}@${version} failed: ${info.Error ?? text}`);
}

/** The version of a staging module (k8s.io/apiextensions-apiserver) that go.mod pins. */
async function stagingVersion(module: string): Promise<string> {
  const goMod = await Deno.readTextFile(new URL("go.mod", ENVTEST_MODULE));
  // the replace directive (`k8s.io/x => k8s.io/x v0.36.3`) wins over the v0.0.0 require
  const name = module.replaceAll(".", "\\.");
  const m = goMod.match(new RegExp(`^\\s*${name}\\s+=>\\s+\\S+\\s+(v[0-9][^\\s]*)`, "m")) ??
    goMod.match(new RegExp(`^\\s*${name}\\s+(v[0-9][^\\s]*)`, "m"));
  if (!m) throw new Error(`tools/envtest/apiserver/go.mod does not mention ${module}`);
  return m[1];
}

/** True for the versions a default kube-apiserver serves: GA only (see README of tools/gen_api). */
export function isServedByDefault(version: string): boolean {
  return /^v[0-9]+$/.test(version);
}

/**
 * Reads the inputs, or returns undefined when `offline` and the module cache lacks them.
 */
export async function readSpecInput(offline: boolean): Promise<SpecInput | undefined> {
  const version = await kubernetesVersion();
  const kube = await moduleDir("k8s.io/kubernetes", version, offline);
  if (!kube) return undefined;
  const dir = `${kube}/api/openapi-spec/v3`;
  const documents = new Map<string, OpenApiDocument>();
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  for (const name of names) {
    const m = name.match(/^api__(v[0-9a-z]+)_openapi\.json$/) ??
      name.match(/^apis__([a-z0-9.-]+)__(v[0-9a-z]+)_openapi\.json$/);
    if (!m) continue;
    const gv = m.length === 2 ? m[1] : `${m[1]}/${m[2]}`;
    if (!isServedByDefault(gv.split("/").pop()!)) continue;
    documents.set(gv, JSON.parse(await Deno.readTextFile(`${dir}/${name}`)));
  }
  const registry = new Map<string, RegistryFacts>();
  const roots = [`${kube}/pkg/registry`];
  for (const mod of ["k8s.io/apiextensions-apiserver", "k8s.io/kube-aggregator"]) {
    const d = await moduleDir(mod, await stagingVersion(mod), offline);
    if (!d) return undefined;
    roots.push(`${d}/pkg/registry`);
  }
  for (const root of roots) await scanRegistry(root, registry);
  return { version, documents, registry };
}

const RESOURCE_RE = /\.Resource\("([a-z0-9]+)"\)/;
const SHORT_RE = /ShortNames\(\) \[\]string \{\s*return \[\]string\{([^}]*)\}/;
const CATEGORIES_RE = /Categories\(\) \[\]string \{\s*return \[\]string\{([^}]*)\}/;

function stringList(src: string): string[] {
  return [...src.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

// Each storage file declares its resource (`DefaultQualifiedResource: apps.Resource("x")`)
// before the REST methods ShortNames() and Categories(); the first Resource("...") names it.
// A resource's strategy.go sits one directory above its storage/ directory.
async function scanRegistry(root: string, out: Map<string, RegistryFacts>): Promise<void> {
  const stack = [root];
  const dirPlural = new Map<string, string>();
  const generationDirs: string[] = [];
  const facts = (plural: string) => {
    const f = out.get(plural) ??
      { shortNames: [], categories: [], generation: false, returnDeleted: false };
    out.set(plural, f);
    return f;
  };
  while (stack.length) {
    const dir = stack.pop()!;
    for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) stack.push(p);
      if (!e.isFile || !e.name.endsWith(".go") || e.name.endsWith("_test.go")) continue;
      const src = await Deno.readTextFile(p);
      if (e.name === "strategy.go" && /\.Generation = 1\b/.test(src)) generationDirs.push(dir);
      const declared = /DefaultQualifiedResource:/.test(src)
        ? src.match(RESOURCE_RE)?.[1]
        : undefined;
      if (declared && /ReturnDeletedObject:\s*true/.test(src)) facts(declared).returnDeleted = true;
      if (declared) {
        // storage in <resource>/storage/ (kube) or beside strategy.go (apiextensions)
        const owner = dir.endsWith("/storage") ? dir.slice(0, -"/storage".length) : dir;
        if (!dirPlural.has(owner)) dirPlural.set(owner, declared);
      }
      const short = src.match(SHORT_RE);
      const cats = src.match(CATEGORIES_RE);
      if (!short && !cats) continue;
      const res = src.match(RESOURCE_RE)?.[1] ?? fallbackPlural(p);
      if (!res) continue;
      if (short) facts(res).shortNames = stringList(short[1]);
      if (cats) facts(res).categories = stringList(cats[1]);
    }
  }
  for (const dir of generationDirs) {
    const plural = dirPlural.get(dir);
    if (plural) facts(plural).generation = true;
  }
}

// componentstatus/rest.go names no Resource("..."); its plural is the directory's + "es".
function fallbackPlural(path: string): string | undefined {
  return path.endsWith("/componentstatus/rest.go") ? "componentstatuses" : undefined;
}
