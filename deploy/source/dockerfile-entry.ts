import { posix } from "node:path";
import { entryFromDevScript } from "./dev-script-entry.js";
import {
  commandWords,
  type DockerInstruction,
  type DockerStage,
  parseDockerfile,
  shellWords,
  simpleCommands,
  splitStages,
} from "./dockerfile-parser.js";
import type { EntryFact, TraceStep } from "./entry-fact.js";
import { matchRunner, normalizeEntry } from "./runner-entry.js";

interface Step {
  instruction: DockerInstruction;
  /** WORKDIR in effect for this instruction. */
  workdir: string;
}

interface Found {
  entry: string | null;
  namingLine: number | null;
  reason: string;
}

const MAX_HOPS = 16;

/** A stage's instructions including those inherited from an earlier stage it is built `FROM`. */
function timeline(stages: readonly DockerStage[], stage: DockerStage, depth = 0): Step[] {
  const parent = depth < MAX_HOPS ? findStage(stages, stage.base, stage.index) : undefined;
  const inherited = parent ? timeline(stages, parent, depth + 1) : [];
  let workdir = inherited.at(-1)?.workdir ?? "/";
  const own: Step[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword === "WORKDIR") {
      workdir = posix.resolve(workdir, commandWords(instruction.args).words[0] ?? ".");
    }
    own.push({ instruction, workdir });
  }
  return [...inherited, ...own];
}

function findStage(stages: readonly DockerStage[], ref: string, before: number): DockerStage | undefined {
  if (/^\d+$/.test(ref)) {
    const index = Number(ref);
    return index < before ? stages[index] : undefined;
  }
  return stages.slice(0, before).find((stage) => stage.name?.toLowerCase() === ref.toLowerCase());
}

/** The container command: ENTRYPOINT + CMD as Docker combines them. */
function containerCommand(steps: readonly Step[]): { words: string[]; step: Step } | null {
  const last = (keyword: string) => steps.findLast((step) => step.instruction.keyword === keyword);
  const cmd = last("CMD");
  const entrypoint = last("ENTRYPOINT");
  if (entrypoint) {
    const ep = commandWords(entrypoint.instruction.args);
    if (ep.form === "shell") return { words: ep.words, step: entrypoint };
    const cmdWords = cmd ? commandWords(cmd.instruction.args).words : [];
    return { words: [...ep.words, ...cmdWords], step: cmd ?? entrypoint };
  }
  return cmd ? { words: commandWords(cmd.instruction.args).words, step: cmd } : null;
}

/** The build context's package.json, which `npm start` in the image reads (copied to the WORKDIR). */
interface ContextPackageJson {
  text: string;
  /** Relative to the project, for traces: `package.json`, `server/package.json`. */
  file: string;
}

type RuntimeScript = { entry: string; via: TraceStep[] } | { reason: string };

/**
 * Unwraps `sh -c "…"`, a start script written by `COPY <<EOF`, and `npm start` (through the
 * context's package.json scripts), and picks the simple command that runs a script file.
 */
function runtimeScript(
  words: readonly string[],
  steps: readonly Step[],
  workdir: string,
  packageJson: ContextPackageJson | undefined,
  hops = 0,
): RuntimeScript {
  let inner = [...words];
  const shell = posix.basename(inner[0] ?? "");
  if ((shell === "sh" || shell === "bash") && inner[1] === "-c" && inner[2] !== undefined) {
    inner = shellWords(inner[2]);
  }
  const reasons: string[] = [];
  for (const command of simpleCommands(inner)) {
    const match = matchRunner(command);
    if (match.kind === "entry") return { entry: match.entry, via: [] };
    if (match.kind === "no-entry") reasons.push(match.reason);
    if (match.kind === "script") {
      const script = match.script;
      if (!packageJson) {
        reasons.push(
          `it runs \`${match.tool} ${script === "start" ? "start" : `run ${script}`}\`, a package.json script, and the build context has no package.json`,
        );
        continue;
      }
      const fact = entryFromDevScript(packageJson.text, packageJson.file, script);
      if (fact.entry !== null) return { entry: fact.entry, via: fact.trace };
      reasons.push(
        `it runs \`${match.tool} ${script === "start" ? "start" : `run ${script}`}\`: ${fact.detail}`,
      );
      continue;
    }
    const written = hops < MAX_HOPS ? heredocScript(command, steps, workdir) : undefined;
    if (written) {
      const found = runtimeScript(shellWords(written.body), steps, workdir, packageJson, hops + 1);
      if ("entry" in found) return { entry: found.entry, via: [written.step, ...found.via] };
      reasons.push(found.reason);
    }
  }
  return { reason: reasons[0] ?? `\`${words.join(" ")}\` runs no script file echogate recognises` };
}

