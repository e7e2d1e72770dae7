import { ApiFailure, notFound } from "./api-failure.js";

// The Firebase Hosting REST API v1beta1 (its discovery document): every method, so the emulator
// tells a method it does not serve (501 UNIMPLEMENTED) from a URL that names none (404).
// docs/emulator.md lists each with its status.

const S = "[^/:]+";
const SITE = `(?:/projects/${S})?/sites/${S}`;

/** [method, discovery id, path pattern below /v1beta1] */
export const HOSTING_REFERENCE_ROUTES: readonly [string, string, string][] = [
  ["GET", "projects.operations.get", `/projects/${S}/operations/${S}`],
  ["POST", "projects.sites.create", `/projects/${S}/sites`],
  ["GET", "projects.sites.list", `/projects/${S}/sites`],
  ["GET", "projects.sites.get", `/projects/${S}/sites/${S}`],
  ["PATCH", "projects.sites.patch", `/projects/${S}/sites/${S}`],
  ["DELETE", "projects.sites.delete", `/projects/${S}/sites/${S}`],
  ["GET", "sites.getConfig", `${SITE}/config`],
  ["PATCH", "sites.updateConfig", `${SITE}/config`],
  ["POST", "sites.channels.create", `${SITE}/channels`],
  ["GET", "sites.channels.list", `${SITE}/channels`],
  ["GET", "sites.channels.get", `${SITE}/channels/${S}`],
  ["PATCH", "sites.channels.patch", `${SITE}/channels/${S}`],
  ["DELETE", "sites.channels.delete", `${SITE}/channels/${S}`],
  ["POST", "sites.channels.releases.create", `${SITE}/channels/${S}/releases`],
  ["GET", "sites.channels.releases.list", `${SITE}/channels/${S}/releases`],
  ["GET", "sites.channels.releases.get", `${SITE}/channels/${S}/releases/${S}`],
  ["POST", "sites.releases.create", `${SITE}/releases`],
  ["GET", "sites.releases.list", `${SITE}/releases`],
  ["GET", "sites.releases.get", `${SITE}/releases/${S}`],
  ["POST", "sites.versions.create", `${SITE}/versions`],
  ["GET", "sites.versions.list", `${SITE}/versions`],
  ["POST", "sites.versions.clone", `${SITE}/versions:clone`],
  ["GET", "sites.versions.get", `${SITE}/versions/${S}`],
  ["PATCH", "sites.versions.patch", `${SITE}/versions/${S}`],
  ["DELETE", "sites.versions.delete", `${SITE}/versions/${S}`],
  ["POST", "sites.versions.populateFiles", `${SITE}/versions/${S}:populateFiles`],
  ["GET", "sites.versions.files.list", `${SITE}/versions/${S}/files`],
  ["POST", "sites.domains.create", `${SITE}/domains`],
  ["GET", "sites.domains.list", `${SITE}/domains`],
  ["GET", "sites.domains.get", `${SITE}/domains/${S}`],
  ["PUT", "sites.domains.update", `${SITE}/domains/${S}`],
  ["DELETE", "sites.domains.delete", `${SITE}/domains/${S}`],
  ["POST", "projects.sites.customDomains.create", `/projects/${S}/sites/${S}/customDomains`],
  ["GET", "projects.sites.customDomains.list", `/projects/${S}/sites/${S}/customDomains`],
  ["GET", "projects.sites.customDomains.get", `/projects/${S}/sites/${S}/customDomains/${S}`],
  ["PATCH", "projects.sites.customDomains.patch", `/projects/${S}/sites/${S}/customDomains/${S}`],
  ["DELETE", "projects.sites.customDomains.delete", `/projects/${S}/sites/${S}/customDomains/${S}`],
  ["POST", "projects.sites.customDomains.undelete", `/projects/${S}/sites/${S}/customDomains/${S}:undelete`],
  [
    "GET",
    "projects.sites.customDomains.operations.list",
    `/projects/${S}/sites/${S}/customDomains/${S}/operations`,
  ],
  [
    "GET",
    "projects.sites.customDomains.operations.get",
    `/projects/${S}/sites/${S}/customDomains/${S}/operations/${S}`,
  ],
];

const compiled = HOSTING_REFERENCE_ROUTES.map(
  ([method, id, pattern]) => [method, id, new RegExp(`^/v1beta1${pattern}$`)] as const,
);

/**
 * `projects/P/sites/S/…` and `sites/S/…` name the same resources (the discovery document has both
 * forms); the emulator serves the short one.
 */
export function sitePath(pathname: string): string {
  const match = /^\/v1beta1\/projects\/[^/]+\/(sites\/[^/]+\/.+)$/.exec(pathname);
  return match && !/\/customDomains(\/|$)/.test(match[1]!) ? `/v1beta1/${match[1]}` : pathname;
}

/** The answer for a request no emulated route took: 501 for a reference method, else 404. */
export function unrouted(method: string, path: string): ApiFailure {
  const known = compiled.find(([m, , re]) => m === method && re.test(path));
  if (known) {
    return new ApiFailure(
      501,
      "UNIMPLEMENTED",
      `Method ${known[1]} (${method} ${path}) is part of the Firebase Hosting API v1beta1 but the local emulator does not implement it (see docs/emulator.md).`,
    );
  }
  return notFound(`The requested URL ${path} was not found on this server.`);
}
