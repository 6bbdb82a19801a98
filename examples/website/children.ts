/**
 * The children a Website owns, as pure functions of the Website: ConfigMap `X-html`,
 * Deployment `X` (nginx mounting the ConfigMap) and Service `X` (port 80), each carrying the
 * controller reference to the Website.
 *
 * @module
 */
import type { ConfigMap, Deployment, Service } from "../../client/builtin_types.ts";
import { controllerReference } from "../../controller/ownership.ts";
import { Website } from "./website.ts";

/** The label every child carries. */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "website-operator" } as const;

/** The nginx image the Deployment runs. */
export const NGINX_IMAGE = "nginx:1.27-alpine";

function _meta(site: Website, name: string) {
  return {
    name,
    namespace: site.metadata.namespace,
    labels: { ...MANAGED_BY, "app.kubernetes.io/instance": site.metadata.name! },
    ownerReferences: [controllerReference(site, Website)],
  };
}

function _podLabels(site: Website): Record<string, string> {
  return { "app.kubernetes.io/name": "website", "app.kubernetes.io/instance": site.metadata.name! };
}

/** ConfigMap `X-html` with `index.html` = spec.html. */
export function desiredConfigMap(site: Website): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: _meta(site, `${site.metadata.name}-html`),
    data: { "index.html": site.spec.html },
  };
}

/** Deployment `X`: nginx, replicas = spec.replicas, the ConfigMap mounted as the web root. */
export function desiredDeployment(site: Website): Deployment {
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
export function desiredService(site: Website): Service {
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
