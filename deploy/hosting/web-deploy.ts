import { join } from "node:path";
import type { HostingConfig, WebMode } from "../config/environment-schema.js";
import { type LoadedEnvironment, smokeSpecOf } from "../config/load-environments.js";
import { errorLocationOf } from "../core/diagnostics.js";
import { CheckFailedError, ConfigError, isEchogateError, messageOf } from "../core/errors.js";
import type { Output } from "../core/output.js";
import type { FirebaseHostingAdapter, HostingVersion } from "../platform/hosting/firebase-adapter.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";
import { browserGateOf } from "./browser-scenario.js";
import {
  type ForbiddenTarget,
  forbiddenFromUrls,
  formatFinding,
  type ScanFinding,
  SECRET_MATCH,
  scanBundle,
} from "./bundle-scan.js";
import { DEFAULT_CHROMIUM } from "./chromium.js";
import type { LiveServicesResult } from "./live-services.js";
import { type PairGateResult, runPairGate } from "./pair-gate.js";
import type { PairSmoke } from "./pair-smoke.js";
import { readEnvUrls, readPublicEnv, readSecretValues } from "./public-env.js";
import { type ChannelSpec, ensureChannel, LIVE_CHANNEL, release, uploadVersion } from "./publish.js";
import { type ReadFrontEnd, readFrontEnd } from "./read-front-end.js";
import { recordWebPair } from "./record-web-pair.js";
import {
  buildRuntimeConfig,
  RUNTIME_CONFIG_PATH,
  type RuntimeConfig,
  runtimeConfigFile,
} from "./runtime-config.js";
import { type AcceptedFinding, applyScanAccepts, BUNDLE_SCAN_FILE, loadScanAccepts } from "./scan-accept.js";
import { scanFactsFor } from "./scan-facts.js";
import { readSiteDir, type SiteFile, siteFile } from "./site-files.js";
import { uploadProgress } from "./upload-progress.js";
import { versionServingConfig } from "./version-serving-config.js";
import { type BuiltWeb, buildWebFor } from "./web-build.js";
import { readWebPairs, type WebPair, webPairOf } from "./web-pairs.js";

const GATE_CHANNEL_TTL_SECONDS = 86_400;

export interface WebDeployInput {
  project: Project;
  platform: Platform;
  environment: LoadedEnvironment;
  /** Every environment: others' server URLs are what the bundle scan refuses. */
  environments: readonly LoadedEnvironment[];
  adapter: FirebaseHostingAdapter;
  /** This environment's actual server (Cloud Run service URL). */
  serverUrl: string;
  /** Overrides the environment's hosting channel (previews). */
  channel?: ChannelSpec;
  /** Clone the version live in `promotesFrom` instead of uploading the local build. */
  promote: boolean;
  labels: Record<string, string>;
  smoke: PairSmoke;
  /** Steps, warnings and upload progress. */
  output: Output;
  signal?: AbortSignal;
  /** Resolves the URL serving a channel (the adapter's channel.url, or the emulator's port). */
  channelUrl?: (site: string, channel: string, fromApi: string | undefined) => string | undefined;
  /**
   * Every environment's live service read from Cloud Run: the bundle scan refuses their URLs, and
   * promotions read upstream's web pairs from it. Absent (e.g. --server-url): URL shapes only.
   */
  live?: LiveServicesResult;
  /** This deploy's Cloud Run service when not the environment's own (previews). */
  ownServiceName?: string;
  /** A `*.run.app` host that is nobody's known server fails the scan (else a warning). */
  strictScan?: boolean;
  /** Record the release as paired with this server revision (on the environment's service). */
  pairRevision?: string;
  /** Files already built and scanned (promote's preflight), instead of building again. */
  prepared?: PreparedWeb;
}

