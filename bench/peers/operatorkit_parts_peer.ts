// The operatorkit peer importing only what an informer-only program needs: the client and
// informer entry points (`@operatorkit/operatorkit/client`, `.../informer`), not the package
// root with its controller, custom resources and operator process. Same workload as
// operatorkit_peer.ts.
import { ConfigMaps, KubeClient } from "../../client/mod.ts";
import { Informer } from "../../informer/mod.ts";
import { runInformerPeer } from "./_operatorkit_run.ts";

await runInformerPeer({ ConfigMaps, Informer, KubeClient });
