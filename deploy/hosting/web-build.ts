import { join } from "node:path";
import type { WebMode } from "../config/environment-schema.js";
import type { LoadedEnvironment } from "../config/load-environments.js";
import { CheckFailedError, ConfigError, firstLineOf } from "../core/errors.js";
import type { ReadFrontEnd } from "./read-front-end.js";
import { webDigest } from "./template/digest.js";
import { checkEquivalence } from "./template/equivalence.js";
import { newNonce, placeholdersFor } from "./template/placeholders.js";
import { runWebBuild } from "./template/run-build.js";
import { findSourceReferences } from "./template/source-references.js";
import { type BuildFile, SubstitutionRefused, substitute } from "./template/substitute.js";
import { verifyPlaceholders } from "./template/verify-placeholders.js";
import { loadWeb, type StoredWeb, saveWeb, workspaceNonce } from "./template/web-store.js";
import type { WebPair } from "./web-pairs.js";

// The web files one environment deploys in a build-time mode: the shared template with this
// environment's values substituted (template), or its own rebuild proven equivalent to the gated
// one (rebuild). Either way production's bytes trace back to what passed staging's pair gate.

export interface BuiltWeb {
  mode: Exclude<WebMode, "runtime-config">;
  files: BuildFile[];
  /** Template digest (template) or build digest (rebuild): recorded with the release. */
  digest: string;
  nonce?: string;
  /** What this build was compared against, for the report. */
  provenance: string;
}

export interface WebBuildInput {
  projectDir: string;
  environment: LoadedEnvironment;
  /** This environment's public values, `${SERVICE_URL}` already resolved. */
  values: Readonly<Record<string, string>>;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Promotion: the pair upstream's pair gate passed (its digest is what this build must trace to). */
  upstream?: { environment: string; pair: WebPair };
  step: (name: string) => { done(detail?: string): void; fail(detail?: string): void };
  /** The detected front end: its framework's build caches and hints. */
  frontEnd?: ReadFrontEnd;
}

export async function buildWebFor(input: WebBuildInput): Promise<BuiltWeb> {
  const hosting = input.environment.config.hosting!;
  const mode = hosting.mode;
  if (mode === "runtime-config") throw new Error("runtime-config builds are read, not built");
  if (!hosting.build)
    throw new ConfigError(
      "web.no-build-command",
      `Can't build ${input.environment.name}'s web front end in mode ${mode}: hosting.build.command is not set.`,
      {
        location: input.environment.locate(["hosting", "mode"]),
        hint: `Add hosting: { build: { command: ${JSON.stringify(input.frontEnd?.buildCommand ?? "npm run build")} } } to ${input.environment.file} (the command must write into hosting.publicDir).`,
      },
    );
  if (input.upstream && input.upstream.pair.mode !== mode)
    throw new ConfigError(
      "web.mode-mismatch",
      `Can't promote the web front end: ${input.upstream.environment} released it in mode ${input.upstream.pair.mode}, ${input.environment.name} uses ${mode}.`,
      {
        location: input.environment.locate(["hosting", "mode"]),
        hint: "Use the same hosting.mode in both environments, then deploy the upstream web again.",
      },
    );
  return mode === "template" ? templateWeb(input) : rebuildWeb(input);
}

async function templateWeb(input: WebBuildInput): Promise<BuiltWeb> {
  const upstream = input.upstream?.pair;
  let template: StoredWeb | undefined;
  if (upstream?.digest) {
    const load = input.step(`template ${upstream.digest.slice(0, 12)} from ${input.upstream!.environment}`);
    template = await loadWeb(input.projectDir, "template", upstream.digest);
    if (template) load.done("found in .echogate/web");
    else {
      load.done("not in this workspace: rebuilding it from this commit");
      if (!upstream.nonce)
        throw new ConfigError(
          "web.no-template",
          `Can't find template ${upstream.digest} and it records no nonce to rebuild it with.`,
          {
            hint: `Run \`echogate web deploy ${input.upstream!.environment}\` again, then promote.`,
          },
        );
      template = await buildTemplate(input, upstream.nonce, Object.keys(input.values));
    }
    if (template.digest !== upstream.digest)
      throw new CheckFailedError(
        "web.template-digest",
        `Can't promote the web front end: this commit builds template ${template.digest}, but ${input.upstream!.environment}'s pair gate passed ${upstream.digest}.`,
        {
          hint: `Promote from the commit ${input.upstream!.environment} was built from (or make the build deterministic), or deploy ${input.upstream!.environment}'s web again first.`,
        },
      );
  } else {
    template = await buildTemplate(
      input,
      await workspaceNonce(input.projectDir, newNonce),
      Object.keys(input.values),
    );
  }
  const place = input.step(`substitute ${input.environment.name}'s public values`);
  let files: BuildFile[];
  try {
    files = substitute(template.files, template.placeholders ?? {}, input.values, template.nonce ?? "");
  } catch (error) {
    if (!(error instanceof SubstitutionRefused)) throw error;
    place.fail(`${error.file}: ${error.key}`);
    throw new ConfigError(
      "web.substitution",
      `Can't put ${error.key} into the ${input.environment.name} web build: ${error.message}.`,
      {
        location: { file: `environments/${input.environment.config.service.envFile}`, keyPath: error.key },
        hint: "Change the value (no quotes, backslashes or angle brackets where the build can't escape them), or use it from a string literal in the source.",
      },
    );
  }
  place.done(
    `${Object.keys(template.placeholders ?? {}).length} value(s) into template ${template.digest.slice(0, 12)}`,
  );
  return {
    mode: "template",
    files,
    digest: template.digest,
    ...(template.nonce ? { nonce: template.nonce } : {}),
    provenance: upstream
      ? `template ${template.digest} that passed ${input.upstream!.environment}'s pair gate`
      : `template ${template.digest}`,
  };
}

