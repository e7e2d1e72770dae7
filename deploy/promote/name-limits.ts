import type { LoadedEnvironment } from "../config/load-environments.js";
import { ConfigError } from "../core/errors.js";
import { checkServiceName, checkTrafficTag } from "../platform/cloudrun/limits.js";
import { CANDIDATE_TAG } from "./candidate-template.js";

/** Refuses a service name or candidate tag Cloud Run would reject, before any API call. */
export function assertNamesWithinLimits(environment: LoadedEnvironment, tag = CANDIDATE_TAG): void {
  const name = environment.config.service.name;
  for (const check of [checkServiceName(name), checkTrafficTag(tag, name)]) {
    if (!check.ok) {
      throw new ConfigError("cloudrun.name-limit", `Can't deploy ${environment.name}: ${check.message}`, {
        location: environment.locate(["service", "name"]),
        hint: `Shorten service.name in ${environment.file}; the tag URL puts "${tag}---${name}" in one DNS label.`,
      });
    }
  }
}
