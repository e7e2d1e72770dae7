import { emulatorDirs } from "@echogate/emulator";
import type { LoadedEnvironments } from "../../config/load-environments.js";
import { HostingApiClient } from "./api-client.js";
import { runningEmulator } from "./connect.js";

// Like Firebase, the local Hosting emulator serves only sites that were created first
// (`firebase hosting:sites:create` there, `echogate emulator sites` here): a deploy to a mistyped
// site fails locally as it would on Google.

export interface SiteRequest {
  site: string;
  project: string;
}

interface SiteOutcome extends SiteRequest {
  created: boolean;
}

/** The sites of every environment whose hosting provider is `local`, each with its service project. */
export function localSitesOf(loaded: LoadedEnvironments): SiteRequest[] {
  const bySite = new Map<string, SiteRequest>();
  for (const { config } of loaded.environments) {
    if (config.hosting?.provider !== "local") continue;
    const site = config.hosting.site;
    if (!bySite.has(site)) bySite.set(site, { site, project: config.service.project });
  }
  return [...bySite.values()];
}

/**
 * Creates the sites in the project's hosting emulator: the running one (the daemon's), else one
 * started in this process on the same state. Existing sites are left as they are.
 */
export async function createLocalSites(
  projectDir: string,
  sites: readonly SiteRequest[],
): Promise<SiteOutcome[]> {
  const dir = emulatorDirs(projectDir).hosting;
  const running = await runningEmulator(dir);
  const inProcess = running
    ? undefined
    : await (await import("@echogate/emulator")).startHostingEmulator({ dir });
  try {
    return await createSites(running ?? inProcess!.url, sites);
  } finally {
    await inProcess?.close();
  }
}

/** projects.sites.create for each site; ALREADY_EXISTS counts as done. */
export async function createSites(baseUrl: string, sites: readonly SiteRequest[]): Promise<SiteOutcome[]> {
  const api = new HostingApiClient({ baseUrl, auth: "none" });
  const outcomes: SiteOutcome[] = [];
  for (const request of sites) {
    try {
      await api.json("POST", `projects/${request.project}/sites`, `create site ${request.site}`, {
        query: { siteId: request.site },
        body: {},
      });
      outcomes.push({ ...request, created: true });
    } catch (error) {
      const status = (error as { details?: { status?: string } }).details?.status;
      if (status !== "ALREADY_EXISTS") throw error;
      outcomes.push({ ...request, created: false });
    }
  }
  return outcomes;
}
