/**
 * Fidelity: the embedded API server calls webhooks as kube-apiserver does. The same scenario
 * runs against both (the real one when OPERATORKIT_TEST_KUBECONFIG or the envtest binaries
 * are there) and the normalized outcomes must be equal: allow, deny with the handler's
 * message and code, a mutating webhook's patch, a webhook that is down with failurePolicy
 * Fail and Ignore, and conversion of a custom resource on get, list and watch.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import {
  defineCustomResource,
  ensureCustomResourceDefinition,
} from "../../client/custom_resource.ts";
import { versionType, withConversionWebhook } from "../../client/conversion.ts";
import { CustomResourceDefinitions, Namespaces } from "../../client/builtins.ts";
import { KubeClient } from "../../client/kube_client.ts";
import type { KubeObject } from "../../client/types.ts";
import { startApiServer } from "../../testing/api_server.ts";
import { allow, deny, mutatingWebhook, validatingWebhook } from "../../webhook/admission.ts";
import { staticCertificate } from "../../webhook/certificates.ts";
import {
  MutatingWebhookConfigurations,
  ValidatingWebhookConfigurations,
  webhookConfigurations,
} from "../../webhook/configurations.ts";
import { generateWebhookCertificate } from "../../webhook/self_managed.ts";
import { serveWebhooks } from "../../webhook/server.ts";
import { connectRealServer, realServer, resolveRealTarget } from "../envtest/_target.ts";
import { needs } from "../_tier.ts";
import { uniqueName } from "../client/_cluster.ts";

type Gadget = KubeObject & { spec: { size: number; color?: string } };

const Gadget = defineCustomResource({
  group: "fidelity.operatorkit.io",
  version: "v1",
  kind: "Gadget",
  scope: "Namespaced",
  spec: z.object({ size: z.int(), color: z.string().optional() }),
  versions: [{
    name: "v2",
    spec: z.object({ dimensions: z.object({ size: z.int() }), color: z.string().optional() }),
    conversion: {
      toStorage: (o) => ({ ...o, spec: { size: o.spec.dimensions.size, color: o.spec.color } }),
      fromStorage: (o) => ({
        ...o,
        spec: { dimensions: { size: o.spec.size }, color: o.spec.color },
      }),
    },
  }],
});
const GadgetV2 = versionType(Gadget, "v2");

const failing = (label: string, policy: "Fail" | "Ignore") =>
  validatingWebhook(Gadget, {
    name: `down-${label}.fidelity.operatorkit.io`,
    path: `/down-${label}`,
    failurePolicy: policy,
    timeoutSeconds: 2,
    validate: () => allow(),
  });

async function scenario(kubeconfigYaml: string): Promise<Record<string, unknown>> {
  const document = parseYaml(kubeconfigYaml) as Record<string, unknown>;
  const g = await generateWebhookCertificate({
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
  });
  const hooks = [
    mutatingWebhook(Gadget, {
      mutate: ({ object }) => {
        object.metadata.labels = { ...object.metadata.labels, mutated: "yes" };
        object.spec.color ??= "blue";
        return object;
      },
    }),
    validatingWebhook(Gadget, {
      validate: ({ request }) =>
        (request.object as Gadget).spec.size > 10
          ? deny(`size ${(request.object as Gadget).spec.size} is above 10`, { code: 422 })
          : allow("gadgets are fragile"),
    }),
    validatingWebhook(Gadget, {
      name: "vdelete-gadget.fidelity.operatorkit.io",
      path: "/validate-delete",
      operations: ["DELETE"],
      validate: ({ request }) =>
        request.oldObject?.metadata.labels?.keep === "yes" ? deny("this one is kept") : allow(),
    }),
  ];
  await using server = await serveWebhooks({
    hostname: "127.0.0.1",
    port: 0,
    certificate: staticCertificate(g),
    admission: hooks,
    conversion: [Gadget],
  });
  const caBundle = btoa(g.caCert);
  const url = (path: string) => ({ url: `${server.url}${path}`, caBundle });
  using client = await KubeClient.fromKubeConfig({ document });
  const ns = uniqueName("fid");
  const name = `fidelity-${ns}`;
  await client.resource(Namespaces).create({ metadata: { name: ns } });
  const crd = withConversionWebhook(Gadget, url("/convert"));
  await ensureCustomResourceDefinition(client, crd, { timeoutMs: 30_000 });
  // The real server may take a moment to serve a new CRD version; retry the first create.
  const configs = webhookConfigurations(hooks, { name, clientConfig: url });
  // Two webhooks on a port nobody listens on, picked by an object label.
  const down = webhookConfigurations([failing("fail", "Fail"), failing("ignore", "Ignore")], {
    name: `${name}-down`,
    clientConfig: (path) => ({ url: `https://127.0.0.1:1${path}`, caBundle }),
  })[0];
  down.webhooks = down.webhooks!.map((w, i) => ({
    ...w,
    objectSelector: { matchLabels: { down: i === 0 ? "fail" : "ignore" } },
  }));
  for (const c of [...configs, down]) {
    const type = c.kind === "MutatingWebhookConfiguration"
      ? MutatingWebhookConfigurations
      : ValidatingWebhookConfigurations;
    await client.resource(type).create(c);
  }
  const gadgets = client.resource(Gadget);
  const out: Record<string, unknown> = {};
  const outcome = async (f: () => Promise<unknown>) => {
    try {
      const o = await f() as Gadget;
      return { ok: true, labels: o.metadata.labels, spec: o.spec };
    } catch (err) {
      const e = err as { code?: number; message: string; status?: { message?: string } };
      const message = e.status?.message ?? e.message;
      // The Go dial error after the webhook name differs between servers.
      return { code: e.code, message: message.replace(/(failed calling webhook "[^"]+").*/, "$1") };
    }
  };
  const gadget = (n: string, size: number, labels?: Record<string, string>) => ({
    apiVersion: Gadget.apiVersion,
    kind: "Gadget",
    metadata: { name: n, namespace: ns, ...(labels ? { labels } : {}) },
    spec: { size },
  });
  try {
    // Webhook configurations take effect within a moment on kube-apiserver.
    for (let i = 0; i < 50; i++) {
      const r = await outcome(() => gadgets.create(gadget(`probe-${i}`, 1)));
      if ((r as { labels?: Record<string, string> }).labels?.mutated === "yes") break;
      await new Promise((res) => setTimeout(res, 200));
    }
    out.allowMutate = await outcome(() => gadgets.create(gadget("small", 3)));
    out.deny = await outcome(() => gadgets.create(gadget("big", 11)));
    out.downFail = await outcome(() => gadgets.create(gadget("f", 1, { down: "fail" })));
    out.downIgnore = await outcome(() => gadgets.create(gadget("i", 1, { down: "ignore" })));
    const v2 = client.resource(GadgetV2);
    const got = await v2.get("small", { namespace: ns }) as KubeObject & { spec: unknown };
    out.getV2 = { apiVersion: got.apiVersion, spec: got.spec };
    const list = await v2.list({ namespace: ns, labelSelector: "!down" });
    out.listV2 = list.items.filter((i) => !i.metadata.name!.startsWith("probe-"))
      .map((i) => [i.metadata.name, (i as KubeObject & { spec: unknown }).spec]);
    const ac = new AbortController();
    for await (
      const e of v2.watch({
        namespace: ns,
        signal: ac.signal,
        fieldSelector: "metadata.name=small",
      })
    ) {
      if (e.type === "ADDED") {
        out.watchV2 = { apiVersion: e.object.apiVersion, spec: (e.object as Gadget).spec };
        ac.abort();
        break;
      }
    }
    // A write at v2 is converted to storage and back.
    const created = await v2.create({
      apiVersion: GadgetV2.apiVersion,
      kind: "Gadget",
      metadata: { name: "at-v2", namespace: ns },
      spec: { dimensions: { size: 4 } },
    } as never) as KubeObject & { spec: unknown };
    out.createV2 = { apiVersion: created.apiVersion, spec: created.spec };
    const storedV1 = await gadgets.get("at-v2", { namespace: ns });
    out.createV2AtV1 = storedV1.spec;
    // DELETE: the webhook sees the stored object as oldObject.
    await gadgets.create(gadget("kept", 2, { keep: "yes" }));
    out.deleteDenied = await outcome(() => gadgets.delete("kept", { namespace: ns }));
    out.deleteAllowed = await outcome(async () => {
      await gadgets.delete("small", { namespace: ns });
      return await gadgets.get("kept", { namespace: ns });
    });
  } finally {
    for (const c of [...configs, down]) {
      const type = c.kind === "MutatingWebhookConfiguration"
        ? MutatingWebhookConfigurations
        : ValidatingWebhookConfigurations;
      await client.resource(type).delete(c.metadata.name!).catch(() => {});
    }
    // Leave the CRD without a conversion webhook that will be gone.
    const stored = await client.resource(CustomResourceDefinitions).get(crd.metadata.name!);
    await client.resource(CustomResourceDefinitions).replace({
      ...stored,
      spec: { ...stored.spec, conversion: { strategy: "None" } },
    } as never).catch(() => {});
  }
  return out;
}

