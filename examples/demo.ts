// `deno task demo`: the Website operator at work, no cluster needed. It starts the embedded
// API server on 127.0.0.1, installs the Website CRD, runs the operator, creates two
// Websites, changes one, deletes one, prints what the operator did after each step (and what
// kubectl sees, when kubectl is installed), and exits 0.
//
//   deno task demo                         # embedded API server
//   deno task demo --kubeconfig ~/.kube/x  # a cluster of yours (creates namespace "demo")
import { Namespaces } from "../client/builtins.ts";
import { ensureCustomResourceDefinition } from "../client/custom_resource.ts";
import { isAlreadyExists } from "../client/errors.ts";
import { KubeClient } from "../client/kube_client.ts";
import { InformerFactory } from "../informer/factory.ts";
import { startApiServer } from "../testing/api_server.ts";
import { runDemoSteps } from "./website/_demo_steps.ts";
import { Website } from "./website/website.ts";

const NAMESPACE = "demo";

async function kubectl(kubeconfig: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("kubectl", {
      args: ["--kubeconfig", kubeconfig, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.success ? out.stdout : out.stderr);
    return text.trimEnd();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

async function main(args: string[]): Promise<void> {
  const print = (line: string) => console.log(line);
  const i = args.indexOf("--kubeconfig");
  const given = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith("--kubeconfig="))?.slice(13);
  const unknown = args.filter((a, j) =>
    !(i >= 0 && (j === i || j === i + 1)) && !a.startsWith("--kubeconfig=")
  );
  if ((i >= 0 && (!given || given.startsWith("-"))) || given === "" || unknown.length) {
    console.error(
      `demo: expected no arguments or --kubeconfig PATH, found ${JSON.stringify(args.join(" "))}`,
    );
    Deno.exit(2);
  }
  await using stack = new AsyncDisposableStack();
  let kubeconfig: string;
  if (given) {
    kubeconfig = given;
    print(`operatorkit demo: the Website operator against the cluster in ${given}`);
  } else {
    const server = stack.use(await startApiServer());
    kubeconfig = await Deno.makeTempFile({ prefix: "operatorkit-demo-", suffix: ".kubeconfig" });
    stack.defer(() => Deno.remove(kubeconfig).catch(() => {}));
    await server.writeKubeconfig(kubeconfig);
    print("operatorkit demo: the Website operator against the embedded API server");
    print(`   API server ${server.url}, kubeconfig ${kubeconfig}`);
  }
  const client = await KubeClient.fromKubeConfig({ path: kubeconfig, mode: "kubeconfig" });
  stack.defer(() => client.close());

  const crd = await ensureCustomResourceDefinition(client, Website);
  print(`0. installed CRD ${crd.metadata.name} (Established)`);
  try {
    await client.resource(Namespaces).create({ metadata: { name: NAMESPACE } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const informers = stack.use(new InformerFactory({ listWatch: (t) => client.resource(t) }));
  await runDemoSteps(client, { informers, namespace: NAMESPACE, print });

  const seen = await kubectl(kubeconfig, [
    "get",
    "websites,configmaps,deployments,services",
    "-n",
    NAMESPACE,
  ]);
  if (seen === undefined) print("(kubectl is not installed: skipping what kubectl sees)");
  else {
    print("what kubectl sees now:");
    for (const line of seen.split("\n")) print(`   ${line}`);
  }
  print("done");
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (err) {
    console.error(`demo failed: ${err instanceof Error ? `${err.name}: ${err.message}` : err}`);
    Deno.exit(1);
  }
}
