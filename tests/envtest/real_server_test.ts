/**
 * The real kube-apiserver tier: version, client-certificate and bearer-token authentication,
 * CA verification in both directions, and kubectl (including server-side apply of a CRD and a
 * custom resource) against the written kubeconfig.
 */
import assert from "node:assert/strict";
import { envtestKubernetesVersion } from "../../testing/envtest.ts";
import { connectRealServer, kubectl, openssl, realServer, resolveRealTarget } from "./_target.ts";
import { needs } from "../_tier.ts";

const target = await resolveRealTarget();
const expectedVersion = await envtestKubernetesVersion();

const crdYaml = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.envtest.operatorkit.dev
spec:
  group: envtest.operatorkit.dev
  scope: Namespaced
  names: { plural: gadgets, singular: gadget, kind: Gadget, listKind: GadgetList }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: integer, minimum: 1, maximum: 10 }
                colour: { type: string }
            status:
              type: object
              properties:
                ready: { type: boolean }
`;

const crYaml = (size: number) =>
  `apiVersion: envtest.operatorkit.dev/v1
kind: Gadget
metadata:
  name: g1
  namespace: default
spec:
  size: ${size}
  colour: blue
`;

async function _whoAmI(
  url: string,
  init: { client: Deno.HttpClient; token?: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    method: "POST",
    client: init.client,
    headers: {
      "content-type": "application/json",
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: JSON.stringify({
      apiVersion: "authentication.k8s.io/v1",
      kind: "SelfSubjectReview",
    }),
  });
  return { status: response.status, body: await response.json() };
}

Deno.test({
  ...needs(
    "real kube-apiserver: version, authentication, CA verification and kubectl",
    realServer(target),
  ),
  async fn(t) {
    const server = await connectRealServer(target);
    const scratch = await Deno.makeTempDir({ prefix: "operatorkit-envtest-test-" });
    const clients: Deno.HttpClient[] = [];
    const httpClient = (
      options:
        | Deno.CreateHttpClientOptions
        | (Deno.CreateHttpClientOptions & Deno.TlsCertifiedKeyPem),
    ) => {
      const client = Deno.createHttpClient(options);
      clients.push(client);
      return client;
    };
    try {
      const caOnly = httpClient({ caCerts: [server.caPem] });

      await t.step("/version reports the built release", async () => {
        const response = await fetch(`${server.url}/version`, { client: caOnly });
        assert.equal(response.status, 200);
        const version = await response.json();
        assert.equal(version.gitVersion, expectedVersion);
        const [major, minor] = expectedVersion.slice(1).split(".");
        assert.equal(version.major, major);
        assert.equal(version.minor, minor);
        assert.match(version.goVersion, /^go1\.\d+/);
      });

      await t.step("client certificate authenticates as a system:masters user", async () => {
        assert.ok(server.clientCertPem && server.clientKeyPem, "kubeconfig has a client cert");
        const client = httpClient({
          caCerts: [server.caPem],
          cert: server.clientCertPem,
          key: server.clientKeyPem,
        });
        const review = await _whoAmI(server.url, { client });
        assert.equal(review.status, 201);
        const user = (review.body.status as { userInfo: { username: string; groups: string[] } })
          .userInfo;
        if (target.kind === "start") assert.equal(user.username, "operatorkit-admin");
        assert.ok(user.groups.includes("system:masters"), `groups ${user.groups}`);
        const list = await fetch(`${server.url}/api/v1/namespaces`, { client });
        assert.equal(list.status, 200);
        const names = (await list.json()).items.map((ns: { metadata: { name: string } }) =>
          ns.metadata.name
        );
        assert.ok(names.includes("default"), `namespaces ${names}`);
      });

      await t.step("without credentials the request is anonymous and forbidden", async () => {
        const response = await fetch(`${server.url}/api/v1/namespaces`, { client: caOnly });
        const status = await response.json();
        assert.equal(response.status, 403);
        assert.equal(status.reason, "Forbidden");
        assert.match(status.message, /system:anonymous/);
      });

      // A second, unrelated CA with a client certificate of its own.
      await openssl(scratch, [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "other-ca.key",
        "-out",
        "other-ca.crt",
        "-days",
        "1",
        "-subj",
        "/CN=some-other-ca",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      ]);
      await openssl(scratch, [
        "req",
        "-x509",
        "-CA",
        "other-ca.crt",
        "-CAkey",
        "other-ca.key",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "intruder.key",
        "-out",
        "intruder.crt",
        "-days",
        "1",
        "-subj",
        "/O=system:masters/CN=intruder",
        "-addext",
        "extendedKeyUsage=clientAuth",
      ]);
      const otherCa = await Deno.readTextFile(`${scratch}/other-ca.crt`);

      await t.step("a server certificate from another CA is refused by the client", async () => {
        const client = httpClient({ caCerts: [otherCa] });
        await assert.rejects(
          fetch(`${server.url}/version`, { client }),
          (error: Error) => {
            // The same request with the right CA succeeded in the /version step.
            assert.ok(error instanceof TypeError, String(error));
            assert.match(`${error.message} ${error.cause}`, /certificate|UnknownIssuer/i);
            return true;
          },
        );
      });

      await t.step("a client certificate from another CA is not authenticated", async () => {
        const client = httpClient({
          caCerts: [server.caPem],
          cert: await Deno.readTextFile(`${scratch}/intruder.crt`),
          key: await Deno.readTextFile(`${scratch}/intruder.key`),
        });
        const response = await fetch(`${server.url}/api/v1/namespaces`, { client });
        const status = await response.json();
        assert.equal(response.status, 401, JSON.stringify(status));
        assert.equal(status.reason, "Unauthorized");
      });

      await t.step({
        ...needs("bearer token authenticates; a wrong token is 401", {
          missing: !server.token,
          reason: "the kubeconfig has no token user",
        }),
        fn: async (t) => {
          const token = server.token ?? "";
          const review = await _whoAmI(server.url, { client: caOnly, token });
          assert.equal(review.status, 201);
          const user = (review.body.status as { userInfo: { username: string; groups: string[] } })
            .userInfo;
          if (target.kind === "start") assert.equal(user.username, "operatorkit-token-admin");
          assert.ok(user.groups.includes("system:masters"));
          await t.step("wrong token", async () => {
            const wrong = await _whoAmI(server.url, { client: caOnly, token: "not-a-token" });
            assert.equal(wrong.status, 401);
            assert.equal(wrong.body.reason, "Unauthorized");
          });
        },
      });

      await t.step("kubectl works with both users of the kubeconfig", async () => {
        const namespaces = JSON.parse(
          await kubectl(server.kubeconfigPath, ["get", "namespaces", "-o", "json"]),
        );
        assert.ok(
          namespaces.items.some((ns: { metadata: { name: string } }) =>
            ns.metadata.name === "kube-system"
          ),
        );
        if (server.tokenContext) {
          const whoami = await kubectl(server.kubeconfigPath, [
            `--context=${server.tokenContext}`,
            "auth",
            "whoami",
            "-o",
            "jsonpath={.status.userInfo.groups}",
          ]);
          assert.match(whoami, /system:masters/);
        }
      });

      await t.step("kubectl apply --server-side: a CRD, then a custom resource", async () => {
        const kc = server.kubeconfigPath;
        const crdOut = await kubectl(kc, ["apply", "--server-side", "-f", "-"], {
          stdin: crdYaml,
        });
        assert.match(crdOut, /gadgets\.envtest\.operatorkit\.dev serverside-applied/);
        await kubectl(kc, [
          "wait",
          "--for=condition=Established",
          "--timeout=60s",
          "crd/gadgets.envtest.operatorkit.dev",
        ]);
        try {
          const crOut = await kubectl(kc, ["apply", "--server-side", "-f", "-"], {
            stdin: crYaml(3),
          });
          assert.match(crOut, /gadget\.envtest\.operatorkit\.dev\/g1 serverside-applied/);
          const gadget = JSON.parse(
            await kubectl(kc, [
              "get",
              "gadgets.envtest.operatorkit.dev",
              "g1",
              "-n",
              "default",
              "-o",
              "json",
              "--show-managed-fields",
            ]),
          );
          assert.equal(gadget.spec.size, 3);
          assert.equal(gadget.metadata.generation, 1);
          const apply = gadget.metadata.managedFields.find((entry: { manager: string }) =>
            entry.manager === "kubectl"
          );
          assert.equal(apply?.operation, "Apply");
          // Schema validation: size 11 exceeds the maximum of 10.
          await assert.rejects(
            kubectl(kc, ["apply", "--server-side", "-f", "-"], { stdin: crYaml(11) }),
            /spec\.size: Invalid value: 11: spec\.size in body should be less than or equal to 10/,
          );
        } finally {
          await kubectl(kc, [
            "delete",
            "crd/gadgets.envtest.operatorkit.dev",
            "--wait=true",
            "--timeout=60s",
          ]);
        }
      });
    } finally {
      for (const client of clients) client.close();
      await Deno.remove(scratch, { recursive: true });
      await server.close();
    }
  },
});