export interface WebDeployResult {
  environment: string;
  site: string;
  channel: string;
  url: string | undefined;
  version: string;
  clonedFrom?: string;
  uploaded: number;
  total: number;
  runtimeConfig: RuntimeConfig;
  gate: PairGateResult;
  mode: WebMode;
  /** Build-time modes: the template (or build) digest this release carries. */
  webDigest?: string;
  /** How this build traces back to the gated one. */
  provenance?: string;
  /** The server revision this release was recorded as paired with. */
  pairedRevision?: string;
  scanWarnings: string[];
  /** Findings environments/bundle-scan.yaml accepts, with their reasons. */
  scanAccepted: AcceptedScanFinding[];
}

interface AcceptedScanFinding {
  finding: string;
  reason: string;
  acceptedBy: string;
}

/** scan → upload (or clone) → gate on a channel nobody uses → release → result. */
export async function deployWeb(input: WebDeployInput): Promise<WebDeployResult> {
  const { environment } = input;
  const hosting = hostingOf(environment);
  const target: ChannelSpec = input.channel ?? { site: hosting.site, channel: hosting.channel };
  const publicEnv = await readPublicEnv(input.project, environment, input.serverUrl);
  const runtimeConfig = buildRuntimeConfig({
    environment: environment.name,
    serverUrl: input.serverUrl,
    protocol: smokeSpecOf(environment).echo.protocol,
    publicVars: publicEnv.vars,
  });
  const servingConfig = await versionServingConfig({
    project: input.project,
    environment,
    environments: input.environments,
    site: target.site,
    ...(input.ownServiceName ? { ownServiceName: input.ownServiceName } : {}),
  });
  const staging = { target, configFile: runtimeConfigFile(runtimeConfig), servingConfig };
  const staged =
    input.promote && hosting.mode === "runtime-config"
      ? await cloneUpstreamVersion(input, staging)
      : await uploadBuild(input, staging, publicEnv.vars);
  const { gate, gateUrl, isLive } = await pairGate(input, target, staged.version, publicEnv.realtimeKeys);
  const url = isLive ? await releaseLive(input, target, staged.version, gateUrl) : gateUrl;
  const ownChannel = target.site === hosting.site && target.channel === hosting.channel;
  if (input.pairRevision && ownChannel) await recordPair(input, input.pairRevision, target, staged);
  return {
    environment: environment.name,
    site: target.site,
    channel: target.channel,
    url,
    version: staged.version.name,
    ...(staged.clonedFrom ? { clonedFrom: staged.clonedFrom } : {}),
    uploaded: staged.uploaded,
    total: staged.total,
    runtimeConfig,
    gate,
    mode: hosting.mode,
    ...(staged.built ? { webDigest: staged.built.digest, provenance: staged.built.provenance } : {}),
    ...(input.pairRevision && ownChannel ? { pairedRevision: input.pairRevision } : {}),
    scanWarnings: staged.scanWarnings,
    scanAccepted: staged.scanAccepted,
  };
}

function hostingOf(environment: LoadedEnvironment): HostingConfig {
  const hosting = environment.config.hosting;
  if (hosting) return hosting;
  throw new ConfigError(
    "hosting.not-configured",
    `Can't deploy the web front end of ${environment.name}: it has no hosting section.`,
    {
      location: environment.locate([]),
      hint: `Add hosting: { provider: firebase, site: <site-id> } to ${environment.file}.`,
    },
  );
}

/** Where a version goes and what it carries besides the build. */
interface Staging {
  target: ChannelSpec;
  /** This environment's /echogate.json. */
  configFile: SiteFile;
  servingConfig: Awaited<ReturnType<typeof versionServingConfig>>;
}

/** A version on the site, not yet released anywhere. */
interface StagedVersion {
  version: HostingVersion;
  uploaded: number;
  total: number;
  clonedFrom?: string;
  built?: BuiltWeb;
  scanWarnings: string[];
  scanAccepted: AcceptedScanFinding[];
}

