// Shared set-up for the controller integration tests: a cluster from testCluster() (the
// embedded API server, or the real one named by OPERATORKIT_TEST_KUBECONFIG), a KubeClient,
// an InformerFactory over it, a fresh namespace, and the small test CRD `Widget`.
import { z } from "zod";
import { Namespaces } from "../../client/builtins.ts";
import {
  type CustomObject,
  defineCustomResource,
  ensureCustomResourceDefinition,
} from "../../client/custom_resource.ts";
import { isAlreadyExists } from "../../client/errors.ts";
import { KubeClient } from "../../client/kube_client.ts";
import type { ResourceClient } from "../../client/resource_client.ts";
import { Controller, type ControllerOptions } from "../../controller/controller.ts";
import type { JsonPatchOperation, PrimaryApi } from "../../controller/finalizer.ts";
import { primaryApi } from "../../controller/kube.ts";
import type { ContextLogger, Resource } from "../../controller/resource.ts";
import { InformerFactory } from "../../informer/factory.ts";
import {
  type TestCluster,
  testCluster,
  type TestClusterOptions,
} from "../../testing/test_cluster.ts";

/** The test CRD's objects. */
export type Widget = CustomObject<{ value: string }, { observedGeneration?: number }>;

/** The test CRD: widgets.controllertest.operatorkit.io/v1, namespaced. */
export const Widgets = defineCustomResource({
  group: "controllertest.operatorkit.io",
  version: "v1",
  kind: "Widget",
  scope: "Namespaced",
  spec: z.object({ value: z.string().default("") }),
  status: z.object({ observedGeneration: z.int().optional() }),
});

/** Everything one test needs; dispose it at the end (`await using env = await setup()`). */
export interface Env extends AsyncDisposable {
  cluster: TestCluster;
  client: KubeClient;
  factory: InformerFactory;
  namespace: string;
  widgets: ResourceClient<Widget>;
  /** Creates a Widget named `name` in the test namespace. */
  create(
    name: string,
    options?: { value?: string; annotations?: Record<string, string>; finalizers?: string[] },
  ): Promise<Widget>;
  /** The Widget from the API server, or undefined when gone. */
  get(name: string): Promise<Widget | undefined>;
  /** A controller over Widgets with the given options (stopped on dispose). */
  controller(
    options: Partial<ControllerOptions<Widget>> & { resources: Resource<Widget>[] },
  ): Controller<Widget>;
  /** The real primaryApi, with every JSON patch it sends recorded. */
  patches: JsonPatchOperation[][];
}

let _seq = 0;

