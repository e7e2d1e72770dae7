import { parseGoogleDuration } from "@echogate/common/google-duration";
import { MAX_CHANNEL_TTL_SECONDS } from "@echogate/common/hosting-limits";
import { servingConfigProblem } from "@echogate/common/serving-config";
import { ApiError } from "../google-rest/api-error.js";
import { projectNumberFor } from "../project-number.js";
import type { ChannelRecord, HostingState, ReleaseRecord, SiteRecord, VersionRecord } from "./state.js";

// Pure state transitions of the hosting emulator: (state, request, now) → resource, or an ApiFailure.

const DEFAULT_TTL_SECONDS = 7 * 86_400;
// Channel.retainedReleaseCount: "Must be a number between 1-100. Defaults to 10 for new channels."
const DEFAULT_RETAINED_RELEASES = 10;
const MAX_RETAINED_RELEASES = 100;
/** Version.status: a version left CREATED for more than 12 hours is marked ABANDONED. */
export const ABANDON_CREATED_AFTER_MS = 12 * 3_600_000;
const MAX_TTL_SECONDS = MAX_CHANNEL_TTL_SECONDS;
export const LIVE = "live";
// Google takes `_` and `.` in channel ids (the Firebase CLI's own `pr_12.x` style names reach it).
const CHANNEL_ID = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
const SITE_ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

interface LogicOptions {
  now: Date;
  /** Preview channels per site (the live channel does not count). */
  channelQuota: number;
}

/**
 * projects.sites.create: a site exists before anything is deployed to it (on Google: the console,
 * `firebase hosting:sites:create`; locally: `echogate emulator sites`). It gets its live channel.
 * With `validateOnly` the site is checked and answered as it would be, and nothing is stored.
 */
export function createSite(
  state: HostingState,
  projectId: string,
  siteId: string | null,
  body: Record<string, unknown>,
  now: Date,
  validateOnly = false,
): SiteRecord {
  if (!siteId || !SITE_ID.test(siteId)) {
    throw new ApiError(
      "INVALID_ARGUMENT",
      `Site id '${siteId ?? ""}' is invalid: use lowercase letters, digits and dashes, at most 63 characters.`,
    );
  }
  if (state.sites[siteId]) throw new ApiError("ALREADY_EXISTS", `Site sites/${siteId} already exists.`);
  const time = now.toISOString();
  const record: SiteRecord = {
    project: projectId,
    labels: stringMap(body.labels),
    ...(typeof body.appId === "string" && body.appId ? { appId: body.appId } : {}),
    versions: {},
    channels: {},
    nextId: 1,
  };
  record.channels[LIVE] = {
    name: `sites/${siteId}/channels/${LIVE}`,
    labels: {},
    createTime: time,
    updateTime: time,
    retainedReleaseCount: DEFAULT_RETAINED_RELEASES,
    releases: [],
  };
  if (!validateOnly) state.sites[siteId] = record;
  return record;
}

/** Whether a site belongs to the project a path names by id or by number (`-`: any project). */
export function inProject(record: SiteRecord, projectIdentifier: string): boolean {
  if (projectIdentifier === "-" || record.project === undefined) return true;
  return projectNumberFor(record.project) === projectNumberFor(projectIdentifier);
}

/**
 * Every Firebase project has one DEFAULT_SITE, named after the project id (Site.type in the
 * reference); the `firebase` CLI deploys there without `--site`. Locally nothing provisions it:
 * the site whose id is its project's id is the default one, whichever identifier created it.
 */
function siteType(siteId: string, record: SiteRecord): "DEFAULT_SITE" | "USER_SITE" {
  return record.project !== undefined && projectNumberFor(siteId) === projectNumberFor(record.project)
    ? "DEFAULT_SITE"
    : "USER_SITE";
}

/** The site's name uses the project identifier of the request (`-` or absent: the creating one). */
export function renderSite(
  siteId: string,
  record: SiteRecord,
  liveUrl: string | undefined,
  projectIdentifier?: string,
) {
  const project = projectIdentifier && projectIdentifier !== "-" ? projectIdentifier : record.project;
  return {
    name: `projects/${project ?? "-"}/sites/${siteId}`,
    ...(liveUrl ? { defaultUrl: liveUrl } : {}),
    ...(record.appId ? { appId: record.appId } : {}),
    labels: record.labels ?? {},
    type: siteType(siteId, record),
  };
}

