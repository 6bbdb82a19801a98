// The operatorkit peer: an Informer over ConfigMaps in one namespace, imported the way an
// operator imports the SDK (the package root), with the default transform (managedFields
// dropped) or, with PEER_TRANSFORM=identity, caching objects as they arrive. PEER_LIST=stream
// makes it start with a streaming list (sendInitialEvents) instead of paged LISTs;
// PEER_LIST=cache sets initialListFromCache (the first LIST with resourceVersion=0).
// operatorkit_parts_peer.ts runs the same with the client and informer entry points instead.
import { ConfigMaps, Informer, KubeClient } from "../../mod.ts";
import { runInformerPeer } from "./_operatorkit_run.ts";

await runInformerPeer({ ConfigMaps, Informer, KubeClient });
