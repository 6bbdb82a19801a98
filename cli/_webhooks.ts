// The operator runtime's webhook part: flags, starting the server with its certificates,
// installing the webhook configurations and the CRDs' conversion config, and what
// `manifests` prints for them. run_operator.ts calls into this through a few small hooks.
import type { CustomResourceDefinition, PolicyRule } from "../client/builtin_types.ts";
import type { KubeObject, ResourceType } from "../client/types.ts";
import {
  type CustomResourceConversion,
  type WebhookClientConfig,
  withConversionWebhook,
} from "../client/conversion.ts";
import type { AdmissionWebhook } from "../webhook/admission.ts";
import { CertificateDirectory, type CertificateSource } from "../webhook/certificates.ts";
import {
  MutatingWebhookConfigurations,
  ValidatingWebhookConfigurations,
  type WebhookConfiguration,
  webhookConfigurations,
} from "../webhook/configurations.ts";
import { CONVERSION_PATH } from "../webhook/conversion.ts";
import { SelfManagedCertificates } from "../webhook/self_managed.ts";
import { serveWebhooks, type WebhookServer } from "../webhook/server.ts";
import {
  type BindAddress,
  type FlagCommand,
  type OperatorFlags,
  parseBindAddress,
} from "./flags.ts";

/** The container port of the webhook server (controller-runtime's default). */
export const _WEBHOOK_PORT = 9443;

export interface _WebhookSettings {
  bind?: BindAddress;
  certDir?: string;
  url?: string;
  serviceName: string;
  secretName: string;
}

type CrType = ResourceType<KubeObject> & {
  crd: CustomResourceDefinition;
  conversion?: CustomResourceConversion;
};

export interface _WebhookDecl {
  name: string;
  webhooks?: ReadonlyArray<AdmissionWebhook>;
  // deno-lint-ignore no-explicit-any
  customResources?: ReadonlyArray<ResourceType<any> & { crd: CustomResourceDefinition }>;
}

const _conversionTypes = (o: _WebhookDecl): CrType[] =>
  ((o.customResources ?? []) as CrType[]).filter((t) => t.conversion !== undefined);

/** True when the operator declares admission webhooks or multi-version conversions. */
export function _hasWebhooks(o: _WebhookDecl): boolean {
  return (o.webhooks?.length ?? 0) > 0 || _conversionTypes(o).length > 0;
}

/** Adds the webhook flags (only for operators that declare webhooks). */
export function _webhookFlags(o: _WebhookDecl): (cmd: FlagCommand) => void {
  return (cmd) => {
    if (!_hasWebhooks(o)) return;
    cmd.option(
      "--webhook-bind-address <addr>",
      `webhook server listen address, HTTPS ([host]:port; 0 disables; default :${_WEBHOOK_PORT} ` +
        "in a cluster, off outside one)",
    );
    cmd.option(
      "--webhook-cert-dir <dir>",
      "directory with tls.crt and tls.key (reloaded on change); default: self-managed certificates in a Secret",
    );
    cmd.option(
      "--webhook-url <url>",
      "base URL the API server calls; default: https://<host>:<port> for a loopback bind address, else the webhook Service",
    );
    cmd.option("--webhook-service-name <name>", "the webhook Service", `${o.name}-webhook`);
    cmd.option(
      "--webhook-secret-name <name>",
      "the Secret of self-managed certificates",
      `${o.name}-webhook-tls`,
    );
  };
}