/** The site a request names; a site nobody created is NOT_FOUND, for reads and writes alike. */
export function existingSite(state: HostingState, siteId: string): SiteRecord {
  const record = state.sites[siteId];
  if (!record) {
    throw new ApiError(
      "NOT_FOUND",
      `Site sites/${siteId} not found. Create it first (locally: \`echogate emulator sites ${siteId}\`; on Firebase: \`firebase hosting:sites:create ${siteId}\`).`,
    );
  }
  return record;
}

/** projects.sites.delete: the site, its versions and channels go. */
export function deleteSite(state: HostingState, siteId: string): void {
  existingSite(state, siteId);
  delete state.sites[siteId];
}

/** Deletes channels whose expireTime has passed; returns their ids. */
export function expireChannels(state: HostingState, now: Date): string[] {
  const removed: string[] = [];
  for (const record of Object.values(state.sites)) {
    for (const [id, channel] of Object.entries(record.channels)) {
      if (channel.expireTime && Date.parse(channel.expireTime) <= now.getTime()) {
        delete record.channels[id];
        removed.push(channel.name);
      }
    }
  }
  return removed;
}

function newId(record: SiteRecord): string {
  return `${(record.nextId++).toString(16).padStart(6, "0")}${Math.random().toString(16).slice(2, 10)}`;
}

export function createVersion(
  state: HostingState,
  siteId: string,
  body: Record<string, unknown>,
  now: Date,
): VersionRecord {
  const record = existingSite(state, siteId);
  const config = validConfig(body.config);
  const id = newId(record);
  const version: VersionRecord = {
    name: `sites/${siteId}/versions/${id}`,
    status: "CREATED",
    files: {},
    labels: stringMap(body.labels),
    config,
    createTime: now.toISOString(),
  };
  record.versions[id] = version;
  return version;
}

/** A version's ServingConfig as the API accepts it; anything else is 400 INVALID_ARGUMENT. */
function validConfig(config: unknown): Record<string, unknown> {
  const problem = servingConfigProblem(config);
  if (problem) throw new ApiError("INVALID_ARGUMENT", problem);
  return (config as Record<string, unknown> | undefined) ?? {};
}

export function getVersion(state: HostingState, siteId: string, versionId: string): VersionRecord {
  const version = existingSite(state, siteId).versions[versionId];
  if (!version) throw new ApiError("NOT_FOUND", `Version sites/${siteId}/versions/${versionId} not found.`);
  return version;
}

/** Adds files to a CREATED version; returns the hashes whose content the emulator does not have. */
export function populateFiles(
  version: VersionRecord,
  files: unknown,
  hasBlob: (hash: string) => boolean,
): { uploadRequiredHashes: string[] } {
  if (version.status !== "CREATED") {
    throw new ApiError(
      "FAILED_PRECONDITION",
      `Version ${version.name} is ${version.status}; files can only be added to a CREATED version.`,
    );
  }
  // No files (absent or {}) is a valid request: nothing to upload.
  if (files === undefined || files === null) return { uploadRequiredHashes: [] };
  if (typeof files !== "object" || Array.isArray(files))
    throw new ApiError("INVALID_ARGUMENT", "files must be a map of path to sha256 hash.");
  const required = new Set<string>();
  for (const [path, hash] of Object.entries(files)) {
    if (!path.startsWith("/"))
      throw new ApiError("INVALID_ARGUMENT", `File path '${path}' must start with '/'.`);
    if (typeof hash !== "string" || !/^[a-f0-9]{64}$/.test(hash)) {
      throw new ApiError("INVALID_ARGUMENT", `Hash for '${path}' must be a lowercase hex sha256.`);
    }
    version.files[path] = hash;
    if (!hasBlob(hash)) required.add(hash);
  }
  return { uploadRequiredHashes: [...required] };
}

