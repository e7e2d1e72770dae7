import { DIGEST_PATTERN } from "@echogate/common/image-manifest";
import { execa } from "execa";
import { PlatformError } from "../core/errors.js";
import { assertSemanticVersion } from "./version-format.js";

interface CloudBuildRequest {
  projectDir: string;
  project: string;
  region: string;
  service: string;
  environment: string;
  version: string;
  /** The Cloud Build config, relative to the project (layout.cloudbuild); default cloudbuild.yaml. */
  config?: string;
  signal?: AbortSignal;
}

interface CloudBuildResult {
  /** `REGION-docker.pkg.dev/PROJECT/REPO/SERVICE@sha256:…` */
  imageRef: string;
  digest: string;
  buildId: string | undefined;
}

/** Image tags can't hold `+`; the version itself (with `+`) goes in as a build arg. */
export function imageTagFor(version: string): string {
  return version.replace(/[^A-Za-z0-9_.-]/g, "-");
}

export function cloudBuildArgs(request: CloudBuildRequest): string[] {
  assertSemanticVersion(request.version);
  const substitutions = {
    _VERSION: request.version,
    _TAG: imageTagFor(request.version),
    _SERVICE: request.service,
    _REGION: request.region,
    _ENV: request.environment,
  };
  return [
    "builds",
    "submit",
    `--config=${request.config ?? "cloudbuild.yaml"}`,
    `--project=${request.project}`,
    `--region=${request.region}`,
    `--substitutions=${gcloudDictFlag(substitutions)}`,
    "--format=json",
    ".",
  ];
}

/** Delimiters tried, in order, when a value holds a comma. */
const DELIMITERS = ["~", "|", ";", "@", "#", "%"];

/**
 * A gcloud dict flag value (`KEY=VALUE,…`). When a value holds a comma, gcloud's `^DELIM^` prefix
 * (`gcloud topic escaping`) switches to a delimiter no value contains, so no value adds an entry.
 */
export function gcloudDictFlag(entries: Record<string, string>): string {
  const pairs = Object.entries(entries).map(([key, value]) => `${key}=${value}`);
  const text = pairs.join("");
  if (!text.includes(",")) return pairs.join(",");
  const delimiter = DELIMITERS.find((candidate) => !text.includes(candidate));
  if (!delimiter)
    throw new Error("Can't escape the gcloud substitutions: every delimiter occurs in a value.");
  return `^${delimiter}^${pairs.join(delimiter)}`;
}

/**
 * Runs Cloud Build through `gcloud builds submit`: gcloud uploads the source
 * tarball and streams the build log, which the Cloud Build client library
 * leaves to the caller. The pushed digest is read back from the Build resource.
 */
export async function submitCloudBuild(request: CloudBuildRequest): Promise<CloudBuildResult> {
  const result = await execa("gcloud", cloudBuildArgs(request), {
    cwd: request.projectDir,
    reject: false,
    stderr: "inherit",
    ...(request.signal ? { cancelSignal: request.signal } : {}),
  });
  if (result.failed || result.exitCode !== 0) {
    const reason =
      result.code === "ENOENT" ? "gcloud is not installed" : `gcloud exited with ${result.exitCode}`;
    throw new PlatformError("build.cloud-build", `Failed to build with Cloud Build: ${reason}.`, {
      hint: "Check `gcloud auth list` and that the Cloud Build API is enabled; the build log is above.",
    });
  }
  return parseBuildResult(result.stdout);
}

export function parseBuildResult(stdout: string): CloudBuildResult {
  let build: { id?: string; results?: { images?: { name?: string; digest?: string }[] } };
  try {
    build = JSON.parse(stdout);
  } catch {
    throw new PlatformError(
      "build.cloud-build-output",
      "Failed to read the Cloud Build result: gcloud did not print JSON.",
    );
  }
  const image = build.results?.images?.find(
    (candidate) => candidate.digest && DIGEST_PATTERN.test(candidate.digest),
  );
  if (!image?.digest || !image.name) {
    throw new PlatformError(
      "build.no-digest",
      "Failed to read the pushed image digest from the Cloud Build result.",
      {
        hint: "The Cloud Build file (layout.cloudbuild) must list the pushed image under `images:` so Cloud Build records its digest.",
      },
    );
  }
  const repository = image.name.replace(/:[^/:]+$/, "");
  return { imageRef: `${repository}@${image.digest}`, digest: image.digest, buildId: build.id };
}
