import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { type OpenApiResource, openApiV3Document, openApiV3Index } from "./openapi.ts";

const configMaps: OpenApiResource = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  namespaced: true,
};
const widgets: OpenApiResource = {
  group: "example.com",
  version: "v1",
  kind: "Widget",
  plural: "widgets",
  namespaced: true,
  subresources: ["status"],
  schema: {
    type: "object",
    properties: {
      spec: { type: "object", properties: { size: { type: "string" } } },
      status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
  },
};
const nodes: OpenApiResource = {
  group: "",
  version: "v1",
  kind: "Node",
  plural: "nodes",
  namespaced: false,
};

// deno-lint-ignore no-explicit-any -- OpenAPI documents are navigated as untyped JSON
type J = Record<string, any>;

Deno.test("openApiV3Index: one serverRelativeURL per group version, hash follows the document", () => {
  const docs = {
    "v1": openApiV3Document("v1", [configMaps]),
    "example.com/v1": openApiV3Document("example.com/v1", [widgets]),
  };
  const index = openApiV3Index(["v1", "example.com/v1"], { documents: docs }) as J;
  assert.deepEqual(Object.keys(index.paths), ["api/v1", "apis/example.com/v1"]);
  assert.match(
    index.paths["api/v1"].serverRelativeURL,
    /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{16}$/,
  );
  assert.match(
    index.paths["apis/example.com/v1"].serverRelativeURL,
    /^\/openapi\/v3\/apis\/example\.com\/v1\?hash=/,
  );
  const changed = openApiV3Index(["v1"], {
    documents: { v1: openApiV3Document("v1", [configMaps, nodes]) },
  }) as J;
  assert.notEqual(
    changed.paths["api/v1"].serverRelativeURL,
    index.paths["api/v1"].serverRelativeURL,
  );
  // without documents the hash is still stable per group version
  assert.deepEqual(openApiV3Index(["apps/v1"]), openApiV3Index(["apis/apps/v1"]));
  assert.throws(() => openApiV3Index(["a/b/c/d"]), {
    name: "TypeError",
    message: /expected a group version like/,
  });
});

Deno.test("openApiV3Document: paths and operations kubectl looks for", () => {
  const doc = openApiV3Document("api/v1", [configMaps, nodes, widgets]) as J;
  assert.equal(doc.openapi, "3.0.0");
  assert.deepEqual(Object.keys(doc.paths).sort(), [
    "/api/v1/configmaps",
    "/api/v1/namespaces/{namespace}/configmaps",
    "/api/v1/namespaces/{namespace}/configmaps/{name}",
    "/api/v1/nodes",
    "/api/v1/nodes/{name}",
  ]);
  const item = doc.paths["/api/v1/namespaces/{namespace}/configmaps/{name}"];
  assert.deepEqual(Object.keys(item).sort(), ["delete", "get", "parameters", "patch", "put"]);
  assert.deepEqual(item.patch["x-kubernetes-group-version-kind"], {
    group: "",
    kind: "ConfigMap",
    version: "v1",
  });
  assert.equal(item.patch.operationId, "patchCoreV1NamespacedConfigMap");
  const params = (op: J) => op.parameters.map((p: J) => `${p.in}:${p.name}`);
  assert.deepEqual(params(item.patch), [
    "query:dryRun",
    "query:fieldManager",
    "query:fieldValidation",
    "query:force",
  ]);
  assert.deepEqual(params(item.put), [
    "query:dryRun",
    "query:fieldManager",
    "query:fieldValidation",
  ]);
  const collection = doc.paths["/api/v1/namespaces/{namespace}/configmaps"];
  assert.deepEqual(params(collection.post), [
    "query:dryRun",
    "query:fieldManager",
    "query:fieldValidation",
  ]);
  assert.ok(params(collection.get).includes("query:watch"));
  // no strategic merge patch: kubectl falls back to its compiled-in types (see openapi.ts)
  assert.deepEqual(Object.keys(item.patch.requestBody.content), [
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
  ]);
  const schema = doc.components.schemas["io.k8s.api.core.v1.ConfigMap"];
  assert.deepEqual(schema["x-kubernetes-group-version-kind"], [{
    group: "",
    kind: "ConfigMap",
    version: "v1",
  }]);
  assert.deepEqual(schema.properties.metadata, {
    allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }],
    default: {},
  });
  assert.ok(doc.components.schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]);
  assert.equal(doc.paths["/api/v1/nodes/{name}"].patch.operationId, "patchCoreV1Node");
});