export function finalizeVersion(
  version: VersionRecord,
  hasBlob: (hash: string) => boolean,
  now: Date,
): VersionRecord {
  if (version.status === "FINALIZED") return version;
  if (version.status !== "CREATED")
    throw new ApiError("FAILED_PRECONDITION", `Version ${version.name} is ${version.status}.`);
  const missing = Object.entries(version.files).filter(([, hash]) => !hasBlob(hash));
  if (missing.length > 0) {
    throw new ApiError(
      "FAILED_PRECONDITION",
      `Can't finalize ${version.name}: ${missing.length} file(s) were never uploaded (first: ${missing[0]![0]}).`,
    );
  }
  version.status = "FINALIZED";
  version.finalizeTime = now.toISOString();
  return version;
}

export function cloneVersion(
  state: HostingState,
  siteId: string,
  body: Record<string, unknown>,
  hasBlob: (hash: string) => boolean,
  now: Date,
): VersionRecord {
  const source = String(body.sourceVersion ?? "");
  const match = /^sites\/([^/]+)\/versions\/([^/]+)$/.exec(source);
  if (!match)
    throw new ApiError("INVALID_ARGUMENT", "sourceVersion must look like sites/SITE_ID/versions/VERSION_ID.");
  const from = getVersion(state, match[1]!, match[2]!);
  if (from.status !== "FINALIZED")
    throw new ApiError("FAILED_PRECONDITION", `Source version ${source} is ${from.status}, not FINALIZED.`);
  const include = regexes(body.include);
  const exclude = regexes(body.exclude);
  const copy = createVersion(state, siteId, { config: from.config, labels: from.labels }, now);
  for (const [path, hash] of Object.entries(from.files)) {
    if (include && !include.some((re) => re.test(path))) continue;
    if (exclude?.some((re) => re.test(path))) continue;
    copy.files[path] = hash;
  }
  if (body.finalize === true) finalizeVersion(copy, hasBlob, now);
  return copy;
}

export function createChannel(
  state: HostingState,
  siteId: string,
  channelId: string | null,
  body: Record<string, unknown>,
  options: LogicOptions,
): ChannelRecord {
  if (!channelId || !CHANNEL_ID.test(channelId)) {
    throw new ApiError(
      "INVALID_ARGUMENT",
      `Channel id '${channelId ?? ""}' is invalid: use lowercase letters, digits and dashes, at most 63 characters.`,
    );
  }
  const record = existingSite(state, siteId);
  if (record.channels[channelId])
    throw new ApiError("ALREADY_EXISTS", `Channel sites/${siteId}/channels/${channelId} already exists.`);
  const previews = Object.keys(record.channels).filter((id) => id !== LIVE).length;
  if (previews >= options.channelQuota) {
    throw new ApiError(
      "RESOURCE_EXHAUSTED",
      `Failed to create channel: channel quota reached (${options.channelQuota} preview channels on site ${siteId}).`,
    );
  }
  const time = options.now.toISOString();
  const channel: ChannelRecord = {
    name: `sites/${siteId}/channels/${channelId}`,
    labels: stringMap(body.labels),
    createTime: time,
    updateTime: time,
    retainedReleaseCount: retainedReleases(body.retainedReleaseCount) ?? DEFAULT_RETAINED_RELEASES,
    releases: [],
  };
  applyExpiration(channel, body, options.now, true);
  record.channels[channelId] = channel;
  return channel;
}

export function getChannel(state: HostingState, siteId: string, channelId: string): ChannelRecord {
  const channel = existingSite(state, siteId).channels[channelId];
  if (!channel) throw new ApiError("NOT_FOUND", `Channel sites/${siteId}/channels/${channelId} not found.`);
  return channel;
}