/** Promote, runtime-config mode: every byte of upstream's released version except the runtime config. */
async function cloneUpstreamVersion(input: WebDeployInput, staging: Staging): Promise<StagedVersion> {
  const { adapter } = input;
  const source = sourceEnvironment(input);
  const sourceHosting = source.config.hosting!;
  return input.output.run(
    `clone ${source.name}'s web version`,
    async () => {
      const live = await adapter.getChannel(sourceHosting.site, sourceHosting.channel);
      const sourceVersion = live?.release?.version.name;
      if (!sourceVersion) {
        throw new ConfigError(
          "hosting.nothing-to-promote",
          `Can't promote the web front end: ${source.name} has no release on channel ${sourceHosting.channel}.`,
          { hint: `Run \`echogate web deploy ${source.name}\` first.` },
        );
      }
      const clone = await adapter.cloneVersion(staging.target.site, sourceVersion, {
        exclude: [`^${RUNTIME_CONFIG_PATH.replace(".", "\\.")}$`],
        finalize: false,
      });
      // The clone carries the source's serving config, whose `run` rewrites reach the source's service.
      await adapter.setVersionConfig(clone.name, staging.servingConfig);
      const result = await uploadVersion(adapter, staging.target.site, [staging.configFile], {
        labels: input.labels,
        version: clone,
        ...signalOf(input),
      });
      return { ...result, clonedFrom: sourceVersion, scanWarnings: [], scanAccepted: [] };
    },
    {
      done: (staged) => `${staged.clonedFrom} → ${staged.version.name}`,
      failed: (error) =>
        isEchogateError(error) && error.code === "hosting.nothing-to-promote"
          ? "nothing released"
          : messageOf(error),
    },
  );
}

/** The local build (read from publicDir, or built for a build-time mode), scanned, then uploaded. */
async function uploadBuild(
  input: WebDeployInput,
  staging: Staging,
  values: Record<string, string>,
): Promise<StagedVersion> {
  const { output, environment } = input;
  const { target } = staging;
  const prepared = input.prepared ?? (await prepareWebFiles(input, values));
  const { files, built } = prepared;
  if (files.some((file) => file.path === RUNTIME_CONFIG_PATH)) {
    output.warn(
      `${environment.config.hosting!.publicDir}${RUNTIME_CONFIG_PATH} is replaced by the runtime config for ${environment.name}.`,
    );
  }
  const progress = uploadProgress(output);
  const result = await output.run(
    `upload to ${target.site}`,
    () =>
      uploadVersion(
        input.adapter,
        target.site,
        [...files.filter((file) => file.path !== RUNTIME_CONFIG_PATH), staging.configFile],
        {
          config: staging.servingConfig,
          labels: {
            ...input.labels,
            ...(built ? { "echogate-web-mode": built.mode, "echogate-web-digest": built.digest } : {}),
          },
          onProgress: progress,
          ...signalOf(input),
        },
      ),
    {
      done: ({ uploaded, total }) => `${uploaded} of ${total} files uploaded, ${total - uploaded} unchanged`,
    },
  );
  return {
    ...result,
    ...(built ? { built } : {}),
    scanWarnings: [...prepared.scanWarnings],
    scanAccepted: [...prepared.scanAccepted],
  };
}

/**
 * The version released on a channel nobody uses (the target itself unless it is live), then the
 * pair gate from there: the page reaches this environment's server, and only it.
 */