const EXPECTED = {
  allowMutate: { ok: true, labels: { mutated: "yes" }, spec: { size: 3, color: "blue" } },
  deny: {
    code: 422,
    message:
      'admission webhook "vgadget.fidelity.operatorkit.io" denied the request: size 11 is above 10',
  },
  downFail: {
    code: 500,
    message: 'Internal error occurred: failed calling webhook "down-fail.fidelity.operatorkit.io"',
  },
  downIgnore: {
    ok: true,
    labels: { down: "ignore", mutated: "yes" },
    spec: { size: 1, color: "blue" },
  },
  getV2: {
    apiVersion: "fidelity.operatorkit.io/v2",
    spec: { dimensions: { size: 3 }, color: "blue" },
  },
  listV2: [["small", { dimensions: { size: 3 }, color: "blue" }]],
  watchV2: {
    apiVersion: "fidelity.operatorkit.io/v2",
    spec: { dimensions: { size: 3 }, color: "blue" },
  },
  createV2: {
    apiVersion: "fidelity.operatorkit.io/v2",
    spec: { dimensions: { size: 4 }, color: "blue" },
  },
  createV2AtV1: { size: 4, color: "blue" },
  deleteDenied: {
    code: 403,
    message:
      'admission webhook "vdelete-gadget.fidelity.operatorkit.io" denied the request: this one is kept',
  },
  deleteAllowed: {
    ok: true,
    labels: { keep: "yes", mutated: "yes" },
    spec: { size: 2, color: "blue" },
  },
};

Deno.test("webhook fidelity: the embedded server", async () => {
  await using server = await startApiServer();
  assert.deepEqual(await scenario(server.kubeconfigYaml), EXPECTED);
});

const target = await resolveRealTarget();

Deno.test({
  ...needs("webhook fidelity: a real kube-apiserver gives the same outcomes", realServer(target)),
  async fn() {
    const server = await connectRealServer(target);
    try {
      assert.deepEqual(await scenario(await Deno.readTextFile(server.kubeconfigPath)), EXPECTED);
    } finally {
      await server.close();
    }
  },
});
