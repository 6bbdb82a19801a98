// The user part of a kubeconfig: client certificates, tokens, basic auth and exec plugins.
import { ConfigError } from "./errors.ts";
import type { AuthConfig, ExecConfig, TlsConfig } from "./kubeconfig.ts";
import {
  _base64Pem,
  _bool,
  _dirOf,
  _isRecord,
  _kindOf,
  _list,
  _optString,
  _readPem,
  _resolvePath,
} from "./_config_util.ts";

/** A named kubeconfig entry and where it was defined. */
export type _Entry = { name: string; body: Record<string, unknown>; file: string; field: string };
type Entry = _Entry;

export async function _auth(
  user: Entry,
  tls: TlsConfig,
  at: (e: Entry, key: string) => { file: string; field: string },
): Promise<AuthConfig> {
  const b = user.body;
  const dir = _dirOf(user.file);
  const certData = _optString(b["client-certificate-data"], at(user, "client-certificate-data"));
  const certFile = _optString(b["client-certificate"], at(user, "client-certificate"));
  const keyData = _optString(b["client-key-data"], at(user, "client-key-data"));
  const keyFile = _optString(b["client-key"], at(user, "client-key"));
  if (certData) tls.certData = _base64Pem(certData, at(user, "client-certificate-data"));
  else if (certFile) {
    tls.certData = await _readPem(_resolvePath(dir, certFile), at(user, "client-certificate"));
  }
  if (keyData) tls.keyData = _base64Pem(keyData, at(user, "client-key-data"));
  else if (keyFile) {
    tls.keyData = await _readPem(_resolvePath(dir, keyFile), at(user, "client-key"));
  }
  if (!!tls.certData !== !!tls.keyData) {
    throw new ConfigError(
      `expected both a client certificate and a client key, found only the ${
        tls.certData ? "certificate" : "key"
      }`,
      at(user, tls.certData ? "client-key" : "client-certificate"),
    );
  }
  if (b["auth-provider"] !== undefined) {
    throw new ConfigError(
      "expected an exec plugin, found the removed auth-provider mechanism (use the provider's exec plugin, e.g. gke-gcloud-auth-plugin or kubelogin)",
      at(user, "auth-provider"),
    );
  }
  const token = _optString(b.token, at(user, "token"));
  if (token) return { type: "token", token };
  const tokenFile = _optString(b.tokenFile, at(user, "tokenFile"));
  if (tokenFile) return { type: "tokenFile", path: _resolvePath(dir, tokenFile) };
  if (b.exec !== undefined) return { type: "exec", exec: _exec(user, at) };
  const username = _optString(b.username, at(user, "username"));
  const password = _optString(b.password, at(user, "password"));
  if (username !== undefined || password !== undefined) {
    return { type: "basic", username: username ?? "", password: password ?? "" };
  }
  return { type: "none" };
}

function _exec(
  user: Entry,
  at: (e: Entry, key: string) => { file: string; field: string },
): ExecConfig {
  const e = user.body.exec;
  const where = at(user, "exec");
  if (!_isRecord(e)) throw new ConfigError(`expected a mapping, found ${_kindOf(e)}`, where);
  const apiVersion = _optString(e.apiVersion, { ...where, field: `${where.field}.apiVersion` });
  if (
    apiVersion !== "client.authentication.k8s.io/v1" &&
    apiVersion !== "client.authentication.k8s.io/v1beta1"
  ) {
    throw new ConfigError(
      `expected client.authentication.k8s.io/v1 or v1beta1, found ${
        JSON.stringify(apiVersion ?? null)
      }`,
      { ...where, field: `${where.field}.apiVersion` },
    );
  }
  const command = _optString(e.command, { ...where, field: `${where.field}.command` });
  if (!command) {
    throw new ConfigError("expected a command, found none", {
      ...where,
      field: `${where.field}.command`,
    });
  }
  const args = _list(e.args, { ...where, field: `${where.field}.args` }).map((a, i) => {
    if (typeof a !== "string") {
      throw new ConfigError(`expected a string, found ${_kindOf(a)}`, {
        ...where,
        field: `${where.field}.args[${i}]`,
      });
    }
    return a;
  });
  const env = _list(e.env, { ...where, field: `${where.field}.env` }).map((v, i) => {
    if (!_isRecord(v) || typeof v.name !== "string" || typeof v.value !== "string") {
      throw new ConfigError("expected {name: string, value: string}, found something else", {
        ...where,
        field: `${where.field}.env[${i}]`,
      });
    }
    return { name: v.name, value: v.value };
  });
  const resolved = command.includes("/") ? _resolvePath(_dirOf(user.file), command) : command;
  const hint = _optString(e.installHint, { ...where, field: `${where.field}.installHint` });
  return {
    apiVersion,
    command: resolved,
    args,
    env,
    ...(hint ? { installHint: hint } : {}),
    provideClusterInfo: _bool(e.provideClusterInfo, {
      ...where,
      field: `${where.field}.provideClusterInfo`,
    }),
  };
}