/** Starts the cluster, installs the Widget CRD and creates a fresh namespace. */
export async function setup(options: TestClusterOptions = {}): Promise<Env> {
  const stack = new AsyncDisposableStack();
  try {
    const cluster = stack.use(await testCluster(options));
    const client = await KubeClient.fromKubeConfig({ document: cluster.kubeconfig });
    stack.defer(() => client.close());
    await ensureCustomResourceDefinition(client, Widgets);
    const namespace = `ctl-${Date.now().toString(36)}-${++_seq}`;
    try {
      await client.resource(Namespaces).create({ metadata: { name: namespace } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const widgets = client.resource(Widgets) as unknown as ResourceClient<Widget>;
    const factory = new InformerFactory({
      listWatch: (t) => client.resource(t),
      defaults: { backoff: { initialMs: 5 } },
    });
    const controllers: Controller<Widget>[] = [];
    // Last in, first out: controllers stop before the factory, the factory before the client.
    stack.defer(async () => {
      if (cluster.real) await _cleanup(client, namespace);
    });
    stack.use(factory);
    stack.defer(async () => {
      for (const c of controllers) await c.stop();
    });
    const patches: JsonPatchOperation[][] = [];
    const real = primaryApi(client.resource(Widgets) as never) as PrimaryApi<Widget>;
    const api: PrimaryApi<Widget> = {
      get: (obj, o) => real.get(obj, o),
      jsonPatch: (obj, o) => {
        patches.push(o.operations);
        return real.jsonPatch(obj, o);
      },
    };
    const env: Env = {
      cluster,
      client,
      factory,
      namespace,
      widgets,
      patches,
      async create(name, o = {}) {
        return await client.resource(Widgets).create({
          metadata: {
            name,
            namespace,
            ...(o.annotations ? { annotations: o.annotations } : {}),
            ...(o.finalizers ? { finalizers: o.finalizers } : {}),
          },
          spec: { value: o.value ?? "" },
        }) as Widget;
      },
      async get(name) {
        try {
          return await client.resource(Widgets).get(name, { namespace }) as Widget;
        } catch (err) {
          if ((err as { code?: number }).code === 404) return undefined;
          throw err;
        }
      },
      controller(o) {
        const c = new Controller<Widget>({ client, informers: factory }, {
          name: "widget-test",
          type: Widgets as never,
          api,
          namespace,
          resyncPeriodMs: 0,
          backoff: { baseDelayMs: 5 },
          shutdownGracePeriodMs: 2000,
          ...o,
        });
        controllers.push(c);
        return c;
      },
      [Symbol.asyncDispose]: () => stack.disposeAsync(),
    };
    return env;
  } catch (err) {
    await stack.disposeAsync();
    throw err;
  }
}

// On a real cluster: strip finalizers the tests left and delete the namespace.
async function _cleanup(client: KubeClient, namespace: string): Promise<void> {
  const widgets = client.resource(Widgets);
  const list = await widgets.list({ namespace });
  for (const w of list.items) {
    if (w.metadata.finalizers?.length) {
      await widgets.patch(w.metadata.name!, {
        namespace,
        type: "merge",
        body: { metadata: { finalizers: null } },
      }).catch(() => {});
    }
  }
  await client.resource(Namespaces).delete(namespace).catch(() => {});
}

/** Waits (real time) until `check()` holds; throws naming `what` after `ms`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - start > ms) {
      throw new Error(`Expected ${what} within ${ms} ms, it did not happen`);
    }
    await sleep(5);
  }
}

/** Real-time sleep (integration tests only; unit tests use the FakeClock). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A ContextLogger keeping every message (after filling `{placeholders}`). */
export class RecordingLogger implements ContextLogger {
  readonly lines: Array<{ level: string; message: string; properties: Record<string, unknown> }>;
  readonly #props: Record<string, unknown>;

  constructor(
    lines: RecordingLogger["lines"] = [],
    props: Record<string, unknown> = {},
  ) {
    this.lines = lines;
    this.#props = props;
  }

  #log(level: string, message: string, properties: Record<string, unknown> = {}): void {
    const all = { ...this.#props, ...properties };
    const text = message.replace(/\{(\w+)\}/g, (_, k) => String(all[k]));
    this.lines.push({ level, message: text, properties: all });
  }
  debug(m: string, p?: Record<string, unknown>): void {
    this.#log("debug", m, p);
  }
  info(m: string, p?: Record<string, unknown>): void {
    this.#log("info", m, p);
  }
  warn(m: string, p?: Record<string, unknown>): void {
    this.#log("warn", m, p);
  }
  error(m: string, p?: Record<string, unknown>): void {
    this.#log("error", m, p);
  }
  with(p: Record<string, unknown>): ContextLogger {
    return new RecordingLogger(this.lines, { ...this.#props, ...p });
  }
}

/** A resource that counts calls per key and runs `hooks` (default: nothing). */
export function countingResource(
  name: string,
  hooks: {
    created?: (
      obj: Widget,
      ctx: Parameters<Resource<Widget>["ensureCreated"]>[1],
    ) => Promise<void> | void;
    deleted?: (
      obj: Widget,
      ctx: Parameters<Resource<Widget>["ensureDeleted"]>[1],
    ) => Promise<void> | void;
  } = {},
): Resource<Widget> & { created: Map<string, number>; deleted: Map<string, number> } {
  const created = new Map<string, number>();
  const deleted = new Map<string, number>();
  return {
    name,
    created,
    deleted,
    async ensureCreated(obj, ctx) {
      created.set(ctx.key, (created.get(ctx.key) ?? 0) + 1);
      await hooks.created?.(obj, ctx);
    },
    async ensureDeleted(obj, ctx) {
      deleted.set(ctx.key, (deleted.get(ctx.key) ?? 0) + 1);
      await hooks.deleted?.(obj, ctx);
    },
  };
}

/** The object type's key for `name` in the env's namespace. */
export function keyOf(env: Env, name: string): string {
  return `${env.namespace}/${name}`;
}