async function pairGate(
  input: WebDeployInput,
  target: ChannelSpec,
  version: HostingVersion,
  realtimeKeys: string[],
): Promise<{ gate: PairGateResult; gateUrl: string; isLive: boolean }> {
  const { environment, adapter, output } = input;
  const hosting = environment.config.hosting!;
  const isLive = target.channel === LIVE_CHANNEL;
  const gateChannel: ChannelSpec = isLive
    ? {
        site: target.site,
        channel: `gate-${environment.name}`.slice(0, 63),
        ttlSeconds: GATE_CHANNEL_TTL_SECONDS,
        labels: { "echogate-owner": "gate" },
      }
    : target;
  const gateStep = output.step(`pair gate (${gateChannel.channel})`);
  const channel = await ensureChannel(adapter, gateChannel);
  await release(adapter, gateChannel.site, gateChannel.channel, version, `echogate gate ${environment.name}`);
  const gateUrl = input.channelUrl?.(gateChannel.site, gateChannel.channel, channel.url) ?? channel.url;
  if (!gateUrl)
    throw new ConfigError(
      "hosting.no-url",
      `Can't run the pair gate: channel ${gateChannel.channel} has no URL.`,
    );
  // Browsers load the front end from the target channel, not the gate channel: connect as that page.
  const targetChannel = isLive ? await ensureChannel(adapter, target) : channel;
  const pageUrl = input.channelUrl?.(target.site, target.channel, targetChannel.url) ?? targetChannel.url;
  const browserGate = browserGateOf(hosting);
  const gate = await runPairGate({
    siteUrl: gateUrl,
    expectedServerUrl: input.serverUrl,
    realtimeKeys,
    pageOrigin: new URL(pageUrl ?? gateUrl).origin,
    smoke: input.smoke,
    ...(browserGate
      ? {
          browser: {
            gate: browserGate,
            pageUrl: pageUrl ?? gateUrl,
            executablePath: input.platform.env.ECHOGATE_CHROMIUM || DEFAULT_CHROMIUM,
          },
        }
      : {}),
    ...signalOf(input),
  });
  for (const error of gate.consoleErrors ?? []) output.warn(`The hosted page logged an error: ${error}`);
  if (!gate.ok) {
    const failed = gate.checks.filter((check) => !check.ok);
    gateStep.fail(failed.map((check) => check.name).join(", "));
    throw new CheckFailedError(
      "hosting.pair-gate",
      `The pair gate refused the ${environment.name} front end: ${failed.map((check) => `${check.name}: ${check.detail ?? "failed"}`).join("; ")}.`,
      {
        hint: failed.some((check) => check.name.startsWith("browser"))
          ? `${isLive ? `Nothing was released to ${target.channel}; the` : "The"} page failed in a real browser: fix the front end (or the selectors in hosting.gate.browser of ${environment.file}) and re-run.`
          : isLive
            ? `Nothing was released to ${target.channel}; fix the server URL settings in environments/${environment.config.service.envFile} (or the server) and re-run.`
            : "Fix the server URL settings or the server and re-run; the channel keeps this failing release until then.",
        details: { gate },
      },
    );
  }
  gateStep.done(gate.checks.map((check) => check.name).join(", "));
  return { gate, gateUrl, isLive };
}

/** The gated version on the live channel; its URL. */
async function releaseLive(
  input: WebDeployInput,
  target: ChannelSpec,
  version: HostingVersion,
  gateUrl: string,
): Promise<string> {
  const { adapter, environment } = input;
  return input.output.run(
    `release on ${target.channel}`,
    async () => {
      const paired = input.pairRevision ? ` · revision ${input.pairRevision}` : "";
      await release(adapter, target.site, target.channel, version, `echogate ${environment.name}${paired}`);
      const live = await adapter.getChannel(target.site, target.channel);
      return input.channelUrl?.(target.site, target.channel, live?.url) ?? live?.url ?? gateUrl;
    },
    { done: (url) => url },
  );
}

/** The release recorded on the service as paired with the server revision (what `rollback` moves back). */
async function recordPair(
  input: WebDeployInput,
  revision: string,
  target: ChannelSpec,
  staged: StagedVersion,
): Promise<void> {
  const { version, built } = staged;
  const pair: WebPair = {
    revision,
    site: target.site,
    channel: target.channel,
    version: version.name,
    mode: input.environment.config.hosting!.mode,
    ...(built ? { digest: built.digest } : {}),
    ...(built?.nonce ? { nonce: built.nonce } : {}),
    at: new Date().toISOString(),
  };
  await input.output
    .run(`pair web ${versionIdOf(version.name)} with ${revision}`, () =>
      recordWebPair(input.platform, input.environment, pair),
    )
    .catch(() =>
      input.output.warn(
        `Couldn't record which server revision this web release goes with; \`echogate rollback ${input.environment.name}\` will not move the web with the server.`,
      ),
    );
}

export interface PreparedWeb {
  files: SiteFile[];
  built?: BuiltWeb;
  scanWarnings: string[];
  scanAccepted: AcceptedScanFinding[];
}

type PrepareWebInput = Pick<
  WebDeployInput,
  | "project"
  | "platform"
  | "environment"
  | "environments"
  | "serverUrl"
  | "promote"
  | "live"
  | "ownServiceName"
  | "strictScan"
  | "signal"
  | "output"
