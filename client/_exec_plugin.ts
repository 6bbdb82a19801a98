// Runs an exec credential plugin and validates the ExecCredential it prints.
import { ConfigError } from "./errors.ts";
import type { ExecConfig } from "./kubeconfig.ts";

/** What a plugin gives back. */
export interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** ms since the epoch; undefined means "valid until a 401". */
  expiresAt?: number;
}

export interface ExecClusterInfo {
  server: string;
  caData?: string;
  insecureSkipTlsVerify?: boolean;
}

function _b64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export async function _runExecPlugin(
  exec: ExecConfig,
  options: { cluster: ExecClusterInfo; signal?: AbortSignal },
): Promise<ExecCredentialStatus> {
  const spec: Record<string, unknown> = { interactive: false };
  if (exec.provideClusterInfo) {
    spec.cluster = {
      server: options.cluster.server,
      ...(options.cluster.caData
        ? { "certificate-authority-data": _b64(options.cluster.caData) }
        : {}),
      ...(options.cluster.insecureSkipTlsVerify ? { "insecure-skip-tls-verify": true } : {}),
    };
  }
  const env: Record<string, string> = {
    KUBERNETES_EXEC_INFO: JSON.stringify({
      apiVersion: exec.apiVersion,
      kind: "ExecCredential",
      spec,
    }),
  };
  for (const { name, value } of exec.env ?? []) env[name] = value;
  const where = { field: "user.exec", file: exec.command };
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(exec.command, {
      args: exec.args ?? [],
      env,
      stdin: "null",
      stdout: "piped",
      // The plugin's stderr may carry prompts or secrets: it is neither shown nor kept.
      stderr: "piped",
      ...(options.signal ? { signal: options.signal } : {}),
    }).output();
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    const hint = exec.installHint ? ` ${exec.installHint}` : "";
    throw new ConfigError(
      `expected the exec credential plugin to run, found ${(err as Error).name}.${hint}`,
      { ...where, cause: err instanceof Error ? new Error(err.name) : undefined },
    );
  }
  if (!out.success) {
    throw new ConfigError(
      `expected the exec credential plugin to exit 0, found exit code ${out.code}`,
      where,
    );
  }
  let cred: unknown;
  try {
    cred = JSON.parse(new TextDecoder().decode(out.stdout));
  } catch {
    throw new ConfigError(
      "expected the exec plugin to print an ExecCredential as JSON, found non-JSON output",
      where,
    );
  }
  const c = cred as { kind?: unknown; apiVersion?: unknown; status?: Record<string, unknown> };
  if (c?.kind !== "ExecCredential") {
    throw new ConfigError(
      `expected kind ExecCredential, found ${JSON.stringify(c?.kind ?? null)}`,
      where,
    );
  }
  if (c.apiVersion !== exec.apiVersion) {
    throw new ConfigError(
      `expected apiVersion ${exec.apiVersion} (as configured), found ${
        JSON.stringify(c.apiVersion ?? null)
      }`,
      where,
    );
  }
  const s = c.status;
  if (typeof s !== "object" || s === null) {
    throw new ConfigError("expected an ExecCredential with a status, found none", where);
  }
  const result: ExecCredentialStatus = {};
  if (typeof s.token === "string" && s.token) result.token = s.token;
  if (typeof s.clientCertificateData === "string" && typeof s.clientKeyData === "string") {
    result.clientCertificateData = s.clientCertificateData;
    result.clientKeyData = s.clientKeyData;
  }
  if (!result.token && !result.clientCertificateData) {
    throw new ConfigError(
      "expected status.token or status.clientCertificateData with clientKeyData, found neither",
      where,
    );
  }
  if (s.expirationTimestamp !== undefined) {
    const t = typeof s.expirationTimestamp === "string" ? Date.parse(s.expirationTimestamp) : NaN;
    if (Number.isNaN(t)) {
      throw new ConfigError(
        "expected status.expirationTimestamp in RFC 3339, found something else",
        where,
      );
    }
    result.expiresAt = t;
  }
  return result;
}
