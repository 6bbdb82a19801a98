// The state every handler shares. One per running server; nothing global.
import type { Clock } from "../../client/clock.ts";
import type { Registry } from "./registry.ts";
import type { Store } from "./store.ts";
import type { WatchHub } from "./watch_hub.ts";

/** The shared state of one embedded server. */
export interface ServerCtx {
  store: Store;
  registry: Registry;
  hub: WatchHub;
  clock: Clock;
  /** ownerReference GC and namespace deletion emulation (rules 10.2, 2.4). */
  gc: boolean;
  /** Aborted when the server closes or restarts: pending waits end early. */
  signal: AbortSignal;
}