export function _webhookSettings(
  o: _WebhookDecl,
  flags: OperatorFlags,
  env: Record<string, string | undefined>,
): _WebhookSettings {
  const x = flags.extra as Record<string, string | undefined>;
  // Outside a cluster the API server cannot reach the webhook Service: off unless asked for.
  const inCluster = env.KUBERNETES_SERVICE_HOST !== undefined;
  let bind: BindAddress | undefined;
  try {
    bind = parseBindAddress(x.webhookBindAddress ?? (inCluster ? `:${_WEBHOOK_PORT}` : "0"));
  } catch (err) {
    throw new TypeError(`--webhook-bind-address: ${(err as Error).message}`);
  }
  const url = x.webhookUrl?.replace(/\/+$/, "");
  if (url !== undefined) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TypeError(`--webhook-url: expected an https:// URL, found ${url}`);
    }
    if (u.protocol !== "https:") {
      throw new TypeError(`--webhook-url: expected an https:// URL, found ${url}`);
    }
  }
  return {
    ...(bind ? { bind } : {}),
    ...(x.webhookCertDir ? { certDir: x.webhookCertDir } : {}),
    ...(url ? { url } : {}),
    serviceName: x.webhookServiceName ?? `${o.name}-webhook`,
    secretName: x.webhookSecretName ?? `${o.name}-webhook-tls`,
  };
}

