// Start-up of the operator process against the cluster: reading the environment without an
// uncaught NotCapable, proving the credentials work before saying "connected", checking every
// permission the operator needs in one pass (SelfSubjectAccessReview), and turning any
// start-up failure into one line that keeps its cause (TLS, DNS, refused, 401, 403, a missing
// Deno permission).
import type { PolicyRule } from "../client/builtin_types.ts";
import { type Clock, sleep, systemClock } from "../client/clock.ts";
import { ApiError } from "../client/errors.ts";
import type { KubeClient } from "../client/kube_client.ts";
import type { RequiredAccess } from "./manifests.ts";

/** A Deno permission the process lacks: the message names the flag to add. */
export class _MissingPermission extends Error {
  override name = "MissingPermissionError";
}

/** The process environment, or a `_MissingPermission` naming `--allow-env`. */
export function _readEnv(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch (err) {
    if (_isPermissionError(err)) {
      throw new _MissingPermission(
        "missing Deno permission: reading the environment (OPERATORKIT_* flags, KUBECONFIG, " +
          "HOME) needs --allow-env: run deno with --allow-env",
        { cause: err },
      );
    }
    throw err;
  }
}

function _isPermissionError(err: unknown): boolean {
  return err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied ||
    (err instanceof Error && (err.name === "NotCapable" || err.name === "PermissionDenied"));
}

function _chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && out.length < 10; e = (e as Error).cause) {
    out.push(e);
    if (!(e instanceof Error)) break;
  }
  return out;
}

const _text = (e: unknown) => e instanceof Error ? e.message : String(e);

/**
 * One line describing a start-up failure with its cause. `server` is the API server URL (for
 * network errors) and `user` the kubeconfig user, when known.
 */
export function _describeStartupError(
  err: unknown,
  where: { server?: string; user?: string } = {},
): string {
  const chain = _chain(err);
  const all = chain.map(_text).join(" | ");
  const server = where.server ? ` ${where.server}` : " the API server";
  const perm = chain.find(_isPermissionError);
  if (err instanceof _MissingPermission) return err.message;
  if (err instanceof _GaveUp) return `${_describeStartupError(err.cause, where)} (${err.message})`;
  if (perm) {
    // Deno says e.g. `Requires net access to "127.0.0.1:6443", run again with the --allow-net flag`.
    const msg = _text(perm);
    const flag = /--allow-[a-z-]+/.exec(msg)?.[0];
    return `missing Deno permission: ${
      msg.replace(/, run again with the --allow-[a-z-]+ flag$/, "")
    }` +
      (flag ? `: run deno with ${flag}` : "");
  }
  const api = chain.find((e): e is ApiError => e instanceof ApiError);
  if (api?.code === 401) {
    return `401 Unauthorized from${server}: the credentials${
      where.user ? ` of kubeconfig user "${where.user}"` : ""
    } were rejected (expired or wrong token or client certificate)`;
  }
  if (api?.code === 403) {
    return `403 Forbidden from${server}: ${api.status.message ?? api.message}`;
  }
  const name = /not valid for name "([^"]+)"(?:; certificate is only valid for (.*))?/.exec(all);
  if (name) {
    const valid = name[2]
      ? ` (it is valid for ${name[2].replace(/DnsName\("([^"]+)"\)/g, "$1")})`
      : "";
    return `TLS: the server certificate of${server} is not valid for host ${name[1]}${valid}: ` +
      `use a server name the certificate lists, or fix the kubeconfig's cluster.server`;
  }
  if (/UnknownIssuer|unknown (certificate )?authority|self.signed/i.test(all)) {
    return `TLS: the server certificate of${server} is signed by an unknown authority: set the ` +
      `kubeconfig's cluster certificate-authority(-data) to the cluster's CA`;
  }
  if (/certificate|tls|handshake/i.test(all) && /invalid peer|BadCertificate|Expired/i.test(all)) {
    return `TLS: the server certificate of${server} was refused: ${_lastCause(chain)}`;
  }
  const dns = /dns error|failed to lookup address|Name or service not known|nodename nor servname/i;
  if (dns.test(all)) {
    const host = where.server ? new URL(where.server).hostname : "the server's host";
    return `DNS: cannot resolve ${host} (from the kubeconfig's cluster.server): ${
      _lastCause(chain)
    }`;
  }
  if (/Connection refused|os error 111|ECONNREFUSED/i.test(all)) {
    return `connection refused by${server}: is the API server running there, and is the ` +
      `kubeconfig's cluster.server right?`;
  }
  if (/timed out|timeout/i.test(all) && !api) {
    return `no answer from${server}: ${_lastCause(chain)}`;
  }
  // Anything else: the whole cause chain, on one line, without repeats.
  const parts: string[] = [];
  for (const e of chain) {
    const t = _text(e).replace(/\s*\n\s*/g, " ");
    if (t && !parts.some((p) => p.includes(t))) parts.push(t);
  }
  return parts.join(": ") || String(err);
}

