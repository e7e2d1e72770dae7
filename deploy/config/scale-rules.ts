import type { Diagnostics } from "../core/diagnostics.js";
import type { LoadedEnvironment } from "./load-environments.js";

const WHY =
  "a realtime server keeps its rooms in one process unless it shares its broadcast through a backplane";

/**
 * Refuses configurations where clients of one environment can land on different server processes
 * (instances, revisions during a partial rollout step, regions) without a declared backplane:
 * messages would silently not reach part of a room, and no gate could prove otherwise.
 */
export function checkScaleOut(environment: LoadedEnvironment, diagnostics: Diagnostics): void {
  const { service, rollout } = environment.config;
  if (service.regions.length > 1 && service.endpoint === "google" && !service.globalUrl) {
    diagnostics.error(
      "config.global-url-required",
      `Can't give ${environment.name}'s front end one URL for ${service.regions.length} regions without service.globalUrl.`,
      environment.locate(["service", "regions"]),
      "Put a global external HTTPS load balancer in front of the regions' services and set service.globalUrl to its URL.",
    );
  }
  if (service.backplane === "redis") {
    if (service.maxInstances > 1 && service.minInstances < 2) {
      diagnostics.warning(
        "config.fan-out-unprovable",
        `With minInstances ${service.minInstances} the gate may find a single instance running and can't prove a message crosses instances; it then fails rather than pass without proof.`,
        environment.locate(["service", service.minInstances > 0 ? "minInstances" : "maxInstances"]),
        "Set service.minInstances: 2 so two instances are always up for the gate to place its clients on.",
      );
    }
    return;
  }
  const declared = service.backplane === "none" ? "service.backplane is none" : "no service.backplane";
  const fix = "Set service.backplane: redis once the server shares rooms through Redis (REDIS_URL)";
  if (service.maxInstances > 1) {
    diagnostics.error(
      "config.backplane-required",
      `Can't run up to ${service.maxInstances} instances with ${declared}: ${WHY}, so a message sent on one instance never reaches clients on another.`,
      environment.locate(["service", "maxInstances"]),
      `${fix}, or set service.maxInstances: 1.`,
    );
  }
  const partial = rollout.steps.filter((step) => step < 100);
  if (partial.length > 0) {
    diagnostics.error(
      "config.backplane-required",
      `Can't roll out in steps [${rollout.steps.join(", ")}] with ${declared}: at ${partial.join("% and ")}% users are split between the old and the new revision and can't see each other's messages.`,
      environment.locate(["rollout", "steps"]),
      `${fix}; the gate then requires a message to cross revisions. Otherwise use rollout.steps: [100].`,
    );
  }
  if (service.regions.length > 1) {
    diagnostics.error(
      "config.backplane-required",
      `Can't serve ${environment.name} from ${service.regions.length} regions with ${declared}: users in different regions would never see each other's messages.`,
      environment.locate(["service", "regions"]),
      `${fix} reachable from every region, or use one region.`,
    );
  }
}