const _LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** The URL the API server calls: the flag, else the loopback listener, else none (Service). */
function _baseUrl(s: _WebhookSettings, port?: number): string | undefined {
  if (s.url) return s.url;
  const host = s.bind?.hostname;
  if (host && _LOOPBACK.has(host) && port !== undefined) {
    return `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  }
  return undefined;
}

function _clientConfig(
  s: _WebhookSettings,
  namespace: string,
  caBundle: string | undefined,
  port?: number,
): (path: string) => WebhookClientConfig {
  const base = _baseUrl(s, port);
  return (path) => ({
    ...(base
      ? { url: `${base}${path}` }
      : { service: { namespace, name: s.serviceName, path, port: 443 } }),
    ...(caBundle ? { caBundle } : {}),
  });
}

/** The CRDs when no webhook server runs: versions that need conversion are not served. */
export function _crdsWithoutConversion(o: _WebhookDecl): CustomResourceDefinition[] {
  return ((o.customResources ?? []) as CrType[]).map((t) => {
    if (!t.conversion) return t.crd;
    const storage = t.conversion.storageVersion;
    return {
      ...t.crd,
      spec: {
        ...t.crd.spec,
        versions: t.crd.spec.versions.map((v) => v.name === storage ? v : { ...v, served: false }),
      },
    };
  });
}

function _b64(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The CRDs as installed or printed: conversion strategy Webhook for multi-version types. */
export function _crdsWithConversion(
  o: _WebhookDecl,
  clientConfig: (path: string) => WebhookClientConfig,
): CustomResourceDefinition[] {
  return ((o.customResources ?? []) as CrType[]).map((t) =>
    t.conversion ? withConversionWebhook(t, clientConfig(CONVERSION_PATH)) : t.crd
  );
}

type Handle = {
  get(name: string, options?: { signal?: AbortSignal }): Promise<WebhookConfiguration>;
  create(obj: WebhookConfiguration, options?: { signal?: AbortSignal }): Promise<unknown>;
  replace(obj: WebhookConfiguration, options?: { signal?: AbortSignal }): Promise<unknown>;
};
type Client = { resource(type: ResourceType<WebhookConfiguration>): Handle };

async function _ensureConfiguration(
  client: Client,
  want: WebhookConfiguration,
  signal: AbortSignal,
): Promise<void> {
  const type = want.kind === "MutatingWebhookConfiguration"
    ? MutatingWebhookConfigurations
    : ValidatingWebhookConfigurations;
  const handle = client.resource(type);
  for (let attempt = 0;; attempt++) {
    let stored: WebhookConfiguration | undefined;
    try {
      stored = await handle.get(want.metadata.name!, { signal });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    try {
      if (!stored) await handle.create(want, { signal });
      else {
        await handle.replace({
          ...stored,
          metadata: {
            ...stored.metadata,
            labels: { ...stored.metadata.labels, ...want.metadata.labels },
          },
          webhooks: want.webhooks,
        }, { signal });
      }
      return;
    } catch (err) {
      if ((err as { code?: number }).code === 409 && attempt < 5) continue;
      throw err;
    }
  }
}

export interface _RunningWebhooks extends AsyncDisposable {
  /** The CRDs to install (conversion pointing at this server). */
  crds: CustomResourceDefinition[];
  /** Installs the webhook configurations (after the CRDs). */
  install(signal: AbortSignal): Promise<void>;
  server: WebhookServer;
}

/**
 * Starts the certificates and the server. Self-managed certificates are loaded or created
 * before anything is installed, so the CRDs and configurations get the CA bundle at once.
 */
export async function _startWebhooks(
  o: _WebhookDecl,
  settings: _WebhookSettings & { bind: BindAddress },
  // deno-lint-ignore no-explicit-any
  client: any,
  namespace: string,
  signal: AbortSignal,
): Promise<_RunningWebhooks> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const dispose = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    let source: CertificateSource;
    let caBundle: string | undefined;
    let certs: SelfManagedCertificates | undefined;
    if (settings.certDir) {
      const dir = new CertificateDirectory(settings.certDir);
      cleanups.push(() => dir[Symbol.dispose]());
      source = dir;
      try {
        caBundle = _b64(await Deno.readTextFile(`${settings.certDir}/ca.crt`));
      } catch {
        // No ca.crt: the bundle is injected by someone else (e.g. cert-manager's cainjector).
      }
    } else {
      const svc = settings.serviceName;
      const dnsNames = [
        svc,
        `${svc}.${namespace}`,
        `${svc}.${namespace}.svc`,
        `${svc}.${namespace}.svc.cluster.local`,
      ];
      const ipAddresses: string[] = [];
      for (const h of [_baseUrl(settings, 0) ? new URL(_baseUrl(settings, 0)!).hostname : ""]) {
        const host = h.replace(/^\[|\]$/g, "");
        if (!host) continue;
        if (/^[\d.]+$/.test(host) || host.includes(":")) ipAddresses.push(host);
        else if (!dnsNames.includes(host)) dnsNames.push(host);
      }
      certs = new SelfManagedCertificates({
        client,
        namespace,
        secretName: settings.secretName,
        dnsNames,
        ipAddresses,
        webhookConfigurations: o.webhooks?.length ? [o.name] : [],
        crds: _conversionTypes(o).map((t) => t.crd.metadata.name!),
      });
      cleanups.push(() => certs![Symbol.asyncDispose]());
      await certs.start(signal);
      caBundle = _b64(certs.caCert!);
      source = certs;
    }
    const server = await serveWebhooks({
      hostname: settings.bind.hostname,
      port: settings.bind.port,
      admission: o.webhooks ?? [],
      conversion: _conversionTypes(o),
      certificate: source,
      signal,
    });
    cleanups.push(() => server.close());
    const clientConfig = _clientConfig(settings, namespace, caBundle, server.port);
    return {
      crds: _crdsWithConversion(o, clientConfig),
      server,
      async install(s) {
        for (
          const cfg of webhookConfigurations(o.webhooks ?? [], {
            name: o.name,
            clientConfig,
            excludeNamespace: namespace,
            labels: { "app.kubernetes.io/managed-by": "operatorkit" },
          })
        ) {
          await _ensureConfiguration(client, cfg, s);
        }
        // A configuration just created carries the bundle; later changes by others are
        // caught by the periodic check.
        if (certs) await certs.reconcile(s);
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** Cluster-wide RBAC of the webhooks: their configurations and CRDs, by name where possible. */
function _webhookClusterRules(o: _WebhookDecl, install: boolean): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const kinds = ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"].filter((r) =>
    o.webhooks?.some((h) => (h.kind === "validating") === r.startsWith("validating"))
  );
  if (kinds.length) {
    if (install) {
      // create cannot be limited by name (the object does not exist yet).
      rules.push({
        apiGroups: ["admissionregistration.k8s.io"],
        resources: kinds,
        verbs: ["create"],
      });
    }
    rules.push({
      apiGroups: ["admissionregistration.k8s.io"],
      resources: kinds,
      resourceNames: [o.name],
      verbs: ["get", "update"],
    });
  }
  const crds = _conversionTypes(o).map((t) => t.crd.metadata.name!);
  if (crds.length) {
    rules.push({
      apiGroups: ["apiextensions.k8s.io"],
      resources: ["customresourcedefinitions"],
      resourceNames: crds,
      verbs: ["get", "update"],
    });
  }
  return rules;
}

/**
 * Adds to `docs` (from `operatorManifests`): the CRDs' conversion config, the Service, the
 * webhook configurations, RBAC for self-managed certificates (a ClusterRole for the
 * configurations and CRDs by name, a Role for the Secret), and the webhook port and flag on
 * the Deployment.
 */
export function _webhookManifests(
  o: _WebhookDecl,
  docs: Record<string, unknown>[],
  namespace: string,
  install: boolean,
): Record<string, unknown>[] {
  if (!_hasWebhooks(o)) return docs;
  const settings: _WebhookSettings = {
    serviceName: `${o.name}-webhook`,
    secretName: `${o.name}-webhook-tls`,
  };
  const clientConfig = _clientConfig(settings, namespace, undefined);
  const crds = new Map(_crdsWithConversion(o, clientConfig).map((c) => [c.metadata.name, c]));
  const labels = {
    "app.kubernetes.io/name": o.name,
    "app.kubernetes.io/managed-by": "operatorkit",
  };
  const out = docs.map((d) => {
    const meta = d.metadata as { name?: string } | undefined;
    if (d.kind === "CustomResourceDefinition" && crds.has(meta?.name)) {
      return crds.get(meta?.name) as unknown as Record<string, unknown>;
    }
    if (d.kind === "Deployment") return _withWebhookPort(d);
    return d;
  });
  const extra: Record<string, unknown>[] = [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: settings.serviceName, namespace, labels },
      spec: {
        selector: { "app.kubernetes.io/name": o.name },
        ports: [{ name: "webhook", port: 443, targetPort: "webhook", protocol: "TCP" }],
      },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: `${o.name}-webhooks`, labels },
      rules: _webhookClusterRules(o, install),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${o.name}-webhooks`, labels },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: `${o.name}-webhooks`,
      },
      subjects: [{ kind: "ServiceAccount", name: o.name, namespace }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: `${o.name}-webhook-certs`, namespace, labels },
      rules: [
        { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
        {
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: [settings.secretName],
          verbs: ["get", "update"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: `${o.name}-webhook-certs`, namespace, labels },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: `${o.name}-webhook-certs`,
      },
      subjects: [{ kind: "ServiceAccount", name: o.name, namespace }],
    },
    ...webhookConfigurations(o.webhooks ?? [], {
      name: o.name,
      clientConfig,
      excludeNamespace: namespace,
      labels,
    }) as unknown as Record<string, unknown>[],
  ];
  // After the Deployment: the Service selects its pods; configurations come last, so no
  // request is sent to a webhook before it can exist.
  return [...out, ...extra];
}

function _withWebhookPort(d: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(d) as {
    spec?: { template?: { spec?: { containers?: Array<Record<string, unknown>> } } };
  };
  const c = copy.spec?.template?.spec?.containers?.[0];
  if (c) {
    const ports = (c.ports as Array<Record<string, unknown>> | undefined) ?? [];
    c.ports = [...ports, { name: "webhook", containerPort: _WEBHOOK_PORT, protocol: "TCP" }];
    const args = (c.args as string[] | undefined) ?? [];
    if (!args.some((a) => a.startsWith("--webhook-bind-address"))) {
      c.args = [...args, `--webhook-bind-address=:${_WEBHOOK_PORT}`];
    }
  }
  return copy as Record<string, unknown>;
}
