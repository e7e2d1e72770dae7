import { join } from "node:path";
import type { LoadedEnvironment } from "../config/load-environments.js";
import { CheckFailedError, ConfigError } from "../core/errors.js";
import {
  type ForbiddenTarget,
  forbiddenFromUrls,
  formatFinding,
  type ScanFinding,
  scanBundle,
} from "./bundle-scan.js";
import type { FirebaseHostingAdapter, HostingVersion } from "./firebase-adapter.js";
import { type PairGateResult, runPairGate } from "./pair-gate.js";
import { readEnvUrls, readPublicEnv } from "./public-env.js";
import {
  type ChannelSpec,
  ensureChannel,
  LIVE_CHANNEL,
  release,
  type UploadProgress,
  uploadVersion,
} from "./publish.js";
import {
  buildRuntimeConfig,
  RUNTIME_CONFIG_PATH,
  type RuntimeConfig,
  runtimeConfigFile,
} from "./runtime-config.js";
import { readSiteDir } from "./site-files.js";
import type { SmokeFn } from "./smoke-fn.js";

const GATE_CHANNEL_TTL_SECONDS = 86_400;

export interface StepReporter {
  step(name: string): { done(detail?: string): void; fail(detail?: string): void };
  progress(progress: UploadProgress): void;
  warn(text: string): void;
}

export interface WebDeployInput {
  projectDir: string;
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
  smoke: SmokeFn;
  reporter: StepReporter;
  signal?: AbortSignal;
  /** Resolves the URL serving a channel (the adapter's channel.url, or the emulator's port). */
  channelUrl?: (site: string, channel: string, fromApi: string | undefined) => string | undefined;
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
}

