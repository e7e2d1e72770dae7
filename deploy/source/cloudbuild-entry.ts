import { posix } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { entryFromDockerfile } from "./dockerfile-entry.js";
import { shellWords, simpleCommands } from "./dockerfile-parser.js";
import type { EntryFact } from "./entry-fact.js";
import { normalizeEntry } from "./runner-entry.js";

export interface CloudbuildEntryFact extends EntryFact {
  /** The Dockerfile the build step uses, relative to the project root. */
  dockerfile: string | null;
}

interface DockerBuild {
  /** -f value (substitutions expanded, relative to the source root), or null for the default Dockerfile. */
  file: string | null;
  context: string;
  line: number;
  text: string;
}

/** Reads a project file by relative path; undefined when it doesn't exist. */
export type ReadProjectFile = (relativePath: string) => string | undefined;

function lineOf(node: Node | null | undefined, counter: LineCounter): number {
  return node?.range ? counter.linePos(node.range[0]).line : 0;
}

function expand(value: string, substitutions: Record<string, string>): string {
  return value.replace(/\$\{(_[A-Z0-9_]+)\}|\$(_[A-Z0-9_]+)/g, (whole, a?: string, b?: string) => {
    const key = (a ?? b)!;
    return substitutions[key] ?? whole;
  });
}

/** Finds `docker build` / `docker buildx build` in argument words; index of each word kept for line lookup. */
function dockerBuildIn(
  words: readonly string[],
): { file: string | null; fileAt: number; context: string } | null {
  let at = words.indexOf("build");
  if (at < 0) return null;
  let file: string | null = null;
  let fileAt = -1;
  const positionals: string[] = [];
  const VALUE_FLAGS = new Set([
    "-t",
    "--tag",
    "--build-arg",
    "--target",
    "--platform",
    "--cache-from",
    "--label",
    "--network",
    "--secret",
    "--progress",
    "--output",
    "-o",
  ]);
  for (at = at + 1; at < words.length; at++) {
    const word = words[at]!;
    if (word === "-f" || word === "--file") {
      file = words[at + 1] ?? null;
      fileAt = at + 1;
      at++;
    } else if (word.startsWith("--file=") || word.startsWith("-f=")) {
      file = word.slice(word.indexOf("=") + 1);
      fileAt = at;
    } else if (VALUE_FLAGS.has(word)) at++;
    else if (!word.startsWith("-")) positionals.push(word);
  }
  return { file, fileAt, context: positionals.at(-1) ?? "." };
}

function findDockerBuild(text: string, counter: LineCounter): DockerBuild | null {
  const doc = parseDocument(text, { lineCounter: counter });
  const substitutions: Record<string, string> = {};
  const subs = doc.get("substitutions");
  if (isMap(subs)) {
    for (const pair of subs.items) {
      if (isScalar(pair.key) && isScalar(pair.value))
        substitutions[String(pair.key.value)] = String(pair.value.value);
    }
  }
  const steps = doc.get("steps");
  if (!isSeq(steps)) return null;
  for (const step of steps.items) {
    if (!isMap(step)) continue;
    const name = String(step.get("name") ?? "");
    const entrypoint = String(step.get("entrypoint") ?? "");
    const dir = String(step.get("dir") ?? "");
    const args = step.get("args", true);
    const argNodes = isSeq(args) ? args.items : isScalar(args) ? [args] : [];
    const argWords = argNodes.map((node) =>
      isScalar(node) ? expand(String(node.value), substitutions) : "",
    );
    const stepLine = lineOf(step as Node, counter);

    if (/docker/.test(name) && !/^(bash|sh)$/.test(entrypoint)) {
      const build = dockerBuildIn(argWords);
      if (!build || (argWords[0] !== "build" && argWords[1] !== "build")) continue;
      const fileNode = build.fileAt >= 0 ? (argNodes[build.fileAt] as Node | undefined) : undefined;
      const line = fileNode ? lineOf(fileNode, counter) : stepLine;
      return {
        file: build.file === null ? null : posix.join(dir, build.file),
        context: posix.join(dir, build.context),
        line,
        text: `docker ${argWords.join(" ")}`,
      };
    }
    const script =
      entrypoint === "bash" || entrypoint === "sh" ? argWords[argWords.indexOf("-c") + 1] : undefined;
    if (script === undefined) continue;
    for (const words of simpleCommands(shellWords(script))) {
      if (posix.basename(words[0] ?? "") !== "docker") continue;
      const build = dockerBuildIn(words);
      if (!build) continue;
      const scriptNode = argNodes[argWords.indexOf(script)];
      return {
        file: build.file === null ? null : posix.join(dir, build.file),
        context: posix.join(dir, build.context),
        line: lineOf(scriptNode as Node | undefined, counter) || stepLine,
        text: words.join(" "),
      };
    }
  }
  return null;
}

/**
 * Which server file cloudbuild.yaml ships: the Dockerfile its docker build step names
 * with `-f` (the build context's Dockerfile otherwise), then that Dockerfile's entry.
 */
export function entryFromCloudbuild(
  text: string,
  readFile: ReadProjectFile,
  file = "cloudbuild.yaml",
): CloudbuildEntryFact {
  const counter = new LineCounter();
  let build: DockerBuild | null;
  try {
    build = findDockerBuild(text, counter);
  } catch (error) {
    return {
      entry: null,
      file,
      line: null,
      detail: `Can't parse ${file}: ${String(error)}.`,
      trace: [],
      dockerfile: null,
    };
  }
  if (!build) {
    return {
      entry: null,
      file,
      line: null,
      detail: `${file} has no docker build step.`,
      trace: [],
      dockerfile: null,
    };
  }
  // Steps run in /workspace, the submitted source root, wherever the YAML file lives.
  const dockerfile = normalizeEntry(build.file ?? posix.join(build.context, "Dockerfile"));
  const step = { file, line: build.line, text: build.text };
  const dockerText = readFile(dockerfile);
  if (dockerText === undefined) {
    return {
      entry: null,
      file,
      line: build.line,
      detail: `${file} builds with ${dockerfile}, which doesn't exist.`,
      trace: [step],
      dockerfile,
    };
  }
  const context = normalizeEntry(build.context);
  const packageFile = normalizeEntry(posix.join(context, "package.json"));
  const packageText = readFile(packageFile);
  const inner = entryFromDockerfile(
    dockerText,
    dockerfile,
    packageText !== undefined ? { text: packageText, file: packageFile } : undefined,
  );
  const entry = inner.entry === null ? null : normalizeEntry(posix.join(context, inner.entry));
  return {
    entry,
    file,
    line: build.line,
    detail:
      entry === null
        ? `${file} builds ${dockerfile}: ${inner.detail}`
        : `${file} builds ${dockerfile}, which runs ${entry}${inner.line ? ` (${dockerfile}:${inner.line})` : ""}.`,
    trace: [step, ...inner.trace],
    dockerfile,
  };
}