export function patchChannel(
  channel: ChannelRecord,
  body: Record<string, unknown>,
  updateMask: string | null,
  now: Date,
): ChannelRecord {
  const fields = updateMask ? updateMask.split(",").map((field) => field.trim()) : Object.keys(body);
  for (const field of fields) {
    if (field === "labels") channel.labels = stringMap(body.labels);
    else if (field === "retainedReleaseCount") {
      channel.retainedReleaseCount = retainedReleases(body.retainedReleaseCount) ?? DEFAULT_RETAINED_RELEASES;
    } else if (field === "ttl" || field === "expireTime") applyExpiration(channel, body, now, false);
    else if (field !== "name")
      throw new ApiError("INVALID_ARGUMENT", `Field '${field}' can't be updated on a channel.`);
  }
  channel.updateTime = now.toISOString();
  return channel;
}

export function deleteChannel(state: HostingState, siteId: string, channelId: string): void {
  if (channelId === LIVE) throw new ApiError("FAILED_PRECONDITION", "The live channel can't be deleted.");
  getChannel(state, siteId, channelId);
  delete state.sites[siteId]!.channels[channelId];
}

const RELEASE_TYPES = new Set(["TYPE_UNSPECIFIED", "DEPLOY", "ROLLBACK", "SITE_DISABLE"]);

/**
 * releases.create: a DEPLOY (or ROLLBACK) release serves a FINALIZED version of the site; a
 * SITE_DISABLE release names no version ("versionName must be empty") and makes the channel
 * serve nothing until the next release.
 */
export function createRelease(
  state: HostingState,
  siteId: string,
  channelId: string,
  versionName: string | null,
  body: Record<string, unknown>,
  now: Date,
): ReleaseRecord {
  const channel = getChannel(state, siteId, channelId);
  const requested = body.type === undefined ? "DEPLOY" : String(body.type);
  if (!RELEASE_TYPES.has(requested))
    throw new ApiError(
      "INVALID_ARGUMENT",
      `Invalid value at 'release.type' (type.googleapis.com/google.firebase.hosting.v1beta1.Release.Type), "${requested}"`,
    );
  const type = requested === "TYPE_UNSPECIFIED" ? "DEPLOY" : (requested as ReleaseRecord["type"]);
  let version: VersionRecord | undefined;
  if (type === "SITE_DISABLE") {
    if (versionName)
      throw new ApiError("INVALID_ARGUMENT", "versionName must be empty for a SITE_DISABLE release.");
  } else {
    const match = /^sites\/([^/]+)\/versions\/([^/]+)$/.exec(versionName ?? "");
    if (!match || match[1] !== siteId)
      throw new ApiError("INVALID_ARGUMENT", `versionName must name a version of site ${siteId}.`);
    version = getVersion(state, siteId, match[2]!);
    if (version.status !== "FINALIZED") {
      throw new ApiError(
        "FAILED_PRECONDITION",
        `Version ${version.name} is ${version.status}; only FINALIZED versions can be released.`,
      );
    }
  }
  const time = now.toISOString();
  const release: ReleaseRecord = {
    name: `${channel.name}/releases/${now.getTime()}${channel.releases.length}`,
    ...(version ? { version: version.name } : {}),
    type,
    releaseTime: time,
    ...(typeof body.message === "string" ? { message: body.message } : {}),
  };
  channel.releases.unshift(release);
  channel.releases.length = Math.min(channel.releases.length, channel.retainedReleaseCount + 1);
  // A release renews a preview channel: expiry restarts from now.
  if (channel.ttlSeconds !== undefined)
    channel.expireTime = new Date(now.getTime() + channel.ttlSeconds * 1000).toISOString();
  channel.updateTime = time;
  return release;
}

/** An absent count is undefined (the default applies); one outside 1–100 is refused. */
function retainedReleases(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const count = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_RETAINED_RELEASES) {
    throw new ApiError(
      "INVALID_ARGUMENT",
      `retainedReleaseCount must be a whole number between 1 and ${MAX_RETAINED_RELEASES} (got ${JSON.stringify(value)}).`,
    );
  }
  return count;
}

