// The client against a real kube-apiserver + etcd: client-certificate and bearer-token
// authentication through loadKubeConfig, every verb, watch from a resourceVersion,
// pagination, streaming lists and discovery of a CRD created later.
//
// The server is the cluster named by OPERATORKIT_TEST_KUBECONFIG when set (no second
// apiserver is started: the real tier of .ci/run), else an envtest pair this file starts from
// the cached binaries, else the test is reported as ignored with the reason (see
// tests/envtest/_target.ts). It uses its own namespace and CRD group and removes both.
import assert from "node:assert/strict";
import {
  ApiError,
  ConfigMaps,
  CustomResourceDefinitions,
  Deployments,
  isConflict,
  isNotFound,
  KubeClient,
  type KubeObject,
  Namespaces,
  type Status,
} from "../../client/mod.ts";
import { connectRealServer, realServer, resolveRealTarget } from "../envtest/_target.ts";
import { needs } from "../_tier.ts";
import { uniqueName } from "./_cluster.ts";

const target = await resolveRealTarget();
const NS = uniqueName("client");
const GROUP = `${uniqueName("g")}.client.operatorkit.dev`;

Deno.test({
  ...needs("client against a real kube-apiserver", realServer(target)),
  async fn(t) {
    const server = await connectRealServer(target);
    const client = await KubeClient.fromKubeConfig({ path: server.kubeconfigPath }, { qps: 0 });
    try {
      await t.step("client certificate from the kubeconfig authenticates", async () => {
        assert.ok(client.config.tls.certData, "the default context uses a client certificate");
        assert.match((await client.version()).gitVersion, /^v1\./);
        await client.resource({
          group: "",
          version: "v1",
          apiVersion: "v1",
          kind: "Namespace",
          plural: "namespaces",
          namespaced: false,
        }).create({ metadata: { name: NS } });
      });

      if (server.tokenContext) {
        await t.step("bearer token context authenticates; a wrong token is a 401", async () => {
          using tok = await KubeClient.fromKubeConfig({
            path: server.kubeconfigPath,
            context: server.tokenContext,
          });
          assert.equal(tok.config.auth.type, "token");
          const list = await tok.resource(ConfigMaps).list({ namespace: NS });
          assert.ok(Array.isArray(list.items));
          // A wrong token is a 401 ApiError whose message carries neither token.
          using wrong = new KubeClient(
            { ...tok.config, auth: { type: "token", token: "wrong-token" } },
            { retries: 0 },
          );
          await assert.rejects(() => wrong.resource(ConfigMaps).list({ namespace: NS }), (e) => {
            assert.ok(e instanceof ApiError, String(e));
            assert.equal(e.code, 401);
            assert.doesNotMatch(e.message, /wrong-token/);
            if (server.token) assert.ok(!e.message.includes(server.token));
            return true;
          });
        });
      }

      const cms = client.resource(ConfigMaps);
      await t.step("create, get, replace, patch, delete", async () => {
        const a = await cms.create({ metadata: { name: "a" }, data: { k: "1" } }, {
          namespace: NS,
        });
        assert.ok(a.metadata.uid);
        await assert.rejects(() => cms.get("missing", { namespace: NS }), isNotFound);
        const r = await cms.replace({ ...a, data: { k: "2" } });
        await assert.rejects(() => cms.replace({ ...a, data: { k: "3" } }), isConflict);
        const m = await cms.patch("a", {
          namespace: NS,
          type: "merge",
          body: { data: { m: "x" } },
        });
        assert.deepEqual(m.data, { k: "2", m: "x" });
        const j = await cms.patch("a", {
          namespace: NS,
          type: "json",
          body: [{ op: "test", path: "/data/k", value: "2" }, { op: "remove", path: "/data/m" }],
        });
        assert.deepEqual(j.data, { k: "2" });
        assert.ok(j.metadata.managedFields?.some((f) => f.manager === "operatorkit"));
        assert.notEqual(r.metadata.resourceVersion, j.metadata.resourceVersion);
        await cms.create({ metadata: { name: "held", finalizers: ["example.com/x"] } }, {
          namespace: NS,
        });
        await assert.rejects(
          () => cms.delete("held", { namespace: NS, preconditions: { uid: "wrong" } }),
          isConflict,
        );
        const held = await cms.delete("held", { namespace: NS }) as KubeObject;
        assert.ok(held.metadata.deletionTimestamp);
        await cms.patch("held", {
          namespace: NS,
          type: "merge",
          body: { metadata: { finalizers: null } },
        });
        const gone = await cms.delete("a", { namespace: NS }) as Status;
        assert.equal(gone.status, "Success");
      });

      await t.step("server-side apply, strategic merge, status and scale", async () => {
        const deps = client.resource(Deployments);
        const d = (replicas: number) => ({
          metadata: { name: "web", namespace: NS },
          spec: {
            replicas,
            selector: { matchLabels: { app: "web" } },
            template: {
              metadata: { labels: { app: "web" } },
              spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
            },
          },
        });
        await deps.apply(d(2), { fieldManager: "team-a" });
        await assert.rejects(() => deps.apply(d(3), { fieldManager: "team-b" }), isConflict);
        assert.equal(
          (await deps.apply(d(3), { fieldManager: "team-b", force: true })).spec?.replicas,
          3,
        );
        const smp = await deps.patch("web", {
          namespace: NS,
          type: "strategic",
          body: {
            spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } },
          },
        });
        assert.equal(smp.spec?.template.spec?.containers[0].image, "nginx:1.28");
        const st = await deps.status.patch("web", {
          namespace: NS,
          type: "merge",
          body: { status: { observedGeneration: 1 } },
        });
        assert.equal(st.status?.observedGeneration, 1);
        const scaled = await deps.scale.patch("web", {
          namespace: NS,
          type: "merge",
          body: { spec: { replicas: 5 } },
        });
        assert.equal(scaled.spec?.replicas, 5);
      });

      await t.step("pagination, watch from a resourceVersion, streaming list", async () => {
        for (let i = 0; i < 120; i += 20) {
          await Promise.all(
            Array.from(
              { length: 20 },
              (_, j) =>
                cms.create({
                  metadata: { name: `p-${String(i + j).padStart(3, "0")}`, labels: { p: "1" } },
                }, {
                  namespace: NS,
                }),
            ),
          );
        }
        const names: string[] = [];
        for await (const cm of cms.listAll({ namespace: NS, labelSelector: "p=1", limit: 50 })) {
          names.push(cm.metadata.name!);
        }
        assert.equal(names.length, 120);
        const list = await cms.list({ namespace: NS, labelSelector: "p=1", limit: 1 });
        const events: string[] = [];
        const done = (async () => {
          for await (
            const ev of cms.watch({
              namespace: NS,
              resourceVersion: list.metadata.resourceVersion,
              timeoutSeconds: 30,
            })
          ) {
            if (ev.type === "ADDED" || ev.type === "MODIFIED" || ev.type === "DELETED") {
              events.push(`${ev.type} ${ev.object.metadata.name}`);
              if (ev.type === "DELETED") break;
            }
          }
        })();
        await new Promise((r) => setTimeout(r, 200));
        await cms.create({ metadata: { name: "w" } }, { namespace: NS });
        await cms.patch("w", { namespace: NS, type: "merge", body: { data: { a: "1" } } });
        await cms.delete("w", { namespace: NS });
        await done;
        assert.deepEqual(events, ["ADDED w", "MODIFIED w", "DELETED w"]);
        const initial: string[] = [];
        for await (
          const ev of cms.watch({
            namespace: NS,
            labelSelector: "p=1",
            sendInitialEvents: true,
            resourceVersionMatch: "NotOlderThan",
            allowWatchBookmarks: true,
            timeoutSeconds: 60,
          })
        ) {
          if (ev.type === "ADDED") initial.push(ev.object.metadata.name!);
          if (
            ev.type === "BOOKMARK" &&
            ev.object.metadata.annotations?.["k8s.io/initial-events-end"] === "true"
          ) break;
        }
        assert.equal(initial.length, 120);
        await cms.deleteCollection({ namespace: NS, labelSelector: "p=1" });
      });

      await t.step("discovery finds a CRD created later", async () => {
        await assert.rejects(() => client.resourceFor(`${GROUP}/v1`, "Widget"), isNotFound);
        await client.resource(CustomResourceDefinitions).create({
          metadata: { name: `widgets.${GROUP}` },
          spec: {
            group: GROUP,
            scope: "Namespaced",
            names: { plural: "widgets", singular: "widget", kind: "Widget" },
            versions: [{
              name: "v1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: {
                    spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                  },
                },
              },
            }],
          },
        });
        let widgets;
        for (let i = 0; i < 100 && !widgets; i++) {
          try {
            widgets = await client.resourceFor(`${GROUP}/v1`, "Widget");
            await widgets.create(
              { metadata: { name: "w1", namespace: NS }, spec: { a: 1 } } as KubeObject,
            );
          } catch (e) {
            // Not found until the CRD is established; anything else is a real failure.
            if (!isNotFound(e)) throw e;
            widgets = undefined;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        assert.ok(widgets, "the Widget kind resolves and serves once the CRD is established");
        assert.equal((await widgets.get("w1", { namespace: NS })).metadata.name, "w1");
      });
    } finally {
      // On a bare kube-apiserver the namespace stays Terminating (no namespace controller).
      await client.resource(CustomResourceDefinitions).delete(`widgets.${GROUP}`).catch(() => {});
      await client.resource(Namespaces).delete(NS).catch(() => {});
      client.close();
      await server.close();
    }
  },
});
