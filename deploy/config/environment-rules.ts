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
