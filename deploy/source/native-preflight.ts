import { posix } from "node:path";
import {
  commandWords,
  type DockerInstruction,
  type DockerStage,
  shellWords,
  simpleCommands,
} from "./dockerfile-parser.js";
import { hasBundledPrebuilt, type LinuxTarget, type NativeAddon } from "./native-addons.js";

export interface PreflightFinding {
  code:
    | "native.ignore-scripts"
    | "native.no-toolchain"
    | "native.prebuilt-download"
    | "native.bundled"
    | "native.runtime-without-node-modules"
    | "native.omit-optional";
  severity: "error" | "warning";
  line: number;
  message: string;
  hint: string;
}

const SLIM_BASE = /(?:^|[-:/@])(?:slim|alpine|distroless)|distroless/i;
const TOOLCHAIN = {
  python: /^python3?(?:[.=-].*)?$/,
  make: /^make$/,
  compiler: /^(?:g\+\+|gcc-c\+\+|clang)$/,
};
const TOOLCHAIN_BUNDLES = /^(?:build-essential|build-base|alpine-sdk|\.build-deps)$/;
const BUNDLERS = ["esbuild", "webpack", "rollup", "ncc", "parcel", "tsup"];

/** One package-manager install found in a RUN. */
interface InstallRun {
  instruction: DockerInstruction;
  words: string[];
}

/**
 * Rules over a parsed Dockerfile and the project's native addons (pure): can this Dockerfile
 * build the addons and carry them into the image that runs? Every finding names a line.
 */
export function nativePreflight(
  stages: readonly DockerStage[],
  addons: readonly NativeAddon[],
): PreflightFinding[] {
  if (addons.length === 0 || stages.length === 0) return [];
  const names = addons.map((addon) => addon.name);
  const listed = names.join(", ");
  const findings: PreflightFinding[] = [];

  for (const stage of stages) {
    const steps = lineage(stages, stage);
    for (const install of installRuns(stage)) {
      const rebuiltLater = steps.some((step) => step.line >= install.instruction.line && isRebuild(step));
      if (install.words.includes("--ignore-scripts") && !rebuiltLater) {
        findings.push({
          code: "native.ignore-scripts",
          severity: "error",
          line: install.instruction.line,
          message: `\`--ignore-scripts\` skips the install scripts that build or download ${listed}; the image would start without its native binary.`,
          hint: `Drop --ignore-scripts here, or follow it with \`RUN npm rebuild ${names.join(" ")}\` in this stage.`,
        });
      } else if (isSlim(stage, stages) && !hasToolchain(steps, install.instruction.line)) {
        findings.push(...toolchainFindings(addons, stage, stages, install.instruction.line));
      }
      if (install.words.some((word) => word === "--no-optional" || word === "--omit=optional")) {
        findings.push({
          code: "native.omit-optional",
          severity: "warning",
          line: install.instruction.line,
          message: `Optional dependencies are skipped here; native packages often ship their prebuilt binaries as optional dependencies (${listed}).`,
          hint: "Keep optional dependencies in the install that feeds the runtime image.",
        });
      }
    }
    for (const instruction of stage.instructions.filter((i) => i.keyword === "RUN")) {
      const inlined = bundlerInlining(instruction, names);
      if (inlined.length > 0) {
        findings.push({
          code: "native.bundled",
          severity: "error",
          line: instruction.line,
          message: `This bundler step would inline ${inlined.join(", ")}, a native addon: its .node binary can't be bundled and the bundle fails at run time.`,
          hint: `Mark it external (esbuild: \`--external:${inlined[0]}\` or \`--packages=external\`) and ship node_modules in the runtime stage.`,
        });
      }
    }
  }

  const runtime = stages.at(-1)!;
  if (!carriesNodeModules(stages, runtime)) {
    findings.push({
      code: "native.runtime-without-node-modules",
      severity: "error",
      line: runtime.line,
      message: `The runtime stage (${runtime.base}) has no node_modules, so ${listed} can't be loaded when the server starts.`,
      hint: "Install the production dependencies in this stage, or `COPY --from=<install stage> /app/node_modules ./node_modules`.",
    });
  }
  return findings;
}

