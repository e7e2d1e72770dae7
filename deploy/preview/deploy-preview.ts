import { CheckFailedError, messageOf, UsageError } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { markdownCode, shellCommand } from "../core/shell-quote.js";
import type { LiveServicesResult } from "../hosting/live-services.js";
import type { PairSmoke } from "../hosting/pair-smoke.js";
import type { ChannelSpec } from "../hosting/publish.js";
import { deployWeb, type WebDeployResult } from "../hosting/web-deploy.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";
import type { GateReport } from "../smoke/result.js";
import { ANNOTATION, LABEL, labelValue, MANAGED_BY } from "./model.js";
import { previewNames } from "./names.js";
import type { PreviewContext } from "./preview-context.js";
import type { PreviewServerResult } from "./preview-services.js";

export const DEFAULT_PREVIEW_TTL_SECONDS = 7 * 86_400;

interface PreviewDeployInput {
  context: PreviewContext;
  project: Project;
  platform: Platform;
  branch: string;
  commit?: string;
  creator?: string;
  ttlSeconds: number;
  /** An already running server to pair with, instead of deploying one (it is still gated). */
  serverUrl?: string;
  /** The pushed image to deploy (CI builds once); default: build now. */
  image?: string;
  smoke: PairSmoke;
  /** Steps, warnings and secret redaction, for the server half (`deployEnvironment`) and the web half. */
  output: Output;
  signal?: AbortSignal;
  now: Date;
  /** Every environment's live service (this one's is the branch service): the bundle scan's facts. */
  liveServices?: (branchService: string) => Promise<LiveServicesResult>;
  strictScan?: boolean;
}

export interface PreviewDeployResult {
  branch: string;
  id: string;
  service: string;
  serverUrl: string;
  webUrl?: string;
  version?: string;
  expireTime: string;
  serverGate: GateReport;
  web?: WebDeployResult;
}

/** Server (gated like staging) → web channel (scanned, pair-gated) → service annotated with the web URL. */
export async function deployPreview(input: PreviewDeployInput): Promise<PreviewDeployResult> {
  const { context, output } = input;
  const environment = context.environment;
  const names = previewNames(input.branch, environment.config.service.name);
  const owner = context.environments.find((other) => other.config.service.name === names.service);
  if (owner) {
    throw new UsageError(
      `Can't deploy a preview for ${input.branch}: its service name ${names.service} is ${owner.name}'s service.`,
      {
        hint: `Give the preview environment a service.name that no other environment's service name starts with (${environment.file}).`,
      },
    );
  }
  const expireTime = new Date(input.now.getTime() + input.ttlSeconds * 1000);
  const labels: Record<string, string> = {
    [MANAGED_BY.key]: MANAGED_BY.value,
    [LABEL.preview]: names.id,
    [LABEL.expires]: String(Math.floor(expireTime.getTime() / 1000)),
    ...(input.commit ? { [LABEL.commit]: labelValue(input.commit.slice(0, 12)) } : {}),
    ...(input.creator ? { [LABEL.creator]: labelValue(input.creator) } : {}),
  };

  const hosting = environment.config.hosting;
  const webChannel: ChannelSpec | undefined = hosting && {
    site: hosting.site,
    channel: names.channel,
    ttlSeconds: input.ttlSeconds,
    labels: { ...labels, [LABEL.owner]: labelValue(names.service) },
  };

  const serverStep = output.step(`server ${names.service}`);
  let server: PreviewServerResult;
  try {
    server = input.serverUrl
      ? { url: input.serverUrl, gate: await input.smoke(input.serverUrl, input.signal) }
      : await context.services.deployServer({
          environment,
          service: names.service,
          labels,
          annotations: { [ANNOTATION.branch]: input.branch },
          ...(webChannel ? { webChannel } : {}),
          ...(input.image ? { image: input.image } : {}),
          output: input.output,
          ...(input.signal ? { signal: input.signal } : {}),
        });
  } catch (error) {
    serverStep.fail(messageOf(error));
    throw error;
  }
  if (!server.gate.ok) {
    serverStep.fail("smoke gate failed");
    const failed = server.gate.checks.filter((check) => !check.ok);
    throw new CheckFailedError(
      "preview.gate",
      `The smoke gate refused the preview server for ${input.branch}: ${failed.map((c) => `${c.name}: ${c.detail ?? "failed"}`).join("; ")}.`,
      {
        hint: "Fix the server and push again; the web channel was not touched.",
        details: { gate: server.gate },
      },
    );
  }
  serverStep.done(server.url);
  const version = server.version;

  let web: WebDeployResult | undefined;
  if (webChannel) {
    const live = await input.liveServices?.(names.service);
    web = await deployWeb({
      ...(live ? { live } : {}),
      ownServiceName: names.service,
      strictScan: input.strictScan === true,
      project: input.project,
      platform: input.platform,
      environment,
      environments: context.environments,
      adapter: context.hosting!.adapter,
      serverUrl: server.url,
      channel: webChannel,
      promote: false,
      labels: { [LABEL.preview]: names.id, ...(version ? { "echogate-version": labelValue(version) } : {}) },
      smoke: input.smoke,
      output,
      ...(input.signal ? { signal: input.signal } : {}),
      channelUrl: context.hosting!.channelUrl,
    });
    if (!input.serverUrl && web.url) {
      await context.services
        .annotateService(names.service, { [ANNOTATION.webUrl]: web.url, [ANNOTATION.gate]: "passed" })
        .catch((error: Error) =>
          output.warn(`Couldn't record the web URL on ${names.service}: ${error.message}`),
        );
    }
  }
  return {
    branch: input.branch,
    id: names.id,
    service: names.service,
    serverUrl: server.url,
    ...(web?.url ? { webUrl: web.url } : {}),
    ...(version ? { version } : {}),
    expireTime: expireTime.toISOString(),
    serverGate: server.gate,
    ...(web ? { web } : {}),
  };
}

/** A block to paste (or post) as a pull-request comment. */
export function previewMarkdown(result: PreviewDeployResult): string {
  return [
    `### Preview for ${markdownCode(result.branch)}`,
    "",
    "| | |",
    "|---|---|",
    `| Web | ${result.webUrl ?? "(no hosting)"} |`,
    `| Server | ${result.serverUrl} |`,
    `| Service | ${markdownCode(result.service)} |`,
    ...(result.version ? [`| Version | ${markdownCode(result.version)} |`] : []),
    `| Gate | ${result.serverGate.ok ? "passed" : "failed"} (${result.serverGate.checks.map((c) => c.name).join(", ")}) |`,
    `| Expires | ${result.expireTime} |`,
    "",
    `<sub>Delete early with ${markdownCode(shellCommand(["echogate", "preview", "cleanup", "--branch", result.branch, "--yes"]))}.</sub>`,
  ].join("\n");
}
