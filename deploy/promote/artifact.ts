import { DIGEST_PATTERN, digestFromImageRef } from "@echogate/common/image-manifest";
import { buildImage } from "../build/build-image.js";
import type { FaultName } from "../build/faults.js";
import { cloudRunPullProblem, parseImageReference } from "../build/image-reference.js";
import { findImage } from "../build/image-store.js";
import type { LoadedEnvironment } from "../config/load-environments.js";
import { CheckFailedError, ConfigError, UsageError } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { shellCommand } from "../core/shell-quote.js";
import { gateOf, readGateRecords } from "../model/gate-records.js";
import { readLock } from "../model/lock.js";
import type { CloudRunAdapter } from "../platform/cloudrun/adapter.js";
import { formatTraffic } from "../platform/cloudrun/service-model.js";
import type { Project } from "../project/project.js";
import type { Artifact } from "./artifact-types.js";
import { currentSplit } from "./traffic-analysis.js";

/** `sha256:<hex>` or `<name>@sha256:<hex>`. */
export function parseImageArg(value: string): string {
  const digest = DIGEST_PATTERN.test(value) ? value : digestFromImageRef(value);
  if (!digest) {
    throw new UsageError(`Can't use --image ${value}: it is not pinned by digest.`, {
      hint: "Pass sha256:<64 hex> or <name>@sha256:<64 hex> (`echogate build` prints it); tags like :latest are refused.",
    });
  }
  return digest;
}

/**
 * Google's Cloud Run pulls the image from a registry: an image only in the local store (what
 * `deploy` without --image builds, or a bare digest) or on a registry Cloud Run doesn't pull from is
 * refused before any API call, naming the commands that give a registry image.
 */
export function assertPullableByCloudRun(environment: string, imageRef: string | undefined): void {
  const problem = imageRef
    ? cloudRunPullProblem(imageRef)
    : "it would build an image into the local store only";
  if (!problem) return;
  const what = imageRef ? `image ${imageRef}` : "a local build";
  throw new UsageError(`Can't deploy ${what} to ${environment} on Google: ${problem}.`, {
    hint: `Push the build to Artifact Registry first: \`${shellCommand(["echogate", "build", "--push", "REGION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE"])}\` (or \`${shellCommand(["echogate", "build", "--cloud", "--env", environment])}\`), then pass the printed REGISTRY/…@sha256:… as --image (\`echogate deploy\`, \`echogate preview deploy\`).`,
  });
}

/**
 * The artifact named by --image: from the local store (its manifest knows the version), or, for an
 * image pushed elsewhere (Cloud Build), the full reference plus the version it was built with.
 * Refused before any API call when neither is known.
 */
export async function artifactFromImage(
  projectDir: string,
  imageArg: string,
  digest: string,
  version: string | undefined,
): Promise<Artifact> {
  const manifest = await findImage(projectDir, digest);
  if (manifest && version && version !== manifest.version) {
    throw new UsageError(`Can't use --version ${version}: image ${digest} was built as ${manifest.version}.`);
  }
  if (manifest && parseImageReference(imageArg).registry) {
    // Pushed with `build --push`: the store knows its version; Cloud Run pulls the registry copy.
    return {
      digest,
      imageRef: imageArg,
      version: manifest.version,
      gitSha: manifest.gitSha,
      source: "image",
    };
  }
  if (manifest || !version) return artifactFromStore(projectDir, digest);
  if (!imageArg.includes("@")) {
    throw new UsageError(`Can't deploy ${imageArg} from a registry without its repository.`, {
      hint: "Pass the full reference REGION-docker.pkg.dev/PROJECT/REPO/NAME@sha256:… that Cloud Build printed.",
    });
  }
  return { digest, imageRef: imageArg, version, gitSha: version.split("+")[1] ?? "", source: "image" };
}

/** An image from the local store, by digest; refused before any API call when it isn't there. */
async function artifactFromStore(projectDir: string, digest: string): Promise<Artifact> {
  const manifest = await findImage(projectDir, digest);
  if (!manifest) {
    throw new ConfigError("promote.image-missing", `Can't find image ${digest} in .echogate/images/.`, {
      hint: "Run `echogate build` and pass the digest it prints, or omit --image to build now. For an image pushed by Cloud Build, also pass --version <the version it was built with>.",
    });
  }
  return {
    digest: manifest.digest,
    imageRef: `local/${manifest.name}@${manifest.digest}`,
    version: manifest.version,
    gitSha: manifest.gitSha,
    source: "image",
  };
}