function applyExpiration(
  channel: ChannelRecord,
  body: Record<string, unknown>,
  now: Date,
  isNew: boolean,
): void {
  let seconds: number | undefined;
  if (typeof body.ttl === "string") {
    seconds = parseGoogleDuration(body.ttl);
    if (seconds === undefined)
      throw new ApiError("INVALID_ARGUMENT", `ttl '${body.ttl}' must be a duration like "604800s".`);
  } else if (typeof body.expireTime === "string") {
    const at = Date.parse(body.expireTime);
    if (Number.isNaN(at))
      throw new ApiError("INVALID_ARGUMENT", `expireTime '${body.expireTime}' is not a timestamp.`);
    seconds = (at - now.getTime()) / 1000;
  } else if (isNew) {
    seconds = DEFAULT_TTL_SECONDS;
  }
  if (seconds === undefined) return;
  if (seconds <= 0 || seconds > MAX_TTL_SECONDS) {
    throw new ApiError(
      "INVALID_ARGUMENT",
      `Channel expiration must be between 1 second and 30 days from now (got ${Math.round(seconds)}s).`,
    );
  }
  channel.ttlSeconds = seconds;
  channel.expireTime = new Date(now.getTime() + seconds * 1000).toISOString();
}

function regexes(filter: unknown): RegExp[] | undefined {
  const list = (filter as { regexes?: unknown } | undefined)?.regexes;
  if (!Array.isArray(list)) return undefined;
  return list.map((source) => {
    try {
      return new RegExp(String(source));
    } catch {
      throw new ApiError(
        "INVALID_ARGUMENT",
        `Path filter '${String(source)}' is not a valid regular expression.`,
      );
    }
  });
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
}

export function renderChannel(
  channel: ChannelRecord,
  url: string | undefined,
  state: HostingState,
): Record<string, unknown> {
  const current = channel.releases[0];
  const siteId = channel.name.split("/")[1]!;
  return {
    name: channel.name,
    ...(url ? { url } : {}),
    ...(current ? { release: renderRelease(current, state, siteId) } : {}),
    createTime: channel.createTime,
    updateTime: channel.updateTime,
    retainedReleaseCount: channel.retainedReleaseCount,
    labels: channel.labels,
    ...(channel.expireTime ? { expireTime: channel.expireTime } : {}),
  };
}

export function renderRelease(
  release: ReleaseRecord,
  state: HostingState,
  siteId: string,
): Record<string, unknown> {
  const { version: versionName, ...rest } = release;
  if (!versionName) return rest;
  const version = state.sites[siteId]?.versions[versionName.split("/").at(-1)!];
  return { ...rest, version: version ? renderVersion(version) : { name: versionName } };
}

/** fileCount is reported once the version is finalized (its file list is then fixed). */
export function renderVersion(version: VersionRecord): Record<string, unknown> {
  const { files, ...rest } = version;
  return version.status === "FINALIZED" ? { ...rest, fileCount: String(Object.keys(files).length) } : rest;
}

const VERSION_STATUSES = new Set(["FINALIZED", "ABANDONED"]);
const VERSION_PATCH_FIELDS = ["status", "config", "labels"] as const;

/**
 * versions.patch: `updateMask` names the fields to replace (status, config, labels); without a
 * mask only `status` ("a default mask of only status will be used"), so a body without a status
 * asks for an invalid transition. config and labels change only while CREATED; status moves
 * CREATED → FINALIZED (files all uploaded) or CREATED → ABANDONED.
 */
