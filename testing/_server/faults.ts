// Fault injection state: failing the next N requests, latency.
import { failure, statusResponse } from "./status.ts";

interface FailRule {
  left: number;
  status: 429 | 500;
  retryAfterSeconds: number;
  verb?: string;
  resource?: string;
}

/** Options of `failNext`. */
export interface FailNextOptions {
  status?: 429 | 500;
  retryAfterSeconds?: number;
  verb?: string;
  resource?: string;
}

/** The mutable fault settings of one server. */
export class FaultState {
  latencyMs = 0;
  #rules: FailRule[] = [];

  /** Answers the next `n` matching requests with 429 (default) or 500. */
  failNext(n: number, opts: FailNextOptions = {}): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`failNext: expected a non-negative integer count, found ${n}`);
    }
    const status = opts.status ?? 429;
    if (status !== 429 && status !== 500) {
      throw new RangeError(`failNext: expected status 429 or 500, found ${status}`);
    }
    this.#rules.push({
      left: n,
      status,
      retryAfterSeconds: opts.retryAfterSeconds ?? 1,
      verb: opts.verb,
      resource: opts.resource,
    });
  }

  /** A failure response when a rule matches this request (and counts it), else undefined. */
  check(verb: string | undefined, resource: string | undefined): Response | undefined {
    for (const r of this.#rules) {
      if (r.left <= 0) continue;
      if (r.verb !== undefined && r.verb !== verb) continue;
      if (r.resource !== undefined && r.resource !== resource) continue;
      r.left--;
      this.#rules = this.#rules.filter((x) => x.left > 0);
      if (r.status === 429) {
        return statusResponse(
          failure(429, "TooManyRequests", "Too many requests, please try again later.", {
            retryAfterSeconds: r.retryAfterSeconds,
          }),
        );
      }
      return statusResponse(
        failure(500, "InternalError", "Internal error occurred: injected fault", {
          causes: [{ reason: "UnexpectedServerResponse", message: "injected fault" }],
        }),
      );
    }
    return undefined;
  }
}