Deno.test("openApiV3Document: a custom resource carries its schema and a status path", () => {
  const doc = openApiV3Document("example.com/v1", [widgets]) as J;
  assert.ok(doc.paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status"].patch);
  const s = doc.components.schemas["com.example.v1.Widget"];
  assert.deepEqual(Object.keys(s.properties), ["apiVersion", "kind", "spec", "status", "metadata"]);
  assert.deepEqual(s.properties.spec, widgets.schema!.properties!.spec);
  assert.deepEqual(s["x-kubernetes-group-version-kind"], [{
    group: "example.com",
    kind: "Widget",
    version: "v1",
  }]);
  assert.deepEqual(
    doc.components.schemas["com.example.v1.WidgetList"]["x-kubernetes-group-version-kind"],
    [
      { group: "example.com", kind: "WidgetList", version: "v1" },
    ],
  );
});

// --- kubectl against a stub server that serves these documents -------------------------------

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string;
}

function _stubServer(
  resources: OpenApiResource[],
  seen: Seen[],
  signal: AbortSignal,
  mutate: ((doc: J) => void) | "no-openapi" = () => {},
) {
  const groupVersions = [
    ...new Set(resources.map((r) => (r.group === "" ? r.version : `${r.group}/${r.version}`))),
  ];
  const docs = Object.fromEntries(
    groupVersions.map((gv) => [gv, openApiV3Document(gv, resources)]),
  );
  const index = openApiV3Index(groupVersions, { documents: docs }) as J;
  const store = new Map<string, J>();
  let rv = 1;
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const notFound = (name: string, plural: string) =>
    json({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `${plural} "${name}" not found`,
      reason: "NotFound",
      details: { name, kind: plural },
      code: 404,
    }, 404);
  const resourceList = (gv: string) => ({
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: resources.filter((r) =>
      (r.group === "" ? r.version : `${r.group}/${r.version}`) === gv
    ).map((r) => ({
      name: r.plural,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    })),
  });
  return Deno.serve({ hostname: "127.0.0.1", port: 0, signal, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const path = url.pathname;
    const body = req.body ? await req.text() : "";
    seen.push({
      method: req.method,
      path,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers.get("content-type") ?? "",
    });
    if (path === "/api") {
      return json({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
    }
    if (path === "/apis") {
      const groups = [...new Set(resources.filter((r) => r.group !== "").map((r) => r.group))];
      return json({
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: groups.map((g) => {
          const versions = groupVersions.filter((gv) => gv.startsWith(`${g}/`)).map((gv) => ({
            groupVersion: gv,
            version: gv.split("/")[1],
          }));
          return { name: g, versions, preferredVersion: versions[0] };
        }),
      });
    }
    if (path === "/api/v1") return json(resourceList("v1"));
    if (path === "/version") return json({ major: "1", minor: "32", gitVersion: "v1.32.0" });
    if (path.startsWith("/openapi/") && mutate === "no-openapi") {
      return new Response("404 page not found", { status: 404 });
    }
    if (path === "/openapi/v3") return json(index);
    if (path.startsWith("/openapi/v3/")) {
      const key = path.slice("/openapi/v3/".length);
      const gv = key.startsWith("api/") ? key.slice(4) : key.slice(5);
      return docs[gv] ? json(docs[gv]) : new Response("404 page not found", { status: 404 });
    }
    const m =
      /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/
        .exec(path);
    if (m === null) {
      const gvOnly = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
      if (gvOnly) return json(resourceList(`${gvOnly[1]}/${gvOnly[2]}`));
      return new Response("404 page not found", { status: 404 });
    }
    const [, , , ns = "", plural, name] = m;
    const key = `${ns}/${plural}/${name ?? ""}`;
    if (req.method === "GET" && name) {
      return store.has(key) ? json(store.get(key)) : notFound(name, plural);
    }
    if (req.method === "POST") {
      const obj = JSON.parse(body);
      obj.metadata = {
        ...obj.metadata,
        namespace: ns || undefined,
        resourceVersion: String(++rv),
        uid: `u${rv}`,
      };
      store.set(`${ns}/${plural}/${obj.metadata.name}`, obj);
      return json(obj, 201);
    }
    if (req.method === "PATCH" && name) {
      const patch = req.headers.get("content-type")?.startsWith("application/apply-patch")
        ? parseYaml(body)
        : JSON.parse(body);
      const current = store.get(key) ?? {};
      const merged = {
        ...current,
        ...patch,
        metadata: { ...current.metadata, ...patch.metadata, resourceVersion: String(++rv) },
      };
      store.set(key, merged);
      return json(merged, store.has(key) ? 200 : 201);
    }
    return new Response("405", { status: 405 });
  });
}

async function _kubectl(
  args: string[],
  env: { kubeconfig: string; cacheDir: string },
  stdin?: string,
) {
  const cmd = new Deno.Command("kubectl", {
    args: ["--kubeconfig", env.kubeconfig, "--cache-dir", env.cacheDir, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function _hasKubectl(): boolean {
  try {
    return new Deno.Command("kubectl", {
      args: ["version", "--client"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "kubectl create/apply/apply --server-side validate through these documents (fieldValidation=Strict)",
  ignore: !_hasKubectl(),
  async fn() {
    const stop = new AbortController();
    const seen: Seen[] = [];
    const server = _stubServer([configMaps, widgets], seen, stop.signal);
    const dir = await Deno.makeTempDir({ prefix: "operatorkit-openapi-test-" });
    try {
      const kubeconfig = `${dir}/kubeconfig`;
      await Deno.writeTextFile(
        kubeconfig,
        JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name: "stub", cluster: { server: `http://127.0.0.1:${server.addr.port}` } }],
          users: [{ name: "stub", user: {} }],
          contexts: [{
            name: "stub",
            context: { cluster: "stub", user: "stub", namespace: "default" },
          }],
          "current-context": "stub",
        }),
      );
      const env = { kubeconfig, cacheDir: `${dir}/cache` };
      const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\ndata:\n  a: b\n";
      const widget =
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: small\n";

      const create = await _kubectl(["create", "-f", "-"], env, cm);
      assert.equal(create.code, 0, create.stderr);
      assert.match(create.stdout, /configmap\/cm1 created/);

      const apply1 = await _kubectl(["apply", "-f", "-"], env, widget);
      assert.equal(apply1.code, 0, apply1.stderr);
      const apply2 = await _kubectl(["apply", "-f", "-"], env, widget.replace("small", "large"));
      assert.equal(apply2.code, 0, apply2.stderr);

      const ssa = await _kubectl(
        ["apply", "--server-side", "-f", "-"],
        env,
        cm.replace("a: b", "a: c"),
      );
      assert.equal(ssa.code, 0, ssa.stderr);
      assert.match(ssa.stdout, /configmap\/cm1 serverside-applied/);

      const writes = seen.filter((s) => s.method === "POST" || s.method === "PATCH");
      assert.deepEqual(
        writes.map((
          s,
        ) => [s.method, s.path, s.contentType, s.query.fieldValidation, s.query.fieldManager]),
        [
          [
            "POST",
            "/api/v1/namespaces/default/configmaps",
            "application/json",
            "Strict",
            "kubectl-create",
          ],
          [
            "POST",
            "/apis/example.com/v1/namespaces/default/widgets",
            "application/json",
            "Strict",
            "kubectl-client-side-apply",
          ],
          [
            "PATCH",
            "/apis/example.com/v1/namespaces/default/widgets/w1",
            "application/merge-patch+json",
            "Strict",
            "kubectl-client-side-apply",
          ],
          [
            "PATCH",
            "/api/v1/namespaces/default/configmaps/cm1",
            "application/apply-patch+yaml",
            "Strict",
            "kubectl",
          ],
        ],
      );
      // kubectl read both documents through the index
      const fetched = seen.filter((s) => s.path.startsWith("/openapi/v3")).map((s) => s.path);
      assert.ok(fetched.includes("/openapi/v3/api/v1"), fetched.join(" "));
      assert.ok(fetched.includes("/openapi/v3/apis/example.com/v1"), fetched.join(" "));
    } finally {
      stop.abort();
      await server.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "without these documents kubectl create fails unless --validate=false",
  ignore: !_hasKubectl(),
  async fn() {
    const stop = new AbortController();
    const seen: Seen[] = [];
    const server = _stubServer([widgets], seen, stop.signal, "no-openapi");
    const dir = await Deno.makeTempDir({ prefix: "operatorkit-openapi-test-" });
    try {
      const kubeconfig = `${dir}/kubeconfig`;
      await Deno.writeTextFile(
        kubeconfig,
        JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name: "stub", cluster: { server: `http://127.0.0.1:${server.addr.port}` } }],
          users: [{ name: "stub", user: {} }],
          contexts: [{
            name: "stub",
            context: { cluster: "stub", user: "stub", namespace: "default" },
          }],
          "current-context": "stub",
        }),
      );
      const env = { kubeconfig, cacheDir: `${dir}/cache` };
      const widget =
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w2\nspec:\n  size: small\n";
      const create = await _kubectl(["create", "-f", "-"], env, widget);
      assert.notEqual(create.code, 0);
      assert.match(create.stderr, /failed to download openapi/);
      assert.equal(seen.filter((s) => s.method === "POST").length, 0);
      const unvalidated = await _kubectl(["create", "--validate=false", "-f", "-"], env, widget);
      assert.equal(unvalidated.code, 0, unvalidated.stderr);
    } finally {
      stop.abort();
      await server.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
