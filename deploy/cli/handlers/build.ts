import { buildImage } from "../../build/build-image.js";
import { submitCloudBuild } from "../../build/cloud-build.js";
import { parseFault } from "../../build/faults.js";
import { pruneImages } from "../../build/image-prune.js";
import {
  DEFAULT_BASE_IMAGE,
  type PushedImage,
  parsePushRepository,
  pushImage,
} from "../../build/push-image.js";
import { googleRegistryCredentials } from "../../build/registry-credentials.js";
import { resolveBuildVersion } from "../../build/version.js";
import { ConfigError, messageOf, UsageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { localImageReferences } from "../../platform/cloudrun/local-image-references.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { buildShape } from "../commands/build.js";

export async function run(args: ArgsOf<typeof buildShape>, ctx: CommandContext): Promise<number> {
  const fault = parseFault(args.fault);
  if (args.cloud) {
    if (args.push)
      throw new UsageError("Pass --cloud or --push, not both: Cloud Build pushes its own image.");
    return runCloud(args.env, ctx);
  }
  if (args.base && !args.push) throw new UsageError("--base is the base image of --push; pass --push too.");
  if (args.push) parsePushRepository(args.push);
  if (fault) ctx.output.warn(`building with demo fault "${fault}": the smoke gate must refuse this artifact`);

  // buildImage reports bundle → version → store in that order; each step opens when the one before closes.
  const next = { bundle: "resolve version", version: "store image" } as const;
  let open = ctx.output.step("bundle server");
  let image: Awaited<ReturnType<typeof buildImage>>;
  try {
    image = await buildImage({
      projectDir: ctx.project.dir,
      settings: await ctx.project.requireSettings(),
      layout: await ctx.project.layout(),
      ...(fault ? { fault } : {}),
      onStep: (step, detail) => {
        open.done(detail);
        if (step !== "store") open = ctx.output.step(next[step]);
      },
    });
  } catch (error) {
    open.fail(messageOf(error));
    throw error;
  }
  let pushed: PushedImage | undefined;
  if (args.push) {
    let open = ctx.output.step("base image");
    try {
      pushed = await pushImage({
        projectDir: ctx.project.dir,
        localDigest: image.digest,
        repository: args.push,
        base: args.base ?? (await ctx.project.requireSettings()).build.baseImage ?? DEFAULT_BASE_IMAGE,
        credentials: googleRegistryCredentials((secret) => ctx.redactor.add(secret)),
        signal: ctx.signal,
        onStep: (step, detail) => {
          open.done(detail);
          if (step === "base") open = ctx.output.step("push");
        },
      });
    } catch (error) {
      open.fail(messageOf(error));
      throw error;
    }
  }
  const pruned = args.prune ? await prune(ctx) : undefined;
  ctx.output.result(
    {
      ok: true,
      ...(pruned ? { pruned } : {}),
      digest: pushed?.digest ?? image.digest,
      imageRef: pushed?.imageRef ?? image.imageRef,
      ...(pushed
        ? {
            localDigest: image.digest,
            base: pushed.base,
            layerBytes: pushed.layerBytes,
            uploadedBlobs: pushed.uploadedBlobs,
            reusedBlobs: pushed.reusedBlobs,
          }
        : {}),
      version: image.version,
      gitSha: image.gitSha,
      entry: image.entry,
      mode: image.mode,
      reused: image.reused,
      ...(fault ? { fault } : {}),
    },
    (data, style) =>
      [
        `${style.green(pushed ? "pushed" : "built")} ${data.imageRef}${data.reused ? style.dim(" (identical image already stored)") : ""}`,
        ...(pushed ? [`  base    ${pushed.base}`, `  local   ${image.digest}`] : []),
        `  version ${style.bold(data.version)}`,
        `  entry   ${data.entry}`,
        `  mode    ${data.mode}${data.mode === "installed-deps" ? style.dim(" (bundled code + installed node_modules)") : ""}`,
        ...(pruned
          ? [
              `  pruned  ${pruned.deleted.length} image(s) deleted, ${pruned.kept} kept ${style.dim(`(the newest ${pruned.keepNewest} and ${pruned.referenced} the emulator's revisions and gate records use)`)}`,
            ]
          : []),
      ].join("\n"),
  );
  return ExitCode.ok;
}

async function runCloud(name: string | undefined, ctx: CommandContext): Promise<number> {
  if (!name)
    throw new UsageError("--cloud needs --env <name> for the project, region and service to build for.");
  const environment = await ctx.project.environment(name);
  const layout = await ctx.project.layout();
  const settings = await ctx.project.requireSettings();
  const { version } = await resolveBuildVersion(ctx.project.dir, settings.version, layout.workingDir);
  const cloudbuild = layout.cloudbuild?.path;
  const result = await ctx.output.run(
    "cloud build",
    () =>
      submitCloudBuild({
        projectDir: ctx.project.dir,
        project: environment.config.service.project,
        region: environment.config.service.regions[0]!,
        service: environment.config.service.name,
        environment: name,
        version,
        ...(cloudbuild ? { config: cloudbuild } : {}),
        signal: ctx.signal,
      }),
    { data: { environment: name }, done: (submitted) => submitted.digest },
  );
  ctx.output.result({ ok: true, ...result, version }, (data, style) =>
    [`${style.green("pushed")} ${data.imageRef}`, `  version ${style.bold(data.version)}`].join("\n"),
  );
  return ExitCode.ok;
}

/**
 * Deletes old images from .echogate/images/: keeps the newest `build.keepImages` and every image a
 * revision or gate record of the local emulator refers to (it asks the emulator, so a plain build
 * never starts it).
 */
async function prune(ctx: CommandContext) {
  const step = ctx.output.step("prune images");
  const keepNewest = (await ctx.project.requireSettings()).build.keepImages;
  const environments = await ctx.project.environments().then(
    (loaded) => loaded.environments,
    (error: unknown) => {
      if (error instanceof ConfigError && error.code === "config.no-environments") return [];
      throw error;
    },
  );
  const referenced = await localImageReferences(ctx.platform, environments);
  const { deleted, kept } = await pruneImages(ctx.project.dir, referenced, keepNewest);
  step.done(`${deleted.length} deleted, ${kept} kept`);
  return { deleted: deleted.map((image) => image.digest), kept, keepNewest, referenced: referenced.size };
}