>;

/**
 * The files this environment would upload (read from publicDir, or built for a build-time mode),
 * scanned against every environment's servers. Nothing is uploaded: `promote` runs this before the
 * server moves, so a build carrying another environment's server stops the whole promotion.
 */
export async function prepareWebFiles(
  input: PrepareWebInput,
  values?: Record<string, string>,
): Promise<PreparedWeb> {
  const { environment, output } = input;
  const hosting = environment.config.hosting!;
  const vars = values ?? (await readPublicEnv(input.project, environment, input.serverUrl)).vars;
  const dirName = hosting.publicDir;
  const frontEnd = readFrontEnd(input.project.dir, dirName);
  let files: SiteFile[];
  let built: BuiltWeb | undefined;
  if (hosting.mode === "runtime-config")
    files = await readSiteDir(join(input.project.dir, dirName), dirName, input.project.dir);
  else {
    built = await buildWebFor({
      projectDir: input.project.dir,
      environment,
      values: vars,
      // The user's build command runs with the invocation's environment.
      env: input.platform.env,
      ...signalOf(input),
      ...(input.promote ? { upstream: upstreamPair(input) } : {}),
      step: (name) => output.step(name),
      frontEnd,
    });
    files = built.files.map((file) => siteFile(file.path, file.content));
  }
  const scan = output.step("scan the web build");
  const { accepts, diagnostics } = await loadScanAccepts(
    input.project.dir,
    input.environments.map((other) => other.name),
  );
  const problem = diagnostics.items.find((item) => item.severity === "error");
  if (problem) {
    scan.fail(BUNDLE_SCAN_FILE);
    throw new ConfigError(problem.code, `Can't read ${BUNDLE_SCAN_FILE}: ${problem.message}`, {
      ...errorLocationOf(problem),
      hint: problem.hint ?? "Fix the entry (host, files, environments, reason), then run the command again.",
    });
  }
  const scanned = scanBundle(
    files.filter((file) => file.path !== RUNTIME_CONFIG_PATH),
    scanFactsFor({
      environment,
      environments: input.environments,
      live: input.live?.services ?? [],
      ownServiceName: input.ownServiceName ?? environment.config.service.name,
      ownServerUrl: input.serverUrl,
      // A value this environment sets itself (a shared CDN, say) is not another's server.
      literal: (await forbiddenTargets(input)).filter(
        (target) =>
          target.secret ||
          target.own ||
          !Object.values(vars).some((value) => value.toLowerCase().includes(target.needle.toLowerCase())),
      ),
      strict: input.strictScan === true,
    }),
  );
  const { remaining: findings, accepted } = applyScanAccepts(scanned, accepts, environment.name);
  const scanAccepted = accepted.map(acceptedScanFinding);
  for (const entry of scanAccepted)
    output.warn(`accepted ${entry.finding}: ${entry.reason} (${entry.acceptedBy})`);
  const scanWarnings: string[] = [];
  for (const warning of findings.filter((finding) => finding.severity === "warning")) {
    scanWarnings.push(formatFinding(warning));
    output.warn(`${formatFinding(warning)} (an error with --strict)`);
  }
  const errors = findings.filter((finding) => finding.severity === "error");
  if (errors.length > 0) {
    scan.fail(`${errors.length} server reference(s) that are not ${environment.name}'s`);
    throw bundleError(environment.name, errors, hosting.mode, frontEnd);
  }
  scan.done(
    `${files.length} files clean${accepted.length > 0 ? `, ${accepted.length} finding(s) accepted in ${BUNDLE_SCAN_FILE}` : ""}`,
  );
  return { files, ...(built ? { built } : {}), scanWarnings, scanAccepted };
}

function acceptedScanFinding(accepted: AcceptedFinding): AcceptedScanFinding {
  return {
    finding: formatFinding(accepted.finding),
    reason: accepted.reason,
    acceptedBy: accepted.acceptedBy,
  };
}

