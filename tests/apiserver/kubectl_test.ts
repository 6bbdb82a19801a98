// kubectl 1.32 against the embedded server: ConfigMaps end to end, a CRD applied server-side
// and its custom resource, `get -w`, and `delete` waiting on a finalizer.
import assert from "node:assert/strict";
import { call, cmPath, WatchReader, withServer } from "./_helpers.ts";
import { KUBECTL, Kubectl, OutputReader, requireKubectl } from "./_kubectl.ts";
import { needs } from "../_tier.ts";

Deno.test(
  needs("8.4 kubectl: create, get, list, patch, apply and delete ConfigMaps", KUBECTL),
  async (t) => {
    requireKubectl(t.name);
    await withServer(async (s) => {
      await using k = await Kubectl.for(s);
      assert.match(
        await k.ok(["create", "configmap", "gen", "--from-literal=a=b"]),
        /configmap\/gen created/,
      );
      const yaml =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromfile\n  labels:\n    app: web\ndata:\n  k: v\n";
      assert.match(await k.ok(["create", "-f", "-"], yaml), /configmap\/fromfile created/);
      const table = await k.ok(["get", "configmaps"]);
      assert.match(table, /NAME\s+DATA\s+AGE/);
      assert.match(table, /fromfile\s+1/);
      assert.match(table, /gen\s+1/);
      const one = JSON.parse(await k.ok(["get", "cm", "gen", "-o", "json"]));
      assert.deepEqual(one.data, { a: "b" });
      const list = JSON.parse(await k.ok(["get", "cm", "-l", "app=web", "-o", "json"]));
      assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), [
        "fromfile",
      ]);
      await k.ok(["patch", "cm", "gen", "--type", "merge", "-p", '{"data":{"m":"1"}}']);
      await k.ok([
        "patch",
        "cm",
        "gen",
        "--type",
        "json",
        "-p",
        '[{"op":"add","path":"/data/j","value":"2"}]',
      ]);
      await k.ok(["patch", "cm", "gen", "-p", '{"data":{"s":"3"}}']);
      const patched = await call(s, "GET", cmPath("default", "gen"));
      assert.deepEqual(patched.body.data, { a: "b", m: "1", j: "2", s: "3" });
      const applied =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromfile\ndata:\n  k: v2\n";
      assert.match(
        await k.ok(["apply", "-f", "-"], applied),
        /configmap\/fromfile (configured|created)/,
      );
      assert.deepEqual((await call(s, "GET", cmPath("default", "fromfile"))).body.data, {
        k: "v2",
      });
      assert.match(await k.ok(["delete", "cm", "gen", "fromfile"]), /configmap "gen" deleted/);
      assert.equal((await call(s, "GET", cmPath())).body.items.length, 0);
    });
  },
);

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1, maximum: 10}
              color: {type: string, default: blue}
          status:
            type: object
            properties:
              ready: {type: boolean}
