// Field readers for kubeconfig parsing: every failure names the file and the field, and
// never quotes a value that could be a secret.
import { ConfigError } from "./errors.ts";

type At = { file: string; field: string };

export function _isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function _kindOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "a list" : `a ${typeof v}`;
}

export function _optString(v: unknown, at: At): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") {
    throw new ConfigError(`expected a string, found a ${Array.isArray(v) ? "list" : typeof v}`, at);
  }
  return v;
}

export function _bool(v: unknown, at: At): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") {
    throw new ConfigError(`expected true or false, found a ${typeof v}`, at);
  }
  return v;
}

export function _list(v: unknown, at: At): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ConfigError(`expected a list, found a ${typeof v}`, at);
  return v;
}

export function _dirOf(file: string): string {
  if (file.startsWith("<")) return Deno.cwd();
  const i = file.lastIndexOf("/");
  return i < 0 ? Deno.cwd() : i === 0 ? "/" : file.slice(0, i);
}

export function _resolvePath(dir: string, p: string): string {
  if (p.startsWith("/")) return p;
  if (p.startsWith("~/")) {
    const home = Deno.env.get("HOME");
    if (home) return `${home}${p.slice(1)}`;
  }
  return `${dir.replace(/\/+$/, "")}/${p}`;
}

export function _base64Pem(data: string, at: At): string {
  let text: string;
  try {
    const bin = atob(data.replace(/\s+/g, ""));
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(bin, (c) => c.charCodeAt(0)),
    );
  } catch (err) {
    throw new ConfigError("expected base64-encoded PEM, found data that is not valid base64", {
      ...at,
      cause: err instanceof Error ? new Error(err.name) : undefined,
    });
  }
  if (!text.includes("-----BEGIN ")) {
    throw new ConfigError("expected base64-encoded PEM, found base64 of something else", at);
  }
  return text;
}

export async function _readPem(path: string, at: At): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new ConfigError(`expected a readable PEM file at ${path}, found ${(err as Error).name}`, {
      ...at,
      cause: err,
    });
  }
  if (!text.includes("-----BEGIN ")) {
    throw new ConfigError(`expected PEM in ${path}, found something else`, at);
  }
  return text;
}