function _lastCause(chain: unknown[]): string {
  return _text(chain[chain.length - 1]).replace(/\s*\n\s*/g, " ");
}

/** A transient start-up failure that lasted until the start-up deadline; `cause` is the last. */
export class _GaveUp extends Error {
  override name = "GaveUpError";
}

const _TLS = /certificate|UnknownIssuer|unknown authority|self.signed|handshake|invalid peer/i;
const _DNS = /dns error|failed to lookup address|Name or service not known|nodename nor servname/i;
const _TRANSIENT_NET =
  /Connection refused|os error 111|ECONNREFUSED|Connection reset|os error 104|ECONNRESET|connection closed before message completed|broken pipe|os error 32|timed out|os error 110/i;

/**
 * True for a start-up failure that may pass by itself: a 5xx or 429 answer, a refused or
 * reset connection, a timeout. False for the definite ones (401, 403, other 4xx, TLS, DNS, a
 * missing Deno permission, anything unknown).
 */
export function _isTransient(err: unknown): boolean {
  const chain = _chain(err);
  if (err instanceof _MissingPermission || chain.some(_isPermissionError)) return false;
  const api = chain.find((e): e is ApiError => e instanceof ApiError);
  if (api) return api.code === 429 || api.code >= 500;
  const all = chain.map(_text).join(" | ");
  if (_TLS.test(all) || _DNS.test(all)) return false;
  return chain.some((e) =>
    e instanceof Deno.errors.ConnectionRefused || e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.ConnectionAborted || e instanceof Deno.errors.TimedOut
  ) || _TRANSIENT_NET.test(all);
}

/** How `_retryTransient` retries. */
export interface _RetryOptions {
  /** The whole budget from the first attempt, in ms (the operator's --cache-sync-timeout). */
  deadlineMs: number;
  /** Aborts the attempt in flight and the wait. */
  signal: AbortSignal;
  clock?: Clock;
  /** First wait (default 250 ms), doubled after each failure up to `maxMs` (default 5 s). */
  initialMs?: number;
  maxMs?: number;
  /** Jitter source (default Math.random): each wait is 50-100 % of the nominal one. */
  random?: () => number;
  /** Called before each wait. */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
}

/**
 * Runs `attempt` until it succeeds, retrying transient failures (`_isTransient`) with
 * exponential backoff and jitter until `deadlineMs` has passed; a definite failure is thrown
 * at once, unchanged. An attempt still running at the deadline is aborted. At the deadline the
 * last failure is thrown inside a `_GaveUp` saying how long it was retried.
 */
export async function _retryTransient<R>(
  attempt: (signal: AbortSignal) => Promise<R>,
  options: _RetryOptions,
): Promise<R> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const maxMs = options.maxMs ?? 5000;
  const end = clock.now() + options.deadlineMs;
  const budget = `${options.deadlineMs / 1000} s`;
  let nominal = options.initialMs ?? 250;
  let last: unknown;
  for (let n = 1;; n++) {
    const ac = new AbortController();
    const outer = options.signal;
    const onAbort = () => ac.abort(outer.reason);
    outer.addEventListener("abort", onAbort, { once: true });
    if (outer.aborted) ac.abort(outer.reason);
    const timer = clock.setTimeout(
      () => ac.abort(new Error(`no answer: timed out at the start-up deadline (${budget})`)),
      Math.max(0, end - clock.now()),
    );
    try {
      return await attempt(ac.signal);
    } catch (err) {
      if (outer.aborted) throw err;
      if (ac.signal.aborted) {
        throw new _GaveUp(
          `${n} attempt(s) failed within the ${budget} start-up deadline, --cache-sync-timeout`,
          {
            cause: last ?? ac.signal.reason,
          },
        );
      }
      if (!_isTransient(err)) throw err;
      last = err;
      const delayMs = Math.round(nominal * (0.5 + random() / 2));
      if (clock.now() + delayMs >= end) {
        throw new _GaveUp(
          `${n} attempt(s) failed within the ${budget} start-up deadline, --cache-sync-timeout`,
          {
            cause: err,
          },
        );
      }
      options.onRetry?.({ error: err, attempt: n, delayMs });
      await sleep(delayMs, { clock, signal: outer });
      nominal = Math.min(nominal * 2, maxMs);
    } finally {
      clock.clearTimeout(timer);
      outer.removeEventListener("abort", onAbort);
    }
  }
}

/**
 * Proves the credentials work with one authenticated request and returns who the server
 * says we are: a SelfSubjectReview (authentication.k8s.io/v1), else (a server without it)
 * a GET of the API groups, which a rejected credential answers with 401.
 */
