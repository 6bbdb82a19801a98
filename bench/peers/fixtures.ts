// The benchmark's data, generated deterministically: `objects` ConfigMaps of about 1.5 KB of
// JSON each (with a managedFields entry, as a real server returns), listed at one
// resourceVersion, then `events` MODIFIED events cycling over them. Every peer reads the
// same bytes (see replay_server.ts).

/** The namespace every peer lists and watches. */
export const NAMESPACE = "bench";

/** One ConfigMap as the API server would return it. */
export interface FixtureObject {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    managedFields: unknown[];
  };
  data: Record<string, string>;
}

/** The generated data set. */
export interface Fixtures {
  objects: FixtureObject[];
  /** The resourceVersion of the list. */
  listRv: number;
  /** The MODIFIED events' objects, in order; event `j` has resourceVersion listRv + 1 + j. */
  events: FixtureObject[];
  /** Sum of every object's final resourceVersion: what a lossless cache ends with. */
  finalRvSum: bigint;
  /** Sum of the listed objects' resourceVersions (when no events are read). */
  listRvSum: bigint;
}

const CONFIG = Array.from({ length: 18 }, (_, i) => `  setting${i}: value-${i}-abcdefghijklmnop`)
  .join("\n");

function uid(i: number): string {
  const h = i.toString(16).padStart(12, "0");
  return `6f0c1e2a-0b1d-4c3e-9f4a-${h}`;
}

function object(i: number, rv: number, version: number): FixtureObject {
  const name = `cm-${String(i).padStart(6, "0")}`;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: NAMESPACE,
      uid: uid(i),
      resourceVersion: String(rv),
      creationTimestamp: "2026-01-01T00:00:00Z",
      labels: { app: "bench", shard: String(i % 10), tier: "backend" },
      annotations: { "bench.operatorkit.dev/owner": `team-${i % 7}` },
      managedFields: [{
        manager: "kubectl-client-side-apply",
        operation: "Update",
        apiVersion: "v1",
        time: "2026-01-01T00:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:data": { ".": {}, "f:config.yaml": {}, "f:key": {}, "f:version": {} },
          "f:metadata": {
            "f:annotations": { ".": {}, "f:bench.operatorkit.dev/owner": {} },
            "f:labels": { ".": {}, "f:app": {}, "f:shard": {}, "f:tier": {} },
          },
        },
      }],
    },
    data: {
      key: `value-${i}`,
      version: String(version),
      "config.yaml": `name: ${name}\nsettings:\n${CONFIG}\n`,
    },
  };
}

/** Generates `objects` ConfigMaps and `events` MODIFIED events over them. */
export function makeFixtures(objects: number, events: number): Fixtures {
  const list = Array.from({ length: objects }, (_, i) => object(i, i + 1, 0));
  const listRv = objects + 1;
  const finalRv = list.map((o) => Number(o.metadata.resourceVersion));
  const evs: FixtureObject[] = new Array(events);
  for (let j = 0; j < events; j++) {
    const i = j % objects;
    const rv = listRv + 1 + j;
    evs[j] = object(i, rv, Math.floor(j / objects) + 1);
    finalRv[i] = rv;
  }
  const sum = (a: number[]) => a.reduce((s, v) => s + BigInt(v), 0n);
  return {
    objects: list,
    listRv,
    events: evs,
    finalRvSum: sum(finalRv),
    listRvSum: sum(list.map((o) => Number(o.metadata.resourceVersion))),
  };
}
