import type { Diagnostics } from "../core/diagnostics.js";
import { googleProjectIdProblem } from "./gcp-project-id.js";
import type { LoadedEnvironment } from "./load-environments.js";

/** Checks across keys and files that the per-field schema can't express; every problem at once. */
export function checkEnvironmentRules(
  environments: readonly LoadedEnvironment[],
  diagnostics: Diagnostics,
): void {
  for (const environment of environments) {
    const { service } = environment.config;
    if (service.minInstances > service.maxInstances) {
      diagnostics.error(
        "config.min-instances",
        `Can't keep ${service.minInstances} instances warm with maxInstances (${service.maxInstances}) lower.`,
        environment.locate(["service", "minInstances"]),
        "Lower service.minInstances or raise service.maxInstances.",
      );
    }
    const projectProblem =
      service.endpoint === "google" ? googleProjectIdProblem(service.project) : undefined;
    if (projectProblem) {
      diagnostics.error(
        "config.project-id",
        projectProblem,
        environment.locate(["service", "project"]),
        "Use the project id shown by `gcloud projects list` (not its name or number).",
      );
    }
  }
  checkPromotionCycles(environments, diagnostics);
  checkUniqueTargets(environments, diagnostics);
}

/**
 * Two environments must never act on the same Cloud Run service or Hosting channel: `deploy staging`
 * would otherwise change production. Previews derive a name per branch, so their base names are not
 * targets.
 */
function checkUniqueTargets(environments: readonly LoadedEnvironment[], diagnostics: Diagnostics): void {
  const services = new Map<string, string>();
  const sites = new Map<string, string>();
  for (const environment of environments) {
    if (environment.config.kind === "preview") continue;
    const { service, hosting } = environment.config;
    for (const region of service.regions) {
      const key = [service.endpoint, service.project, region, service.name].join("/");
      const owner = services.get(key);
      if (owner === undefined) services.set(key, environment.name);
      else if (owner !== environment.name) {
        diagnostics.error(
          "config.shared-service",
          `Can't use Cloud Run service ${service.name} (${service.project}, ${region}) in ${environment.name}: ${owner} uses it too, so deploying one would change the other.`,
          environment.locate(["service", "name"]),
          "Give each environment its own service.name.",
        );
        break;
      }
    }
    if (!hosting) continue;
    const key = [hosting.provider, hosting.site, hosting.channel].join("/");
    const owner = sites.get(key);
    if (owner === undefined) sites.set(key, environment.name);
    else
      diagnostics.error(
        "config.shared-site",
        `Can't publish ${environment.name} to Hosting site ${hosting.site} (channel ${hosting.channel}): ${owner} publishes there too, so deploying one would replace the other's front end.`,
        environment.locate(["hosting", "site"]),
        "Give each environment its own hosting.site (or its own hosting.channel).",
      );
  }
}

/** `promotesFrom` must lead to an environment that is deployed, not round in a circle. */
function checkPromotionCycles(environments: readonly LoadedEnvironment[], diagnostics: Diagnostics): void {
  const from = new Map(environments.map((e) => [e.name, e.config.promotesFrom]));
  for (const environment of environments) {
    const path = [environment.name];
    let next = from.get(environment.name);
    while (next !== undefined && next !== environment.name && !path.includes(next)) {
      path.push(next);
      next = from.get(next);
    }
    // A self-reference is reported on its own; a chain running into someone else's cycle is not this one's.
    if (next !== environment.name || path.length < 2) continue;
    diagnostics.error(
      "config.promotes-from-cycle",
      `promotesFrom goes round in a circle: ${[...path, environment.name].join(" → ")}.`,
      environment.locate(["promotesFrom"]),
      "One environment in the chain must be deployed (`echogate deploy`), not promoted: remove its promotesFrom.",
    );
  }
}
