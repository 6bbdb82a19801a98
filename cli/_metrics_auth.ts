// Authentication and authorization in front of /metrics, as controller-runtime's
// `filters.WithAuthenticationAndAuthorization` does it: the caller's bearer token goes to a
// TokenReview (who is it?), the user to a SubjectAccessReview (may it `get` the non-resource
// URL /metrics?). 401 without a valid token, 403 when not allowed. Decisions are cached for a
// minute, so a scrape every few seconds costs two API requests a minute, not two per scrape.
// Tokens stay in memory only; no log line carries one.
import { _getLogger as getLogger } from "../client/_log.ts";
import { type Clock, systemClock } from "../client/clock.ts";
import type { KubeClient } from "../client/kube_client.ts";

const _TTL_MS = 60_000;
const _MAX_CACHED = 1_000;
const log = getLogger(["operatorkit", "operator", "metrics"]);

interface _Decision {
  status: 200 | 401 | 403;
  message: string;
  until: number;
}

/** Returns a filter: a Response to send instead of the metrics, or undefined to serve them. */
export function _metricsAuthFilter(
  client: () => KubeClient | undefined,
  options: { clock?: Clock } = {},
): (req: Request, path: string) => Promise<Response | undefined> {
  const clock = options.clock ?? systemClock;
  const cache = new Map<string, _Decision>();
  return async (req, path) => {
    const header = req.headers.get("authorization") ?? "";
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) return _deny(401, "Unauthorized: a bearer token is required");
    const key = `${path}\u0000${token}`;
    let d = cache.get(key);
    if (!d || d.until <= clock.now()) {
      const c = client();
      if (!c) return _deny(503, "not connected to the API server yet");
      try {
        d = { ...(await _decide(c, token, path)), until: clock.now() + _TTL_MS };
      } catch (err) {
        log.warn("metrics authentication failed: {error}", {
          error: err instanceof Error ? err.message : String(err),
        });
        return _deny(500, "authentication or authorization could not be checked");
      }
      if (cache.size >= _MAX_CACHED) cache.delete(cache.keys().next().value!);
      cache.set(key, d);
    }
    return d.status === 200 ? undefined : _deny(d.status, d.message);
  };
}

async function _decide(
  client: KubeClient,
  token: string,
  path: string,
): Promise<Omit<_Decision, "until">> {
  const review = await client.request<{
    status?: {
      authenticated?: boolean;
      user?: { username?: string; uid?: string; groups?: string[]; extra?: unknown };
    };
  }>({
    method: "POST",
    path: "/apis/authentication.k8s.io/v1/tokenreviews",
    body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } },
  });
  const user = review.status?.user;
  if (!review.status?.authenticated || !user?.username) {
    return { status: 401, message: "Unauthorized: the token was not accepted" };
  }
  const access = await client.request<{ status?: { allowed?: boolean } }>({
    method: "POST",
    path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    body: {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: user.username,
        ...(user.uid ? { uid: user.uid } : {}),
        ...(user.groups ? { groups: user.groups } : {}),
        ...(user.extra ? { extra: user.extra } : {}),
        nonResourceAttributes: { path, verb: "get" },
      },
    },
  });
  if (access.status?.allowed !== true) {
    return {
      status: 403,
      message: `Forbidden: user "${user.username}" may not get ${path}`,
    };
  }
  return { status: 200, message: "" };
}

function _deny(status: number, message: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
