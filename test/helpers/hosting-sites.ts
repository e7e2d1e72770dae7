import { loadEnvironments } from "../../deploy/config/load-environments.js";
import { createLocalSites, localSitesOf } from "../../deploy/platform/hosting/local-sites.js";

/**
 * Creates, in the project's local Hosting emulator state (.echogate/hosting), every site its
 * environments name with `provider: local`: the explicit step a user runs
 * (`echogate emulator sites`), since a deploy to a site nobody created is 404 as on Firebase.
 */
export async function createProjectSites(projectDir: string): Promise<void> {
  const loaded = await loadEnvironments(projectDir);
  const sites = localSitesOf(loaded);
  if (sites.length > 0) await createLocalSites(projectDir, sites);
}
