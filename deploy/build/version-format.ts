import { ConfigError } from "../core/errors.js";

const NUMBER = "(?:0|[1-9]\\d*)";
const PRERELEASE_ID = "(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)";
/** semver.org 2.0.0: MAJOR.MINOR.PATCH[-prerelease][+build], build identifiers of [0-9A-Za-z-]. */
const SEMVER_PATTERN = new RegExp(
  `^${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`,
);

/**
 * The version travels into Cloud Build substitutions, a Docker build arg and the gate step's shell;
 * only a semantic version is safe in all three (a comma would add a substitution).
 */
export function assertSemanticVersion(version: string): void {
  if (SEMVER_PATTERN.test(version)) return;
  throw new ConfigError(
    "build.invalid-version",
    `Can't build version ${JSON.stringify(version)}: it must be a semantic version (MAJOR.MINOR.PATCH, optionally -prerelease and +build metadata of letters, digits, dots and dashes).`,
    { hint: "Fix `version` in package.json (e.g. 1.4.0); echogate adds +<git sha> itself." },
  );
}
