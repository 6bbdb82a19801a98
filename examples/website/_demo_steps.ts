// The demo script, independent of where the cluster comes from: create two Websites, change
// one, delete one, and print what the operator did after each step.
import { ConfigMaps, Deployments, Services } from "../../client/builtins.ts";
import { ignoreNotFound } from "../../client/errors.ts";
import type { KubeClient } from "../../client/kube_client.ts";
import type { KubeObject, ResourceType } from "../../client/types.ts";
import type { InformerSource } from "../../controller/informer_source.ts";
import { websiteController } from "./operator.ts";
import { Website } from "./website.ts";

const _kinds: ResourceType[] = [ConfigMaps, Deployments, Services];

async function _until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Expected ${what} within 30 s, it did not happen`);
}

/** Runs the demo steps; resolves when done, rejects when a step did not converge. */
export async function runDemoSteps(
  client: KubeClient,
  options: { informers: InformerSource; namespace: string; print: (line: string) => void },
): Promise<void> {
  const { namespace, print } = options;
  const lines: string[] = [];
  const flush = () => {
    for (const l of lines.splice(0)) print(`    - ${l}`);
  };
  const controller = websiteController({ client, informers: options.informers }, {
    namespace,
    onChange: (l) => lines.push(l),
  });
  await controller.start();
  const sites = client.resource(Website);
  const get = (name: string) => sites.get(name, { namespace }).catch(ignoreNotFound);
  const ready = (name: string, generation: number) => async () => {
    const s = await get(name);
    return s?.status?.observedGeneration === generation &&
      JSON.stringify(s.status?.conditions ?? []).includes('"status":"True"');
  };
  const children = async () => {
    const out: string[] = [];
    for (const t of _kinds) {
      const page = await client.resource(t).list({ namespace });
      for (const o of page.items as KubeObject[]) out.push(`${t.kind}/${o.metadata.name}`);
    }
    return out.sort();
  };
  try {
    print(`1. create Websites "home" (1 replica) and "blog" (2 replicas) in ${namespace}`);
    await sites.create(
      {
        metadata: { name: "home", namespace },
        spec: { html: "<h1>home</h1>", replicas: 1 },
      },
    );
    await sites.create(
      {
        metadata: { name: "blog", namespace },
        spec: { html: "<h1>blog</h1>", replicas: 2 },
      },
    );
    await _until(
      "both Websites Ready",
      async () => (await ready("home", 1)()) && (await ready("blog", 1)()),
    );
    flush();
    print(`   children now: ${(await children()).join(", ")}`);

    print(`2. change "blog": new html, 3 replicas`);
    const blog = (await get("blog"))!;
    await sites.replace({ ...blog, spec: { html: "<h1>blog v2</h1>", replicas: 3 } });
    await _until("blog generation 2 Ready", ready("blog", 2));
    flush();

    print(`3. delete "home"`);
    await sites.delete("home", { namespace });
    await _until("home gone", async () => (await get("home")) === undefined);
    flush();
    print(`   children now: ${(await children()).join(", ")}`);
    print(`   reconciles: ${controller.stats.reconciles}, errors: ${controller.stats.errors}`);
  } finally {
    await controller.stop();
  }
}
