import type { LoadedEnvironment } from "../config/load-environments.js";
import { ConfigError, isEchogateError } from "../core/errors.js";
import type { HostingConnection } from "../platform/hosting/connect.js";
import {
  channelId,
  type FirebaseHostingAdapter,
  type HostingChannel,
} from "../platform/hosting/firebase-adapter.js";
import type { Platform } from "../platform/platform.js";
import type { Project } from "../project/project.js";
import { previewRows } from "./list.js";
import type { PreviewChannel, PreviewRow } from "./model.js";
import { createPreviewServices, type PreviewServices } from "./preview-services.js";

export interface PreviewContext {
  environment: LoadedEnvironment;
  environments: LoadedEnvironment[];
  /** The preview services on Cloud Run (the promotion pipeline deploys their server half). */
  services: PreviewServices;
  hosting: HostingConnection | undefined;
}

/** The preview environment (`--env`, or the one with kind: preview) and its platforms. */
export async function openPreviewContext(
  project: Project,
  platform: Platform,
  envName: string | undefined,
): Promise<PreviewContext> {
  const loaded = await project.environments();
  let name = envName;
  if (!name) {
    const previews = loaded.environments.filter((candidate) => candidate.config.kind === "preview");
    if (previews.length !== 1) {
      throw new ConfigError(
        "preview.no-environment",
        previews.length === 0
          ? "Can't find a preview environment (kind: preview) in environments/."
          : `Can't choose between preview environments ${previews.map((p) => p.name).join(", ")}.`,
        {
          hint:
            previews.length === 0
              ? "Add environments/preview.yaml with kind: preview, or pass --env."
              : "Pass --env <name>.",
        },
      );
    }
    name = previews[0]!.name;
  }
  const environment = await project.environment(name);
  if (environment.config.kind !== "preview") {
    throw new ConfigError(
      "preview.not-preview",
      `Can't use ${name} for previews: its kind is ${environment.config.kind}.`,
      {
        location: environment.locate(["kind"]),
        hint: "Previews are based on an environment with kind: preview; staging and production are never touched.",
      },
    );
  }
  const services = await createPreviewServices(project, platform, environment);
  const hosting = environment.config.hosting ? await platform.hosting(environment.config.hosting) : undefined;
  return { environment, environments: loaded.environments, services, hosting };
}

/** Lists services and channels and joins them into rows. */
export async function collectPreviews(context: PreviewContext, now: Date): Promise<PreviewRow[]> {
  const site = context.environment.config.hosting?.site;
  const [services, channels] = await Promise.all([
    context.services.listServices(),
    context.hosting && site ? channelsOf(context.hosting.adapter, site) : Promise.resolve(undefined),
  ]);
  return previewRows(
    services,
    channels?.map((channel) => toPreviewChannel(channel, context, site!)),
    now,
  );
}

function toPreviewChannel(channel: HostingChannel, context: PreviewContext, site: string): PreviewChannel {
  const id = channelId(channel);
  const url = context.hosting?.channelUrl(site, id, channel.url);
  return {
    id,
    ...(url ? { url } : {}),
    labels: channel.labels ?? {},
    createTime: channel.createTime,
    ...(channel.expireTime ? { expireTime: channel.expireTime } : {}),
  };
}

/** A site nothing was ever deployed to (the local emulator creates sites on first write) has no previews. */
async function channelsOf(adapter: FirebaseHostingAdapter, site: string): Promise<HostingChannel[]> {
  try {
    return await adapter.listChannels(site);
  } catch (error) {
    if (isEchogateError(error) && error.code === "hosting.not-found") return [];
    throw error;
  }
}
