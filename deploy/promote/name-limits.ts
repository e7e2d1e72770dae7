import type { LoadedEnvironment } from "../config/load-environments.js";
import { ConfigError, UsageError } from "../core/errors.js";
import { checkServiceName, checkTrafficTag } from "../platform/cloudrun/limits.js";
import { CANDIDATE_TAG } from "./candidate-template.js";

/**
 * Refuses a service name or candidate tag Cloud Run would reject, before any API call.
 * `overridden`: the name came from the caller (a preview's per-branch service), not service.name.
 */
export function assertNamesWithinLimits(
  environment: LoadedEnvironment,
  tag = CANDIDATE_TAG,
  overridden = false,
): void {
  const name = environment.config.service.name;
  for (const check of [checkServiceName(name), checkTrafficTag(tag, name)]) {
    if (check.ok) continue;
    if (overridden) {
      throw new UsageError(`Can't deploy ${environment.name} as service ${name}: ${check.message}`, {
        hint: `Pick a service name of [a-z0-9-] that leaves room for the tag: "${tag}---${name}" is one DNS label.`,
      });
    }
    throw new ConfigError("cloudrun.name-limit", `Can't deploy ${environment.name}: ${check.message}`, {
      location: environment.locate(["service", "name"]),
      hint: `Shorten service.name in ${environment.file}; the tag URL puts "${tag}---${name}" in one DNS label.`,
    });
  }
}

/** The environment as the pipeline sees it when it deploys to another service name (previews). */
export function withServiceName(environment: LoadedEnvironment, name: string | undefined): LoadedEnvironment {
  if (name === undefined || name === environment.config.service.name) return environment;
  return {
    ...environment,
    config: { ...environment.config, service: { ...environment.config.service, name } },
  };
}