export async function _whoAmI(
  client: KubeClient,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    const review = await client.request<{ status?: { userInfo?: { username?: string } } }>({
      method: "POST",
      path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      signal,
    });
    return review.status?.userInfo?.username;
  } catch (err) {
    if (!(err instanceof ApiError) || (err.code !== 404 && err.code !== 405)) throw err;
  }
  await client.request({ method: "GET", path: "/apis", signal });
  return undefined;
}

/** One SelfSubjectAccessReview question. */
interface _Question {
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  namespace?: string;
  path?: string;
}

/**
 * Checks every permission in `access` (and the user's `extraRules`) with
 * SelfSubjectAccessReviews and throws one error listing all that are missing. Namespaced
 * access is checked in each of `namespaces` (cluster-wide when empty); own-namespace access
 * in `ownNamespace`. Resolves false, checking nothing, when the server does not serve
 * SelfSubjectAccessReview (the embedded test server).
 */
export async function _checkAccess(
  client: KubeClient,
  options: {
    access: readonly RequiredAccess[];
    extraRules?: readonly PolicyRule[];
    namespaces: readonly string[];
    ownNamespace: string;
    user?: string;
    signal: AbortSignal;
  },
): Promise<boolean> {
  const questions: _Question[] = [];
  for (const a of options.access) {
    const [resource, subresource] = a.resource.split("/");
    const places = a.where === "own-namespace"
      ? [options.ownNamespace]
      : a.where === "watched" && options.namespaces.length
      ? options.namespaces
      : [undefined];
    for (const namespace of places) {
      for (const verb of a.verbs) {
        for (const name of a.resourceNames ?? [undefined]) {
          questions.push({
            verb,
            group: a.group,
            resource,
            ...(subresource ? { subresource } : {}),
            ...(name ? { name } : {}),
            ...(namespace ? { namespace } : {}),
          });
        }
      }
    }
  }
  for (const r of options.extraRules ?? []) {
    for (const verb of r.verbs) {
      for (const path of r.nonResourceURLs ?? []) questions.push({ verb, path });
      for (const group of r.resources?.length ? r.apiGroups ?? [""] : []) {
        for (const res of r.resources ?? []) {
          const [resource, subresource] = res.split("/");
          for (const name of r.resourceNames?.length ? r.resourceNames : [undefined]) {
            questions.push({
              verb,
              group,
              resource,
              ...(subresource ? { subresource } : {}),
              ...(name ? { name } : {}),
            });
          }
        }
      }
    }
  }
  const denied = new Array<boolean>(questions.length).fill(false);
  let served = true;
  // A few at a time: the client's rate limiter spaces them anyway.
  for (let i = 0; i < questions.length && served; i += 8) {
    await Promise.all(
      questions.slice(i, i + 8).map(async (q, j) => {
        try {
          denied[i + j] = !(await _ask(client, q, options.signal));
        } catch (err) {
          if (err instanceof ApiError && (err.code === 404 || err.code === 405)) served = false;
          else throw err;
        }
      }),
    );
  }
  if (!served) return false;
  // In the order asked: grouped by place and resource, as the manifests list them.
  const missing = questions.filter((_, i) => denied[i]).map(_describeQuestion);
  if (missing.length) {
    throw new Error(
      `missing ${missing.length} permission(s)${
        options.user ? ` for ${options.user}` : ""
      } (grant them, e.g. with the RBAC of the \`manifests\` command): ${
        [...new Set(missing)].join("; ")
      }`,
    );
  }
  return true;
}

async function _ask(client: KubeClient, q: _Question, signal: AbortSignal): Promise<boolean> {
  const spec = q.path !== undefined ? { nonResourceAttributes: { path: q.path, verb: q.verb } } : {
    resourceAttributes: {
      verb: q.verb,
      group: q.group,
      resource: q.resource,
      ...(q.subresource ? { subresource: q.subresource } : {}),
      ...(q.name ? { name: q.name } : {}),
      ...(q.namespace ? { namespace: q.namespace } : {}),
    },
  };
  const review = await client.request<{ status?: { allowed?: boolean } }>({
    method: "POST",
    path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    body: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec },
    signal,
  });
  return review.status?.allowed === true;
}

function _describeQuestion(q: _Question): string {
  if (q.path !== undefined) return `${q.verb} ${q.path}`;
  const res = `${q.resource}${q.subresource ? `/${q.subresource}` : ""}${
    q.group ? `.${q.group}` : ""
  }`;
  return `${q.verb} ${res}${q.name ? ` "${q.name}"` : ""} ${
    q.namespace ? `in namespace ${q.namespace}` : "cluster-wide"
  }`;
}
