import { ApiError } from "../google-rest/api-error.js";
import { referenceRoutes } from "../google-rest/rest-api.js";

// The Firebase Hosting REST API v1beta1 (its discovery document): every method, so the emulator
// tells a method it does not serve (501 UNIMPLEMENTED) from a URL that names none (404).
// docs/emulator.md lists each with its status.

const S = "[^/:]+";
const SITE = `(?:/projects/${S})?/sites/${S}`;

/** [method, discovery id, path pattern below /v1beta1] */
const HOSTING_REFERENCE_ROUTES: readonly [string, string, string][] = [
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

/** The answer for a request no emulated route took: 501 for a reference method, else 404. */
export const hostingUnrouted = referenceRoutes(
  "Firebase Hosting API v1beta1",
  HOSTING_REFERENCE_ROUTES.map(([method, id, pattern]) => [method, id, new RegExp(`^/v1beta1${pattern}$`)]),
);

/**
 * `projects/P/sites/S/…` and `sites/S/…` name the same resources (the discovery document has both
 * forms); the emulator serves the short one.
 */
export function sitePath(pathname: string): string {
  const match = /^\/v1beta1\/projects\/[^/]+\/(sites\/[^/]+\/.+)$/.exec(pathname);
  return match && !/\/customDomains(\/|$)/.test(match[1]!) ? `/v1beta1/${match[1]}` : pathname;
}

/**
 * The fields of each request body per the discovery schemas ([request field name, fields]).
 * Like Google's front end, a name outside them is a 400 "Unknown name"; nested objects (config,
 * labels, include/exclude) are free-form here.
 */
const BODY_FIELDS: Record<string, [string, readonly string[]]> = {
  "versions.create": ["version", versionFields()],
  "versions.patch": ["version", versionFields()],
  "versions.clone": ["", ["sourceVersion", "include", "exclude", "finalize"]],
  "versions.populateFiles": ["", ["files"]],
  "channels.create": ["channel", channelFields()],
  "channels.patch": ["channel", channelFields()],
  "releases.create": ["release", ["name", "version", "type", "releaseTime", "releaseUser", "message"]],
  "sites.create": ["site", ["name", "defaultUrl", "appId", "labels", "type"]],
  "sites.patch": ["site", ["name", "defaultUrl", "appId", "labels", "type"]],
};

function versionFields(): string[] {
  return [
    "name",
    "status",
    "config",
    "labels",
    "createTime",
    "createUser",
    "finalizeTime",
    "finalizeUser",
    "deleteTime",
    "deleteUser",
    "fileCount",
    "versionBytes",
    "preview",
  ];
}

function channelFields(): string[] {
  return [
    "name",
    "url",
    "release",
    "createTime",
    "updateTime",
    "expireTime",
    "ttl",
    "retainedReleaseCount",
    "labels",
  ];
}

/** Refuses body fields the route's request message does not have, naming each as Google does. */
export function checkBody(routeId: string, body: Record<string, unknown>): void {
  const spec = BODY_FIELDS[routeId];
  if (!spec) return;
  const [at, fields] = spec;
  const unknown = Object.keys(body).filter((key) => !fields.includes(key));
  if (unknown.length === 0) return;
  const where = at ? ` at '${at}'` : "";
  throw new ApiError(
    "INVALID_ARGUMENT",
    unknown
      .map(
        (key) =>
          `Invalid JSON payload received. Unknown name ${JSON.stringify(key)}${where}: Cannot find field.`,
      )
      .join("\n"),
  );
}
