/**
 * The children a Website owns, as pure functions of the Website: ConfigMap `X-html`,
 * Deployment `X` (nginx mounting the ConfigMap) and Service `X` (port 80).
 *
 * @module
 */
import type { KubeObject, OwnerReference } from "../../client/types.ts";

/** The label every child carries. */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "website-operator" } as const;

/** The nginx image the Deployment runs. */
export const NGINX_IMAGE = "nginx:1.27-alpine";

/** The fields of a Website the children depend on. */
export interface WebsiteLike extends KubeObject {
  spec: { html: string; replicas?: number };
  status?: { observedGeneration?: number; conditions?: unknown[] };
}

/** A ConfigMap. */
export interface ConfigMapObject extends KubeObject {
  data?: Record<string, string>;
}

/** The parts of a Deployment the operator sets and compares. */
export interface DeploymentObject extends KubeObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: Array<{
          name: string;
          image: string;
          ports?: Array<{ containerPort: number }>;
          volumeMounts?: Array<{ name: string; mountPath: string }>;
        }>;
        volumes?: Array<{ name: string; configMap: { name: string } }>;
      };
    };
  };
}

/** The parts of a Service the operator sets and compares. */
export interface ServiceObject extends KubeObject {
  spec: {
    selector: Record<string, string>;
    ports: Array<{ name?: string; port: number; targetPort?: number; protocol?: string }>;
    type?: string;
  };
}

/** The controller ownerReference pointing at `site`. */
export function ownerRef(site: WebsiteLike): OwnerReference {
  return {
    apiVersion: site.apiVersion ?? "demo.operatorkit.io/v1alpha1",
    kind: site.kind ?? "Website",
    name: site.metadata.name!,
    uid: site.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function _meta(site: WebsiteLike, name: string) {
  return {
    name,
    namespace: site.metadata.namespace,
    labels: { ...MANAGED_BY, "app.kubernetes.io/instance": site.metadata.name! },
    ownerReferences: [ownerRef(site)],
  };
}

function _podLabels(site: WebsiteLike): Record<string, string> {
  return { "app.kubernetes.io/name": "website", "app.kubernetes.io/instance": site.metadata.name! };
}

/** ConfigMap `X-html` with `index.html` = spec.html. */
export function desiredConfigMap(site: WebsiteLike): ConfigMapObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: _meta(site, `${site.metadata.name}-html`),
    data: { "index.html": site.spec.html },
  };
}

/** Deployment `X`: nginx, replicas = spec.replicas, the ConfigMap mounted as the web root. */
export function desiredDeployment(site: WebsiteLike): DeploymentObject {
  const labels = _podLabels(site);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: _meta(site, site.metadata.name!),
    spec: {
      replicas: site.spec.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, ...MANAGED_BY } },
        spec: {
          containers: [{
            name: "nginx",
            image: NGINX_IMAGE,
            ports: [{ containerPort: 80 }],
            volumeMounts: [{ name: "html", mountPath: "/usr/share/nginx/html" }],
          }],
          volumes: [{ name: "html", configMap: { name: `${site.metadata.name}-html` } }],
        },
      },
    },
  };
}

/** Service `X` on port 80, selecting the Deployment's pods. */
export function desiredService(site: WebsiteLike): ServiceObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: _meta(site, site.metadata.name!),
    spec: {
      selector: _podLabels(site),
      ports: [{ name: "http", port: 80, targetPort: 80, protocol: "TCP" }],
    },
  };
}