export async function artifactFromBuild(
  project: Project,
  output: Output,
  fault: FaultName | undefined,
): Promise<Artifact> {
  const built = await output.run(
    "Build image",
    async (step) =>
      buildImage({
        projectDir: project.dir,
        settings: await project.requireSettings(),
        layout: await project.layout(),
        ...(fault ? { fault } : {}),
        onStep: (name, detail) => step.update(name === "bundle" ? `bundled ${detail}` : `${name}: ${detail}`),
      }),
    { done: (built) => `${built.version} ${built.digest}${built.reused ? " (already stored)" : ""}` },
  );
  return {
    digest: built.digest,
    imageRef: built.imageRef,
    version: built.version,
    gitSha: built.gitSha,
    source: "build",
  };
}

/**
 * What `promote` may ship: the digest recorded as passed on the revision that serves all of the
 * source environment's traffic. Anything else is refused.
 */
export async function artifactFromSource(
  source: LoadedEnvironment,
  adapter: CloudRunAdapter,
  target: string,
  requestedDigest: string | undefined,
): Promise<Artifact> {
  const name = source.config.service.name;
  const loaded = await adapter.getService(name);
  const refuse = (why: string, hint: string) =>
    new CheckFailedError("promote.not-gated", `Can't promote to ${target}: ${why}.`, { hint });
  if (!loaded) {
    throw refuse(
      `${source.name} (${name}) has no service yet`,
      `Deploy ${source.name} first: \`${shellCommand(["echogate", "deploy", source.name])}\`.`,
    );
  }
  const records = readGateRecords(loaded.snapshot.annotations);
  const split = currentSplit(loaded.snapshot, records);
  const serving = split.length === 1 && split[0]!.percent === 100 ? split[0]!.revision : undefined;
  if (!serving) {
    throw refuse(
      `${source.name} is not served by one revision (${formatTraffic(split)})`,
      `Finish or roll back the rollout in ${source.name} first (\`echogate status\`).`,
    );
  }
  const gate = gateOf(records, serving);
  if (gate?.result !== "passed" || gate.rolledBackAt) {
    throw refuse(
      `${source.name} serves ${serving}, whose gate ${gate ? (gate.rolledBackAt ? "was rolled back" : "failed") : "never ran"}`,
      `Deploy a build to ${source.name} that passes its gate, then promote.`,
    );
  }
  // A deploy killed (or still running) after its candidate passed has shifted traffic without the
  // check on the service URL: its record says `candidate` and its lock is still on the service.
  const lock = readLock(loaded.snapshot.annotations);
  if (lock || (gate.stage !== undefined && gate.stage !== "service")) {
    throw refuse(
      `${source.name}'s deploy of ${serving} has not finished${lock ? ` (its lock is held by \`${lock.command || "echogate"}\`, pid ${lock.pid} on ${lock.host})` : ""}: the check on ${source.name}'s service URL ${gate.stage === "service" ? "passed, but the deploy did not release its lock" : "never ran"}`,
      `Let the deploy finish, or re-run it to complete it: \`${shellCommand(["echogate", "deploy", source.name, "--image", gate.digest])}\`.`,
    );
  }
  if (requestedDigest && requestedDigest !== gate.digest) {
    throw refuse(
      `${requestedDigest} did not pass ${source.name}'s gate (${source.name} serves ${gate.digest}, version ${gate.version})`,
      `Deploy that digest to ${source.name} first (\`${shellCommand(["echogate", "deploy", source.name, "--image", requestedDigest])}\`), or omit --image.`,
    );
  }
  const revision = await adapter.getRevision(name, serving);
  const imageRef =
    revision?.image && digestFromImageRef(revision.image) === gate.digest ? revision.image : undefined;
  if (!imageRef) {
    throw refuse(
      `revision ${serving} in ${source.name} does not run the recorded digest ${gate.digest}`,
      `Re-deploy ${source.name} with echogate so the record and the revision agree.`,
    );
  }
  return {
    digest: gate.digest,
    imageRef,
    version: gate.version,
    gitSha: revision?.annotations["echogate.dev/git-sha"] ?? "",
    source: "promotes-from",
    from: { environment: source.name, revision: serving, passedAt: gate.at },
  };
}