/** What upstream's pair gate passed: the pair of its serving revision, else its newest pair. */
function upstreamPair(input: PrepareWebInput): { environment: string; pair: WebPair } {
  const source = sourceEnvironment(input);
  const live = input.live?.services.find((service) => service.environment === source.name);
  const pairs = readWebPairs(live?.annotations ?? {}).filter(
    (pair) => pair.site === source.config.hosting!.site && pair.channel === source.config.hosting!.channel,
  );
  const pair = webPairOf(pairs, live?.servingRevision) ?? pairs.at(-1);
  if (!pair) {
    throw new ConfigError(
      "hosting.nothing-to-promote",
      `Can't promote the web front end: ${source.name} has no pair-gated web release recorded on its service${live ? "" : " (its service could not be read)"}.`,
      { hint: `Run \`echogate web deploy ${source.name}\` first.` },
    );
  }
  return { environment: source.name, pair };
}

function versionIdOf(name: string): string {
  return name.split("/").at(-1) ?? name;
}

function sourceEnvironment(input: Pick<WebDeployInput, "environment" | "environments">) {
  const name = input.environment.config.promotesFrom;
  const source = input.environments.find((environment) => environment.name === name);
  if (!source?.config.hosting) {
    throw new ConfigError(
      "hosting.no-source",
      `Can't promote the web front end of ${input.environment.name}: ${name ?? "promotesFrom"} has no hosting section.`,
      {
        hint: "Set promotesFrom to an environment with hosting, or pass --upload to deploy the local build.",
      },
    );
  }
  return source;
}

async function forbiddenTargets(input: PrepareWebInput): Promise<ForbiddenTarget[]> {
  const targets: ForbiddenTarget[] = [];
  for (const other of input.environments) {
    if (other.name === input.environment.name) continue;
    targets.push(...forbiddenFromUrls(`${other.name}'s server`, await readEnvUrls(input.project, other)));
  }
  // A secret's value in a file served to every browser is a leak, whichever environment's it is.
  for (const environment of input.environments)
    for (const { key, value } of await readSecretValues(input.project, environment))
      targets.push({
        label: `the value of secret ${key} (${environment.name})`,
        needle: value,
        secret: true,
      });
  // Own server too when the build must move unchanged between environments (runtime config).
  if ((input.environment.config.hosting?.mode ?? "runtime-config") === "runtime-config")
    targets.push(
      ...forbiddenFromUrls(`${input.environment.name}'s own server (use /echogate.json)`, [input.serverUrl], {
        own: true,
      }),
    );
  return targets;
}

function bundleError(
  name: string,
  findings: ScanFinding[],
  mode: WebMode,
  frontEnd: ReadFrontEnd,
): CheckFailedError {
  const shown = findings.slice(0, 10).map(formatFinding);
  const more = findings.length > shown.length ? `\n  … and ${findings.length - shown.length} more` : "";
  const first = findings[0]!;
  return new CheckFailedError(
    "hosting.bundle-scan",
    `Can't deploy the ${name} front end: the build carries ${findings.some((f) => f.match === SECRET_MATCH) ? "a secret's value or servers that are not" : "servers that are not"} ${name}'s:\n  ${shown.join("\n  ")}${more}`,
    {
      location: { file: first.file.slice(1), line: first.line, column: first.column },
      hint: `${
        mode === "runtime-config"
          ? "Read the server URL at runtime from /echogate.json instead of baking it into the build."
          : `Take the server URL only from ${frontEnd.name}'s public variable (${frontEnd.readExample ?? "e.g. a NEXT_PUBLIC_, VITE_ or REACT_APP_ variable"}), with no hard-coded fallback.`
      }${acceptable(findings) ? ` A loopback, private or unknown Cloud Run address the page really needs can be accepted with a reason in ${BUNDLE_SCAN_FILE}.` : ""} Nothing was uploaded.`,
      details: { findings },
    },
  );
}

function acceptable(findings: readonly ScanFinding[]): boolean {
  return findings.some((finding) => ["loopback", "private", "unknown-run-app"].includes(finding.kind));
}

function signalOf(input: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return input.signal ? { signal: input.signal } : {};
}
