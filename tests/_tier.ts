// What a test needs that a tier may lack, decided when the test module loads, so that Deno
// reports a test the tier cannot run as ignored, with the reason in its name, instead of a
// pass that asserted nothing: `Deno.test(needs("name", FAULTS), async (t) => { ... })`.
import { TEST_KUBECONFIG_ENV } from "../testing/test_cluster.ts";

/** Something a test needs; `missing` when this run lacks it (and does not require it). */
export interface Need {
  readonly missing: boolean;
  readonly reason: string;
}

/** True when testCluster() gives the real cluster named by OPERATORKIT_TEST_KUBECONFIG. */
export const REAL_TIER = Boolean(Deno.env.get(TEST_KUBECONFIG_ENV));

/** Fault injection: only the embedded API server has it. */
export const FAULTS: Need = {
  missing: REAL_TIER,
  reason: `fault injection needs the embedded API server, ${TEST_KUBECONFIG_ENV} names a real one`,
};

/** `Deno.test` options: ignored, with every missing need's reason in the name. */
export function needs(name: string, ...list: Need[]): { name: string; ignore: boolean } {
  const missing = list.filter((need) => need.missing);
  if (missing.length === 0) return { name, ignore: false };
  return { name: `${name} [ignored: ${missing.map((n) => n.reason).join("; ")}]`, ignore: true };
}