/** scan → upload (or clone) → gate on a channel nobody uses → release → result. */
export async function deployWeb(input: WebDeployInput): Promise<WebDeployResult> {
  const { environment, adapter, reporter } = input;
  const hosting = environment.config.hosting;
  if (!hosting) {
    throw new ConfigError(
      "hosting.not-configured",
      `Can't deploy the web front end of ${environment.name}: it has no hosting section.`,
      {
        location: environment.locate([]),
        hint: `Add hosting: { provider: firebase, site: <site-id> } to ${environment.file}.`,
      },
    );
  }
  const target: ChannelSpec = input.channel ?? { site: hosting.site, channel: hosting.channel };
  const publicEnv = await readPublicEnv(input.projectDir, environment, input.serverUrl);
  const runtimeConfig = buildRuntimeConfig({
    environment: environment.name,
    serverUrl: input.serverUrl,
    publicVars: publicEnv.vars,
  });
  const configFile = runtimeConfigFile(runtimeConfig);

  let version: HostingVersion;
  let uploaded = 0;
  let total = 0;
  let clonedFrom: string | undefined;
  if (input.promote) {
    const source = sourceEnvironment(input);
    const step = reporter.step(`clone ${source.name}'s web version`);
    const sourceHosting = source.config.hosting!;
    const live = await adapter.getChannel(sourceHosting.site, sourceHosting.channel);
    const sourceVersion = live?.release?.version.name;
    if (!sourceVersion) {
      step.fail("nothing released");
      throw new ConfigError(
        "hosting.nothing-to-promote",
        `Can't promote the web front end: ${source.name} has no release on channel ${sourceHosting.channel}.`,
        {
          hint: `Run \`echogate web deploy ${source.name}\` first.`,
        },
      );
    }
    // The clone keeps every byte of the gated build except the runtime config, which is this environment's.
    const clone = await adapter.cloneVersion(target.site, sourceVersion, {
      exclude: [`^${RUNTIME_CONFIG_PATH.replace(".", "\\.")}$`],
      finalize: false,
    });
    const result = await uploadVersion(adapter, target.site, [configFile], {
      labels: input.labels,
      version: clone,
      ...signalOf(input),
    });
    version = result.version;
    uploaded = result.uploaded;
    total = result.total;
    clonedFrom = sourceVersion;
    step.done(`${sourceVersion} → ${version.name}`);
  } else {
    const dirName = hosting.publicDir;
    const files = await readSiteDir(join(input.projectDir, dirName), dirName);
    const scan = reporter.step("scan the web build");
    const findings = scanBundle(
      files.filter((file) => file.path !== RUNTIME_CONFIG_PATH),
      { forbidden: await forbiddenTargets(input), allowLoopback: environment.config.kind === "local" },
    );
    if (findings.length > 0) {
      scan.fail(`${findings.length} hard-coded server reference(s)`);
      throw bundleError(environment.name, findings);
    }
    scan.done(`${files.length} files clean`);
    if (files.some((file) => file.path === RUNTIME_CONFIG_PATH)) {
      reporter.warn(
        `${dirName}${RUNTIME_CONFIG_PATH} is replaced by the runtime config for ${environment.name}.`,
      );
    }
    const upload = reporter.step(`upload to ${target.site}`);
    const deployFiles = [...files.filter((file) => file.path !== RUNTIME_CONFIG_PATH), configFile];
    const result = await uploadVersion(adapter, target.site, deployFiles, {
      labels: input.labels,
      onProgress: (progress) => reporter.progress(progress),
      ...signalOf(input),
    });
    version = result.version;
    uploaded = result.uploaded;
    total = result.total;
    upload.done(`${uploaded} of ${total} files uploaded, ${total - uploaded} unchanged`);
  }

  const isLive = target.channel === LIVE_CHANNEL;
  const gateChannel: ChannelSpec = isLive
    ? {
        site: target.site,
        channel: `gate-${environment.name}`.slice(0, 63),
        ttlSeconds: GATE_CHANNEL_TTL_SECONDS,
        labels: { "echogate-owner": "gate" },
      }
    : target;
  const gateStep = reporter.step(`pair gate (${gateChannel.channel})`);
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
  const gate = await runPairGate({
    siteUrl: gateUrl,
    expectedServerUrl: input.serverUrl,
    realtimeKeys: publicEnv.realtimeKeys,
    pageOrigin: new URL(pageUrl ?? gateUrl).origin,
    smoke: input.smoke,
    ...signalOf(input),
  });
  if (!gate.ok) {
    const failed = gate.checks.filter((check) => !check.ok);
    gateStep.fail(failed.map((check) => check.name).join(", "));
    throw new CheckFailedError(
      "hosting.pair-gate",
      `The pair gate refused the ${environment.name} front end: ${failed.map((check) => `${check.name}: ${check.detail ?? "failed"}`).join("; ")}.`,
      {
        hint: isLive
          ? `Nothing was released to ${target.channel}; fix the server URL settings in environments/${environment.config.service.envFile} (or the server) and re-run.`
          : "Fix the server URL settings or the server and re-run; the channel keeps this failing release until then.",
        details: { gate },
      },
    );
  }
  gateStep.done(gate.checks.map((check) => check.name).join(", "));
  let url = gateUrl;
  if (isLive) {
    const step = reporter.step(`release on ${target.channel}`);
    await release(adapter, target.site, target.channel, version, `echogate ${environment.name}`);
    const live = await adapter.getChannel(target.site, target.channel);
    url = input.channelUrl?.(target.site, target.channel, live?.url) ?? live?.url ?? url;
    step.done(url);
  }
  return {
    environment: environment.name,
    site: target.site,
    channel: target.channel,
    url,
    version: version.name,
    ...(clonedFrom ? { clonedFrom } : {}),
    uploaded,
    total,
    runtimeConfig,
    gate,
  };
}

function sourceEnvironment(input: WebDeployInput) {
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

async function forbiddenTargets(input: WebDeployInput): Promise<ForbiddenTarget[]> {
  const targets: ForbiddenTarget[] = [];
  for (const other of input.environments) {
    if (other.name === input.environment.name) continue;
    targets.push(...forbiddenFromUrls(`${other.name}'s server`, await readEnvUrls(input.projectDir, other)));
  }
  // Own server too: a build that hard-codes it can't be promoted unchanged.
  targets.push(
    ...forbiddenFromUrls(`${input.environment.name}'s own server (use /echogate.json)`, [input.serverUrl]),
  );
  return targets;
}

function bundleError(name: string, findings: ScanFinding[]): CheckFailedError {
  const shown = findings.slice(0, 10).map(formatFinding);
  const more = findings.length > shown.length ? `\n  … and ${findings.length - shown.length} more` : "";
  const first = findings[0]!;
  return new CheckFailedError(
    "hosting.bundle-scan",
    `Can't deploy the ${name} front end: the build hard-codes server addresses:\n  ${shown.join("\n  ")}${more}`,
    {
      location: { file: first.file.slice(1), line: first.line, column: first.column },
      hint: "Read the server URL at runtime from /echogate.json instead of baking it into the build.",
      details: { findings },
    },
  );
}

function signalOf(input: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return input.signal ? { signal: input.signal } : {};
}
