// Shared set-up for the informer integration tests: a cluster from testCluster(), a writer
// client (default retries) and an informer client, a seeded PRNG, and a recording handler.
import { KubeClient, type KubeClientOptions, Namespaces } from "../../client/mod.ts";
import type { KubeObject } from "../../client/types.ts";
import { type TestCluster, testCluster, type TestClusterOptions } from "../../testing/mod.ts";
import type { EventHandler } from "../../informer/mod.ts";

export interface Env extends AsyncDisposable {
  cluster: TestCluster;
  /** Writes (creates, updates, deletes) and fresh LISTs; retries as usual. */
  writer: KubeClient;
  /** What the informer reads through. */
  reader: KubeClient;
  /** A namespace private to this test (created on the real tier, "default" otherwise). */
  namespace: string;
}

export async function setup(
  options: TestClusterOptions & { reader?: KubeClientOptions; namespace?: string } = {},
): Promise<Env> {
  const { reader: readerOptions, namespace: ns, ...clusterOptions } = options;
  const cluster = await testCluster(clusterOptions);
  const writer = await KubeClient.fromKubeConfig({ document: cluster.kubeconfig }, { qps: 0 });
  const reader = await KubeClient.fromKubeConfig(
    { document: cluster.kubeconfig },
    { qps: 0, ...readerOptions },
  );
  let namespace = "default";
  if (cluster.real || ns) {
    namespace = ns ?? `inf-${crypto.randomUUID().slice(0, 8)}`;
    await writer.resource(Namespaces).create({ metadata: { name: namespace } });
  }
  return {
    cluster,
    writer,
    reader,
    namespace,
    async [Symbol.asyncDispose]() {
      if (namespace !== "default") {
        await writer.resource(Namespaces).delete(namespace).catch(() => {});
      }
      reader.close();
      writer.close();
      await cluster[Symbol.asyncDispose]();
    },
  };
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `env` (decimal), else a fresh one. */
export function seedFrom(env: string): number {
  const v = Deno.env.get(env);
  if (v !== undefined) {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${env}: expected an integer seed, found ${v}`);
    return n;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

export type Recorded =
  | { type: "add" | "update" | "resync"; key: string; uid: string; rv: string }
  | { type: "delete"; key: string; uid: string; rv: string; resync: boolean; unknown: boolean };

function _id(o: KubeObject) {
  const m = o.metadata;
  return {
    key: m.namespace ? `${m.namespace}/${m.name}` : m.name ?? "",
    uid: m.uid ?? "",
    rv: m.resourceVersion ?? "",
  };
}

/** A handler that records everything it is given, plus its view of the world. */
export class Recorder<T extends KubeObject = KubeObject> {
  readonly log: Recorded[] = [];
  /** key -> last object from add/update, removed on a real delete. */
  readonly view = new Map<string, { uid: string; rv: string }>();
  /** (uid@rv) of add/update dispatches, with how often each arrived. */
  readonly versions = new Map<string, number>();
  readonly seenUids = new Set<string>();
  readonly deletedUids = new Set<string>();
  /** Problems found while recording (an update whose old side was not the view). */
  readonly problems: string[] = [];

  readonly handler: EventHandler<T> = {
    onAdd: (o) => this.#put("add", o),
    onUpdate: (old, o) => {
      const was = this.view.get(_id(o).key);
      const oid = _id(old);
      if (!was || was.uid !== oid.uid || was.rv !== oid.rv) {
        this.problems.push(
          `update of ${oid.key}: old ${oid.uid}@${oid.rv} but the handler had ${
            was ? `${was.uid}@${was.rv}` : "nothing"
          }`,
        );
      }
      this.#put("update", o);
    },
    onDelete: (o, info) => {
      const id = _id(o);
      this.log.push({
        type: "delete",
        ...id,
        resync: info.resync,
        unknown: info.finalStateUnknown,
      });
      if (info.resync) return;
      this.deletedUids.add(id.uid);
      const was = this.view.get(id.key);
      if (was?.uid === id.uid) this.view.delete(id.key);
      else this.problems.push(`delete of ${id.key} (${id.uid}) the handler did not hold`);
    },
    onResync: (o) => void this.log.push({ type: "resync", ..._id(o) }),
  };

  #put(type: "add" | "update", o: T): void {
    const id = _id(o);
    this.log.push({ type, ...id });
    const v = `${id.uid}@${id.rv}`;
    this.versions.set(v, (this.versions.get(v) ?? 0) + 1);
    this.seenUids.add(id.uid);
    if (type === "add" && this.view.get(id.key)?.uid === id.uid) {
      this.problems.push(`add of ${id.key} (${id.uid}) the handler already held`);
    }
    this.view.set(id.key, { uid: id.uid, rv: id.rv });
  }

  /** (uid@rv) pairs dispatched more than once. */
  duplicates(): string[] {
    return [...this.versions].filter(([, n]) => n > 1).map(([v, n]) => `${v} x${n}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A fetch that records request URLs, counts watch response bodies still open, and can refuse
 * requests (answering a Status with `refuse`'s code) to play an older server.
 */
export class TrackingFetch {
  readonly urls: URL[] = [];
  openWatches = 0;
  refuse: ((url: URL) => number | undefined) | undefined;

  readonly fetch: typeof fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    this.urls.push(url);
    const code = this.refuse?.(url);
    if (code !== undefined) {
      return new Response(
        JSON.stringify({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          message: "refused by the test",
          reason: "Invalid",
          code,
        }),
        { status: code, headers: { "content-type": "application/json" } },
      );
    }
    const res = await fetch(input, init);
    if (url.searchParams.get("watch") !== "1" && url.searchParams.get("watch") !== "true") {
      return res;
    }
    if (!res.body) return res;
    this.openWatches++;
    const reader = res.body.getReader();
    let ended = false;
    const end = () => {
      if (!ended) {
        ended = true;
        this.openWatches--;
      }
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        try {
          const r = await reader.read();
          if (r.done) {
            end();
            c.close();
          } else c.enqueue(r.value);
        } catch (e) {
          end();
          c.error(e);
        }
      },
      async cancel(reason) {
        end();
        await reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, headers: res.headers });
  };

  /** Requests whose path ends with `plural`, as "list", "watch" or "stream" (sendInitialEvents). */
  verbs(plural: string): string[] {
    return this.urls.filter((u) => u.pathname.endsWith(`/${plural}`)).map((u) =>
      u.searchParams.get("sendInitialEvents") === "true"
        ? "stream"
        : u.searchParams.has("watch")
        ? "watch"
        : "list"
    );
  }
}