`;

Deno.test(
  needs(
    "8.6 kubectl: apply --server-side a CRD, then create, list and validate its custom resources",
    KUBECTL,
  ),
  async (t) => {
    requireKubectl(t.name);
    await withServer(async (s) => {
      await using k = await Kubectl.for(s);
      assert.match(
        await k.ok(["apply", "--server-side", "-f", "-"], CRD),
        /widgets.example.com serverside-applied/,
      );
      await k.ok([
        "wait",
        "--for",
        "condition=Established",
        "crd/widgets.example.com",
        "--timeout=20s",
      ]);
      const cr =
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n";
      assert.match(
        await k.ok(["apply", "--server-side", "-f", "-"], cr),
        /widget.example.com\/w1 serverside-applied/,
      );
      const table = await k.ok(["get", "widgets"]);
      assert.match(table, /NAME\s+SIZE/);
      assert.match(table, /w1\s+3/);
      const got = JSON.parse(await k.ok(["get", "wd", "w1", "-o", "json"]));
      assert.equal(got.spec.color, "blue", "schema default applied");
      const bad = await k.run(
        ["apply", "--server-side", "-f", "-"],
        cr.replace("size: 3", "size: 11"),
      );
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /less than or equal to 10/);
      await k.ok(["delete", "crd", "widgets.example.com"]);
      assert.equal(
        (await call(s, "GET", "/apis/example.com/v1/namespaces/default/widgets")).status,
        404,
      );
    });
  },
);

Deno.test(needs("8.5 kubectl: get -w sees a change", KUBECTL), async (t) => {
  requireKubectl(t.name);
  await withServer(async (s) => {
    await using k = await Kubectl.for(s);
    await k.ok(["create", "configmap", "watched", "--from-literal=a=b"]);
    const child = k.spawn(["get", "cm", "-w", "--output-watch-events"]);
    const stderr = new Response(child.stderr).text();
    const out = new OutputReader(child.stdout);
    try {
      await out.until(/watched/);
      await k.ok(["label", "cm", "watched", "seen=yes"]);
      assert.match(await out.until(/MODIFIED\s+watched/), /MODIFIED\s+watched/);
      child.kill("SIGTERM");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await out.cancel();
      await child.status;
      await stderr;
    }
  });
});

Deno.test(
  needs(
    "8.6 kubectl: delete of an object with a finalizer completes once the finalizer is removed",
    KUBECTL,
  ),
  async (t) => {
    requireKubectl(t.name);
    await withServer(async (s) => {
      await using k = await Kubectl.for(s);
      const yaml =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\n";
      await k.ok(["create", "-f", "-"], yaml);
      const w = await WatchReader.open(s, `${cmPath()}?watch=1&fieldSelector=metadata.name%3Dheld`);
      const child = k.spawn(["delete", "cm", "held", "--timeout=30s"]);
      const stdout = new Response(child.stdout).text();
      const stderr = new Response(child.stderr).text();
      try {
        assert.equal((await w.next())?.type, "ADDED");
        const e = await w.next(15_000);
        assert.equal(e?.type, "MODIFIED");
        assert.ok(e?.object.metadata.deletionTimestamp);
        const r = await call(s, "PATCH", cmPath("default", "held"), {
          raw: JSON.stringify({ metadata: { finalizers: null } }),
          headers: { "content-type": "application/merge-patch+json" },
        });
        assert.equal(r.status, 200);
        const status = await child.status;
        assert.equal(status.code, 0, await stderr);
        assert.match(await stdout, /configmap "held" deleted/);
        assert.equal((await call(s, "GET", cmPath("default", "held"))).status, 404);
      } finally {
        try {
          child.kill("SIGKILL");
        } catch {
          // exited
        }
        await child.status;
        await stdout;
        await stderr;
        await w.close();
      }
    });
  },
);

Deno.test(
  needs(
    "kubectl: typed create sends protobuf; Deployment, Secret, Namespace, ServiceAccount decode",
    KUBECTL,
  ),
  async (t) => {
    requireKubectl(t.name);
    await withServer(async (s) => {
      await using k = await Kubectl.for(s);
      await k.ok(["create", "deployment", "web", "--image=nginx", "--port=80", "--replicas=0"]);
      const d = await call(s, "GET", "/apis/apps/v1/namespaces/default/deployments/web");
      assert.equal(d.body.spec.replicas, 0, "a pointer field keeps its zero");
      assert.deepEqual(d.body.spec.selector, { matchLabels: { app: "web" } });
      assert.deepEqual(d.body.spec.template.spec.containers[0].ports, [
        { containerPort: 80, protocol: "TCP" },
      ]);
      assert.equal(d.body.spec.paused, undefined, "omitempty zero values are left out");
      await k.ok(["create", "secret", "generic", "pw", "--from-literal=p=q"]);
      const sec = await call(s, "GET", "/api/v1/namespaces/default/secrets/pw");
      assert.equal(atob(sec.body.data.p), "q");
      await k.ok(["create", "namespace", "team"]);
      await k.ok(["create", "serviceaccount", "bot", "-n", "team"]);
      assert.equal(
        (await call(s, "GET", "/api/v1/namespaces/team/serviceaccounts/bot")).status,
        200,
      );
      const svc = await k.run(["create", "service", "clusterip", "web", "--tcp=80:80"]);
      assert.notEqual(svc.code, 0);
      assert.match(svc.stderr, /send it as application\/json|decodes protobuf only/);
    });
  },
);
