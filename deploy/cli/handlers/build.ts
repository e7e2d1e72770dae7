import { buildImage } from "../../build/build-image.js";
import { submitCloudBuild } from "../../build/cloud-build.js";
import { parseFault } from "../../build/faults.js";
import { resolveBuildVersion } from "../../build/version.js";
import { loadEnvironment } from "../../config/load-environments.js";
import { UsageError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { loadProjectLayout } from "../../source/project-layout.js";
import type { CommandContext } from "../command.js";

export async function run(ctx: CommandContext): Promise<number> {
  const fault = parseFault(ctx.options.fault as string | undefined);
  if (ctx.options.cloud) return runCloud(ctx);
  if (fault) ctx.output.warn(`building with demo fault "${fault}": the smoke gate must refuse this artifact`);

  const steps = {
    version: ctx.output.step("resolve version"),
    bundle: undefined as ReturnType<typeof ctx.output.step> | undefined,
  };
  const image = await buildImage({
    projectDir: ctx.cwd,
    ...(fault ? { fault } : {}),
    onStep: (step, detail) => {
      if (step === "version") {
        steps.version.done(detail);
        steps.bundle = ctx.output.step("bundle server");
      } else if (step === "bundle") steps.bundle?.done(detail);
    },
  });
  ctx.output.result(
    {
      ok: true,
      digest: image.digest,
      imageRef: image.imageRef,
      version: image.version,
      gitSha: image.gitSha,
      entry: image.entry,
      mode: image.mode,
      reused: image.reused,
      ...(fault ? { fault } : {}),
    },
    (data, style) =>
      [
        `${style.green("built")} ${data.imageRef}${data.reused ? style.dim(" (identical image already stored)") : ""}`,
        `  version ${style.bold(data.version)}`,
        `  entry   ${data.entry}`,
        `  mode    ${data.mode}${data.mode === "installed-deps" ? style.dim(" (bundled code + installed node_modules)") : ""}`,
      ].join("\n"),
  );
  return ExitCode.ok;
}

async function runCloud(ctx: CommandContext): Promise<number> {
  const name = ctx.options.env as string | undefined;
  if (!name)
    throw new UsageError("--cloud needs --env <name> for the project, region and service to build for.");
  const environment = await loadEnvironment(ctx.cwd, name);
  const { version } = await resolveBuildVersion(ctx.cwd);
  const cloudbuild = (await loadProjectLayout(ctx.cwd)).cloudbuild?.path;
  const step = ctx.output.step("cloud build", { environment: name });
  const result = await submitCloudBuild({
    projectDir: ctx.cwd,
    project: environment.config.service.project,
    region: environment.config.service.regions[0]!,
    service: environment.config.service.name,
    environment: name,
    version,
    ...(cloudbuild ? { config: cloudbuild } : {}),
    signal: ctx.signal,
  });
  step.done(result.digest);
  ctx.output.result({ ok: true, ...result, version }, (data, style) =>
    [`${style.green("pushed")} ${data.imageRef}`, `  version ${style.bold(data.version)}`].join("\n"),
  );
  return ExitCode.ok;
}