/**
 * A slim install stage without a toolchain: an addon that must compile there is an error; one that
 * downloads a published prebuilt at install time is a warning (which targets the publisher released
 * can't be known offline); one shipping a prebuilt for the image's target in its package is fine.
 */
function toolchainFindings(
  addons: readonly NativeAddon[],
  stage: DockerStage,
  stages: readonly DockerStage[],
  line: number,
): PreflightFinding[] {
  const base = baseImage(stage, stages);
  const target: LinuxTarget = { arch: "x64", libc: /alpine/i.test(base) ? "musl" : "glibc" };
  const label = `linux-${target.libc}-${target.arch}`;
  const needing = addons.filter((addon) => addon.compiles && !hasBundledPrebuilt(addon, target));
  const compiling = needing.filter((addon) => addon.prebuilt?.kind !== "download");
  const downloading = needing.filter((addon) => addon.prebuilt?.kind === "download");
  const hint = /alpine/i.test(base)
    ? "Add `RUN apk add --no-cache python3 make g++` before the install, or use a full (non-alpine) Node base for the install stage."
    : "Add `RUN apt-get update && apt-get install -y python3 make g++` before the install, or install in a full `node:<version>` stage and copy node_modules into the slim one.";
  const findings: PreflightFinding[] = [];
  if (compiling.length > 0) {
    findings.push({
      code: "native.no-toolchain",
      severity: "error",
      line,
      message: `${compiling.map((addon) => addon.name).join(", ")} compiles from source (no prebuilt binary for ${label} in the package, none downloaded), but this stage's base (${stage.base}) has no python3, make and g++.`,
      hint,
    });
  }
  for (const addon of downloading) {
    const prebuilt = addon.prebuilt as Extract<NativeAddon["prebuilt"], { kind: "download" }>;
    findings.push({
      code: "native.prebuilt-download",
      severity: "warning",
      line,
      message: `${addon.name} downloads a prebuilt binary for ${label} at install (${prebuilt.tool}${prebuilt.napi ? ", N-API: any Node version" : `, built per Node version: the base's Node must be one the ${addon.name}@${addon.version} release covers`}); if none is published it compiles, and ${stage.base} has no python3, make and g++.`,
      hint,
    });
  }
  return findings;
}

/** A stage's instructions with those of the earlier stages it is built FROM. */
function lineage(stages: readonly DockerStage[], stage: DockerStage, depth = 0): DockerInstruction[] {
  const parent = depth < 16 ? parentOf(stages, stage) : undefined;
  return [...(parent ? lineage(stages, parent, depth + 1) : []), ...stage.instructions];
}

function parentOf(stages: readonly DockerStage[], stage: DockerStage): DockerStage | undefined {
  return stages
    .slice(0, stage.index)
    .find(
      (candidate) =>
        candidate.name?.toLowerCase() === stage.base.toLowerCase() || String(candidate.index) === stage.base,
    );
}

function baseImage(stage: DockerStage, stages: readonly DockerStage[]): string {
  let current = stage;
  for (let depth = 0; depth < 16; depth++) {
    const parent = parentOf(stages, current);
    if (!parent) return current.base;
    current = parent;
  }
  return current.base;
}

function isSlim(stage: DockerStage, stages: readonly DockerStage[]): boolean {
  return SLIM_BASE.test(baseImage(stage, stages));
}

function runCommands(instruction: DockerInstruction): string[][] {
  if (instruction.keyword !== "RUN") return [];
  const { form, words } = commandWords(instruction.args);
  return form === "exec" ? [words] : simpleCommands(shellWords(words.join(" ")));
}

