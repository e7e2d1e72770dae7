import {
  checkServiceName,
  checkTrafficTag,
  SERVICE_NAME_MAX_LENGTH,
} from "@echogate/common/cloud-run-limits";
import type { LoadedEnvironment } from "../config/load-environments.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { ConfigError, UsageError } from "../core/errors.js";

/** The tag echogate gives a candidate revision: its URL is what the first gate tests. */
export const CANDIDATE_TAG = "candidate";

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
  const nameCheck = checkServiceName(name);
  const tagCheck = checkTrafficTag(tag, name);
  const failed = !nameCheck.ok ? nameCheck : !tagCheck.ok ? tagCheck : undefined;
  if (!failed) return;
  // Only a length problem is fixed by shortening; a bad character or shape needs another name.
  const tooLong = nameCheck.ok || name.length > SERVICE_NAME_MAX_LENGTH;
  const fix = tooLong
    ? `the tag URL puts "${tag}---${name}" in one DNS label, so the name must leave room for the tag`
    : "use lowercase letters, digits and dashes, starting with a letter and not ending with a dash";
  if (overridden) {
    throw new UsageError(`Can't deploy ${environment.name} as service ${name}: ${failed.message}`, {
      hint: `Pick another service name: ${fix}.`,
    });
  }
  throw new ConfigError("cloudrun.name-limit", `Can't deploy ${environment.name}: ${failed.message}`, {
    location: environment.locate(["service", "name"]),
    hint: `${tooLong ? "Shorten" : "Rename"} service.name in ${environment.file}: ${fix}.`,
  });
}

/** The environment as the pipeline sees it when it deploys to another service name (previews). */
export function withServiceName(environment: LoadedEnvironment, name: string | undefined): LoadedEnvironment {
  if (name === undefined || name === environment.config.service.name) return environment;
  return {
    ...environment,
    config: { ...environment.config, service: { ...environment.config.service, name } },
  };
}

/**
 * One region per environment: a rollout that moved region by region would need a gate and a
 * rollback per region and a front end that knows which regional URL to use. Refused clearly
 * rather than silently deploying only the first region.
 */
export function assertSingleRegion(environment: LoadedEnvironment): void {
  const { regions } = environment.config.service;
  if (regions.length <= 1) return;
  throw new ConfigError(
    "cloudrun.multi-region",
    `Can't roll back ${environment.name} in ${regions.length} regions (${regions.join(", ")}) at once: rollback handles one region per environment.`,
    {
      location: environment.locate(["service", "regions"]),
      hint: `Deploy the previous version again with \`echogate deploy ${environment.name} --image <its digest>\`: a multi-region deploy moves every region or none.`,
    },
  );
}

/** What deploy would refuse about an environment's Cloud Run settings, as `check` diagnostics. */
export function deployabilityDiagnostics(environment: LoadedEnvironment): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const assert of [assertNamesWithinLimits]) {
    try {
      assert(environment);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      found.push({
        severity: "error",
        code: error.code,
        message: error.message,
        ...error.location,
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
  }
  return found;
}