export function patchVersion(
  version: VersionRecord,
  body: Record<string, unknown>,
  updateMask: string | null,
  hasBlob: (hash: string) => boolean,
  now: Date,
): VersionRecord {
  const fields = updateMask
    ? updateMask
        .split(",")
        .map((field) => field.trim())
        .filter(Boolean)
    : ["status"];
  for (const field of fields) {
    if (!(VERSION_PATCH_FIELDS as readonly string[]).includes(field.split(".")[0]!))
      throw new ApiError(
        "INVALID_ARGUMENT",
        `Field '${field}' can't be updated on a version (updatable: status, config, labels).`,
      );
  }
  const wants = (field: string) => fields.some((f) => f === field || f.startsWith(`${field}.`));
  if ((wants("config") || wants("labels")) && version.status !== "CREATED") {
    throw new ApiError(
      "FAILED_PRECONDITION",
      `Version ${version.name} is ${version.status}; only a CREATED version can be changed.`,
    );
  }
  const target = wants("status") ? String(body.status ?? "VERSION_STATUS_UNSPECIFIED") : undefined;
  const moves = target !== undefined && !(target === "CREATED" && version.status === "CREATED");
  if (moves && !VERSION_STATUSES.has(target)) {
    throw new ApiError(
      "FAILED_PRECONDITION",
      `Can't move version ${version.name} from ${version.status} to ${target}: a version can be set to FINALIZED (or ABANDONED).${updateMask ? "" : " Without an updateMask only status is updated; name the fields to change in updateMask."}`,
    );
  }
  if (wants("config")) version.config = validConfig(body.config);
  if (wants("labels")) version.labels = stringMap(body.labels);
  if (moves && target === "FINALIZED") finalizeVersion(version, hasBlob, now);
  else if (moves && version.status === "CREATED") version.status = "ABANDONED";
  else if (moves && version.status !== "ABANDONED")
    throw new ApiError(
      "FAILED_PRECONDITION",
      `Version ${version.name} is ${version.status}; it can't be abandoned.`,
    );
  return version;
}

/**
 * Versions left CREATED longer than `afterMs` become ABANDONED (Version.status in the reference:
 * 12 hours on Google). Returns whether any changed.
 */
export function abandonStaleVersions(state: HostingState, now: Date, afterMs: number): boolean {
  let changed = false;
  for (const record of Object.values(state.sites)) {
    for (const version of Object.values(record.versions)) {
      if (version.status === "CREATED" && now.getTime() - Date.parse(version.createTime) > afterMs) {
        version.status = "ABANDONED";
        changed = true;
      }
    }
  }
  return changed;
}

/** versions.delete: refused while a channel serves the version. */
export function deleteVersion(state: HostingState, siteId: string, versionId: string): void {
  const version = getVersion(state, siteId, versionId);
  const record = existingSite(state, siteId);
  const serving = Object.values(record.channels).find((c) => c.releases[0]?.version === version.name);
  if (serving)
    throw new ApiError(
      "FAILED_PRECONDITION",
      `Version ${version.name} is the current release of ${serving.name}; release another first.`,
    );
  delete record.versions[versionId];
}

const FILE_STATUSES = new Set(["STATUS_UNSPECIFIED", "EXPECTED", "ACTIVE"]);

/**
 * versions.files.list: each path with its hash and whether its content was uploaded; `status`
 * (EXPECTED or ACTIVE) lists only the files in that state, so "wait until none is EXPECTED" ends.
 */
export function versionFiles(
  version: VersionRecord,
  hasBlob: (hash: string) => boolean,
  status: string | null = null,
) {
  if (status !== null && !FILE_STATUSES.has(status)) {
    throw new ApiError(
      "INVALID_ARGUMENT",
      `Invalid value at 'status' (type.googleapis.com/google.firebase.hosting.v1beta1.VersionFile.Status), "${status}"`,
    );
  }
  const wanted = status === "STATUS_UNSPECIFIED" ? null : status;
  return Object.entries(version.files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, hash]) => ({ path, hash, status: hasBlob(hash) ? "ACTIVE" : "EXPECTED" }))
    .filter((file) => wanted === null || file.status === wanted);
}

/** sites.patch: only `labels` and `appId` change; the output-only fields may be sent back as they are. */
export function patchSite(
  record: SiteRecord,
  body: Record<string, unknown>,
  updateMask: string | null,
): void {
  const mask = updateMask?.split(",").map((f) => f.trim()) ?? Object.keys(body);
  for (const field of mask) {
    if (field === "labels")
      record.labels = Object.fromEntries(
        Object.entries((body.labels as object) ?? {}).map(([k, v]) => [k, String(v)]),
      );
    else if (field === "appId") record.appId = typeof body.appId === "string" ? body.appId : undefined;
    else if (!["name", "defaultUrl", "type"].includes(field))
      throw new ApiError(
        "INVALID_ARGUMENT",
        `Field '${field}' can't be updated on a site (updatable: labels, appId).`,
      );
  }
}