function installRuns(stage: DockerStage): InstallRun[] {
  const runs: InstallRun[] = [];
  for (const instruction of stage.instructions) {
    for (const words of runCommands(instruction)) {
      const tool = posix.basename(words[0] ?? "");
      const sub = words.find((word, index) => index > 0 && !word.startsWith("-"));
      const installs =
        (tool === "npm" && (sub === "ci" || sub === "install" || sub === "i")) ||
        ((tool === "yarn" || tool === "pnpm") && (sub === undefined || sub === "install"));
      if (installs && !words.includes("-g") && !words.includes("--global")) runs.push({ instruction, words });
    }
  }
  return runs;
}

function isRebuild(instruction: DockerInstruction): boolean {
  return runCommands(instruction).some(
    (words) =>
      posix.basename(words[0] ?? "") === "npm" && (words.includes("rebuild") || words.includes("rb")),
  );
}

/** python3, make and a C++ compiler installed (apt-get/apk/yum) before `beforeLine`. */
function hasToolchain(steps: readonly DockerInstruction[], beforeLine: number): boolean {
  const packages = steps
    .filter((step) => step.line < beforeLine)
    .flatMap(runCommands)
    .filter((words) =>
      ["apt-get", "apt", "apk", "yum", "dnf", "microdnf"].includes(posix.basename(words[0] ?? "")),
    )
    .flatMap((words) => words.slice(1));
  if (
    packages.some((name) => TOOLCHAIN_BUNDLES.test(name)) &&
    packages.some((name) => TOOLCHAIN.python.test(name))
  )
    return true;
  return Object.values(TOOLCHAIN).every((pattern) => packages.some((name) => pattern.test(name)));
}

/** Native addons a bundler RUN would inline: bundling without marking them (or all packages) external. */
function bundlerInlining(instruction: DockerInstruction, names: readonly string[]): string[] {
  for (const words of runCommands(instruction)) {
    const at = words.findIndex((word) => BUNDLERS.includes(posix.basename(word)));
    if (at < 0) continue;
    const tool = posix.basename(words[at]!);
    const args = words.slice(at + 1);
    if (tool === "esbuild" && !args.includes("--bundle")) continue;
    if (args.some((arg) => arg === "--packages=external" || arg === "--packages")) return [];
    const external = new Set(
      args.flatMap((arg) => {
        const match = /^(?:--external[:=]|-e=?|--externals?=)(.+)$/.exec(arg);
        return match?.[1] ? match[1].split(",") : [];
      }),
    );
    return names.filter((name) => !external.has(name) && !external.has("*"));
  }
  return [];
}

/** The last stage installs dependencies itself, inherits a stage that did, or copies node_modules in. */
function carriesNodeModules(stages: readonly DockerStage[], runtime: DockerStage): boolean {
  let current: DockerStage | undefined = runtime;
  for (let depth = 0; current && depth < 16; depth++) {
    if (installRuns(current).length > 0) return true;
    const copies = current.instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD");
    for (const copy of copies) {
      const words = commandWords(copy.args).words;
      const from = words.find((word) => word.startsWith("--from="));
      const paths = words.filter((word) => !word.startsWith("--"));
      const sources = paths.slice(0, -1);
      if (sources.some((source) => /(^|\/)node_modules\/?$/.test(source))) return true;
      // The whole working directory of a stage that installed into it.
      const origin = from
        ? stages.find((stage) => stage.name?.toLowerCase() === from.slice("--from=".length).toLowerCase())
        : undefined;
      if (origin && lineageInstalls(stages, origin)) {
        const workdir = workdirOf(lineage(stages, origin));
        if (sources.some((source) => [workdir, "/", "."].includes(posix.resolve(workdir, source))))
          return true;
      }
    }
    current = parentOf(stages, current);
  }
  return false;
}

function lineageInstalls(stages: readonly DockerStage[], stage: DockerStage): boolean {
  for (let current: DockerStage | undefined = stage, depth = 0; current && depth < 16; depth++) {
    if (installRuns(current).length > 0) return true;
    current = parentOf(stages, current);
  }
  return false;
}

function workdirOf(steps: readonly DockerInstruction[]): string {
  let workdir = "/";
  for (const step of steps)
    if (step.keyword === "WORKDIR") workdir = posix.resolve(workdir, commandWords(step.args).words[0] ?? ".");
  return workdir;
}