/** The environment's `hosting.build` command with these public values; its step fails with the first line of the error. */
async function runHostingBuild(
  input: WebBuildInput,
  vars: Readonly<Record<string, string>>,
  step: ReturnType<WebBuildInput["step"]>,
): Promise<BuildFile[]> {
  const hosting = input.environment.config.hosting!;
  try {
    return await runWebBuild({
      projectDir: input.projectDir,
      command: hosting.build!.command,
      timeoutS: hosting.build!.timeoutS,
      outDir: join(input.projectDir, hosting.publicDir),
      shownOutDir: hosting.publicDir,
      vars,
      env: input.env,
      ...(input.signal ? { signal: input.signal } : {}),
      ...frameworkBuild(input.frontEnd),
    });
  } catch (error) {
    step.fail(firstLineOf(error));
    throw error;
  }
}

async function buildTemplate(
  input: WebBuildInput,
  nonce: string,
  keys: readonly string[],
): Promise<StoredWeb> {
  const hosting = input.environment.config.hosting!;
  const placeholders = placeholdersFor(keys, nonce);
  const step = input.step(`build the template (${hosting.build!.command})`);
  const outDir = join(input.projectDir, hosting.publicDir);
  const files = await runHostingBuild(input, placeholders, step);
  const references = await findSourceReferences(input.projectDir, keys, outDir);
  const problems = verifyPlaceholders({ files, placeholders, nonce, references });
  if (problems.length > 0) {
    step.fail(`${problems.length} placeholder(s) mangled`);
    const first = problems[0]!;
    throw new CheckFailedError(
      "web.placeholder-mangled",
      `Can't use the template build: ${problems.map((p) => `${p.key} in ${p.file}: ${p.reason}`).join("; ")}.`,
      {
        location: { file: first.file.replace(/^\//, `${hosting.publicDir}/`) },
        hint: `Use ${first.key} as a whole string (no slicing, case changes or hashing at build time), or set hosting.mode: rebuild (or runtime-config) in ${input.environment.file}. Nothing was uploaded.`,
        details: { problems },
      },
    );
  }
  const digest = webDigest(files, placeholders);
  await saveWeb(input.projectDir, { digest, kind: "template", placeholders, nonce, files });
  step.done(
    `template ${digest.slice(0, 12)}, ${files.length} files, ${Object.keys(placeholders).length} placeholder(s)`,
  );
  return { digest, kind: "template", placeholders, nonce, files };
}

async function rebuildWeb(input: WebBuildInput): Promise<BuiltWeb> {
  const hosting = input.environment.config.hosting!;
  const upstream = input.upstream;
  const gated = upstream?.pair.digest
    ? await loadWeb(input.projectDir, "build", upstream.pair.digest)
    : undefined;
  if (upstream && !gated)
    throw new ConfigError(
      "web.gated-build-missing",
      `Can't check the ${input.environment.name} rebuild: ${upstream.environment}'s gated build ${upstream.pair.digest ?? "(unrecorded)"} is not in this workspace (.echogate/web/builds).`,
      {
        hint: `Promote from the workspace (or CI cache of .echogate/web) that ran \`echogate web deploy ${upstream.environment}\`, or run it again here first.`,
      },
    );
  const step = input.step(`build for ${input.environment.name} (${hosting.build!.command})`);
  const files = await runHostingBuild(input, input.values, step);
  const digest = webDigest(files);
  step.done(`build ${digest.slice(0, 12)}, ${files.length} files`);
  if (gated) {
    const check = input.step(`equivalence with ${upstream!.environment}'s gated build`);
    const result = checkEquivalence({
      gated: { files: gated.files, values: gated.values ?? {} },
      candidate: { files, values: input.values },
    });
    if (!result.equivalent) {
      const difference = result.difference!;
      check.fail(`${difference.file} byte ${difference.offset}`);
      throw new CheckFailedError(
        "web.not-equivalent",
        `Can't promote the ${input.environment.name} web build: ${hosting.publicDir}${difference.file} ${difference.reason} (first difference at byte ${difference.offset}${difference.gatedFile && difference.gatedFile !== difference.file ? `, compared with ${difference.gatedFile}` : ""}).`,
        {
          location: { file: `${hosting.publicDir}${difference.file}` },
          hint: `Build from the commit and dependencies ${upstream!.environment} was built from, and make the build deterministic; nothing was uploaded.`,
          details: { difference },
        },
      );
    }
    check.done(
      `${result.files} files equal except the public values (${result.renamed} renamed by content hash)`,
    );
  }
  await saveWeb(input.projectDir, { digest, kind: "build", values: { ...input.values }, files });
  return {
    mode: "rebuild",
    files,
    digest,
    provenance: upstream
      ? `rebuild equivalent to ${upstream.environment}'s gated build ${upstream.pair.digest}`
      : `build ${digest}`,
  };
}

/** The framework's caches (relative to the project) and how it sets its output directory. */
function frameworkBuild(frontEnd: ReadFrontEnd | undefined): {
  buildCaches?: string[];
  outDirSetting?: string;
} {
  if (!frontEnd) return {};
  return {
    buildCaches: frontEnd.buildCaches.map((path) =>
      frontEnd.dir === "." ? path : `${frontEnd.dir}/${path}`,
    ),
    ...(frontEnd.outDirSetting ? { outDirSetting: frontEnd.outDirSetting } : {}),
  };
}