/** A script `command` runs (`sh start.sh`, `./start.sh`) that a `COPY <<EOF` wrote: its body as one command line. */
function heredocScript(
  command: readonly string[],
  steps: readonly Step[],
  workdir: string,
): { body: string; step: TraceStep } | undefined {
  const shell = posix.basename(command[0] ?? "");
  const script = shell === "sh" || shell === "bash" ? command[1] : command[0];
  if (script === undefined || script.startsWith("-")) return undefined;
  const target = posix.resolve(workdir, script);
  for (const step of steps.toReversed()) {
    const { keyword, heredocs, line, text } = step.instruction;
    if ((keyword !== "COPY" && keyword !== "ADD") || heredocs.length === 0) continue;
    const words = commandWords(step.instruction.args).words.filter((word) => !word.startsWith("--"));
    const dest = words.at(-1);
    if (dest === undefined) continue;
    const names = words.slice(0, -1).flatMap((word) => {
      const match = /^<<-?["']?([A-Za-z_][\w]*)["']?$/.exec(word);
      return match ? [match[1]!] : [];
    });
    const destAbs = posix.resolve(step.workdir, dest);
    const single = names.length === 1 && !dest.endsWith("/");
    const heredoc = heredocs.find(
      (doc) => names.includes(doc.name) && (single ? destAbs : posix.join(destAbs, doc.name)) === target,
    );
    if (!heredoc) continue;
    const body = heredoc.body
      .split(/\r?\n/)
      .map((bodyLine) => bodyLine.trim())
      .filter((bodyLine) => bodyLine !== "" && !bodyLine.startsWith("#"))
      .join(" ; ");
    return { body, step: { file: "", line, text } };
  }
  return undefined;
}

const FILE_LIKE = /[^/.][^/]*\.[A-Za-z0-9]+$/;

function copyParts(args: string): { from: string | null; sources: string[]; dest: string } | null {
  const words = commandWords(args).words;
  let from: string | null = null;
  const rest: string[] = [];
  for (const word of words) {
    if (word.startsWith("--")) {
      if (word.startsWith("--from=")) from = word.slice("--from=".length);
    } else rest.push(word);
  }
  const dest = rest.pop();
  if (dest === undefined || rest.length === 0) return null;
  return { from, sources: rest, dest };
}

/**
 * Where `src` of a COPY put `target`: the source path (`named` when `src` is that file
 * itself, not a directory holding it), or null when this COPY didn't.
 */
function copiedSource(
  src: string,
  destAbs: string,
  destIsDir: boolean,
  target: string,
): { source: string; named: boolean } | null {
  if (/[*?[]/.test(src)) return null;
  const fileDest = destIsDir ? posix.join(destAbs, posix.basename(src)) : destAbs;
  if (fileDest === target) return { source: src, named: true };
  // A directory source copies its contents into dest. Docker can't tell us whether `src`
  // is a directory, so names that look like files (`app.js`) are taken to be files.
  const looksLikeFile = FILE_LIKE.test(posix.basename(src.replace(/\/+$/, "")));
  if (!looksLikeFile && (target.startsWith(`${destAbs}/`) || destAbs === "/")) {
    return { source: posix.join(src, posix.relative(destAbs, target)), named: false };
  }
  return null;
}

/** esbuild entry bundled into `target` by this RUN, if any. */
function bundledEntry(step: Step, target: string): string | null {
  for (const command of simpleCommands(shellWords(step.instruction.args))) {
    const at = command.findIndex((word) => posix.basename(word) === "esbuild");
    if (at < 0) continue;
    const args = command.slice(at + 1);
    const entries = args.filter((word) => !word.startsWith("-"));
    const outfile = args.find((word) => word.startsWith("--outfile="))?.slice("--outfile=".length);
    const outdir = args.find((word) => word.startsWith("--outdir="))?.slice("--outdir=".length);
    for (const entry of entries) {
      const output = outfile ?? (outdir ? posix.join(outdir, `${posix.parse(entry).name}.js`) : undefined);
      if (output && posix.resolve(step.workdir, output) === target) return posix.resolve(step.workdir, entry);
    }
  }
  return null;
}

function trace(
  stages: readonly DockerStage[],
  steps: readonly Step[],
  before: number,
  target: string,
  file: string,
  path: TraceStep[],
  namingLine: number,
  hops: number,
): Found {
  if (hops > MAX_HOPS) return { entry: null, namingLine, reason: "the COPY chain is too deep to follow" };
  for (let i = before - 1; i >= 0; i--) {
    const step = steps[i]!;
    const { keyword, line, text } = step.instruction;
    if (keyword === "RUN") {
      const source = bundledEntry(step, target);
      if (source === null) continue;
      path.push({ file, line, text });
      return trace(stages, steps, i, source, file, path, line, hops + 1);
    }
    if (keyword !== "COPY" && keyword !== "ADD") continue;
    const parts = copyParts(step.instruction.args);
    if (!parts) continue;
    const destAbs = posix.resolve(step.workdir, parts.dest);
    const destIsDir = parts.dest.endsWith("/") || parts.sources.length > 1 || /(^|\/)\.$/.test(parts.dest);
    for (const src of parts.sources.toReversed()) {
      const copied = copiedSource(src, destAbs, destIsDir, target);
      if (copied === null) continue;
      path.push({ file, line, text });
      const { source } = copied;
      const naming = copied.named ? line : namingLine;
      if (parts.from === null) {
        return { entry: normalizeEntry(source.replace(/^\/+/, "")), namingLine: naming, reason: "" };
      }
      const fromStage = findStage(stages, parts.from, stages.length);
      if (!fromStage) {
        return {
          entry: null,
          namingLine: line,
          reason: `it is copied from the image ${parts.from}, not built here`,
        };
      }
      const fromSteps = timeline(stages, fromStage);
      return trace(
        stages,
        fromSteps,
        fromSteps.length,
        posix.resolve("/", source),
        file,
        path,
        naming,
        hops + 1,
      );
    }
  }
  return {
    entry: null,
    namingLine,
    reason: `no COPY, ADD or esbuild step in ${file} produces ${target}`,
  };
}

/**
 * Which server file the image built from this Dockerfile runs, traced from CMD back to the build
 * context. `packageJson` is the context's package.json, which `CMD ["npm", "start"]` runs through.
 */
export function entryFromDockerfile(
  text: string,
  file = "Dockerfile",
  packageJson?: ContextPackageJson,
): EntryFact {
  const stages = splitStages(parseDockerfile(text));
  const final = stages.at(-1);
  if (!final) return { entry: null, file, line: null, detail: `${file} has no FROM instruction.`, trace: [] };
  const steps = timeline(stages, final);
  const command = containerCommand(steps);
  if (!command) {
    return { entry: null, file, line: final.line, detail: `${file} has no CMD or ENTRYPOINT.`, trace: [] };
  }
  const { line, text: cmdText } = command.step.instruction;
  const path: TraceStep[] = [{ file, line, text: cmdText }];
  const script = runtimeScript(command.words, steps, command.step.workdir, packageJson);
  if ("reason" in script) {
    return {
      entry: null,
      file,
      line,
      detail: `Can't tell which server file ${file} runs: ${script.reason}.`,
      trace: path,
    };
  }
  path.push(...script.via.map((step) => (step.file === "" ? { ...step, file } : step)));
  const target = posix.resolve(command.step.workdir, script.entry);
  const found = trace(stages, steps, steps.indexOf(command.step), target, file, path, line, 0);
  if (found.entry === null) {
    return {
      entry: null,
      file,
      line: found.namingLine,
      detail: `${file} runs ${target}, but can't trace it to a project file: ${found.reason}.`,
      trace: path,
    };
  }
  return {
    entry: found.entry,
    file,
    line: found.namingLine,
    detail: `${file} runs ${found.entry} (as ${target}).`,
    trace: path,
  };
}
