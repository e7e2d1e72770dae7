import { posix } from "node:path";

/** A tsconfig read from the image's filesystem, by its path there; undefined when no COPY put it there. */
export type ReadImageFile = (imagePath: string) => string | undefined;

/** What a TypeScript compile step says about a file it emits. */
export interface CompiledFrom {
  /** Image paths the emitted file may come from, most likely first (.ts before .tsx before .js). */
  sources: string[];
  /** The inference, for reports: `tsc with tsconfig.json (outDir dist → rootDir src; .js from .ts/.tsx/.jsx)`. */
  note: string;
}

const MAX_EXTENDS = 8;

/** Emitted extension → source extensions that produce it, in the order tsc prefers them. */
const SOURCE_EXTENSIONS: Record<string, readonly string[]> = {
  ".js": [".ts", ".tsx", ".js", ".jsx"],
  ".mjs": [".mts", ".mjs"],
  ".cjs": [".cts", ".cjs"],
};

/** Options from a tsconfig that decide where tsc writes each file, extends followed. */
interface EmitOptions {
  outDir?: string;
  rootDir?: string;
  include?: string[];
  /** Directory of the tsconfig that `include` and the default root are relative to. */
  configDir: string;
  /** The tsconfig's image path, for the note. */
  configFile: string;
}

/**
 * If this command (already split into words) is a `tsc` run that emits `target`, the source files
 * it compiles `target` from. `tsc` is matched as a word (`tsc -p .`, `npx tsc`, `./node_modules/.bin/tsc`).
 */
export function tscCompiledFrom(
  command: readonly string[],
  target: string,
  workdir: string,
  readImageFile: ReadImageFile,
): CompiledFrom | null {
  const at = command.findIndex((word) => posix.basename(word) === "tsc");
  if (at < 0) return null;
  const args = command.slice(at + 1);
  const value = (...names: string[]): string | undefined => {
    for (let i = 0; i < args.length; i++) {
      const word = args[i]!;
      for (const name of names) {
        if (word === name) return args[i + 1];
        if (word.startsWith(`${name}=`)) return word.slice(name.length + 1);
      }
    }
    return undefined;
  };
  const project = value("-p", "--project", "-b", "--build") ?? ".";
  const configFile = posix.resolve(
    workdir,
    project.endsWith(".json") ? project : posix.join(project, "tsconfig.json"),
  );
  const options = readEmitOptions(configFile, readImageFile);
  if (!options) return null;
  const outDirFlag = value("--outDir");
  const rootDirFlag = value("--rootDir");
  const outDir = outDirFlag ? posix.resolve(workdir, outDirFlag) : options.outDir;
  const rootDir = rootDirFlag
    ? posix.resolve(workdir, rootDirFlag)
    : (options.rootDir ?? inferredRoot(options));

  const ext = posix.extname(target);
  const sourceExts = SOURCE_EXTENSIONS[ext];
  if (!sourceExts) return null;
  let stem: string;
  if (outDir) {
    if (!target.startsWith(`${outDir}/`)) return null;
    stem = posix.join(rootDir, posix.relative(outDir, target));
  } else {
    // No outDir: tsc writes each .js next to its .ts.
    if (!target.startsWith(`${options.configDir}/`) && options.configDir !== "/") return null;
    stem = target;
  }
  stem = stem.slice(0, -ext.length);
  const relative = (path: string) => posix.relative(options.configDir, path) || ".";
  const rootNote = options.rootDir || rootDirFlag ? "" : " (from include)";
  const extensions = sourceExts.filter((sourceExt) => sourceExt !== ext).join("/");
  const mapping = outDir
    ? `outDir ${relative(outDir)} → rootDir ${relative(rootDir)}${rootNote}; ${ext} from ${extensions}`
    : `no outDir: ${ext} next to its ${extensions}`;
  return {
    sources: sourceExts.map((sourceExt) => `${stem}${sourceExt}`),
    note: `tsc with ${posix.relative(workdir, options.configFile)} (${mapping})`,
  };
}

/** Without rootDir, tsc roots the output at the inputs' common directory: `include: ["src"]` gives src. */
function inferredRoot(options: EmitOptions): string {
  const dirs = (options.include ?? []).map((pattern) => {
    const fixed = pattern.split("/").filter((part) => part !== "" && part !== ".");
    const wild = fixed.findIndex((part) => /[*?]/.test(part));
    const parts = wild < 0 ? fixed : fixed.slice(0, wild);
    // `src/index.ts` names a file: its directory is the root.
    if (wild < 0 && parts.length > 0 && /\.[cm]?[jt]sx?$/.test(parts.at(-1)!)) parts.pop();
    return posix.resolve(options.configDir, ...parts);
  });
  if (dirs.length === 0) return options.configDir;
  return dirs.reduce((common, dir) => {
    while (common !== "/" && dir !== common && !dir.startsWith(`${common}/`)) common = posix.dirname(common);
    return common;
  });
}

function readEmitOptions(
  configFile: string,
  readImageFile: ReadImageFile,
  depth = 0,
): EmitOptions | undefined {
  const text = readImageFile(configFile);
  if (text === undefined) return undefined;
  const json = parseJsonc(text);
  if (!json || typeof json !== "object") return undefined;
  const configDir = posix.dirname(configFile);
  const config = json as { extends?: unknown; include?: unknown; compilerOptions?: Record<string, unknown> };
  // A relative extends is read the same way; a package one (@tsconfig/node20) sets no outDir worth following.
  const bases = (Array.isArray(config.extends) ? config.extends : [config.extends]).filter(
    (base): base is string => typeof base === "string" && base.startsWith("."),
  );
  let options: EmitOptions = { configDir, configFile };
  for (const base of bases) {
    if (depth >= MAX_EXTENDS) break;
    const file = posix.resolve(configDir, base.endsWith(".json") ? base : `${base}.json`);
    const inherited = readEmitOptions(file, readImageFile, depth + 1);
    if (inherited) options = { ...inherited, configDir, configFile };
  }
  const compiler = config.compilerOptions ?? {};
  if (typeof compiler.outDir === "string") options.outDir = posix.resolve(configDir, compiler.outDir);
  if (typeof compiler.rootDir === "string") options.rootDir = posix.resolve(configDir, compiler.rootDir);
  if (Array.isArray(config.include)) {
    options.include = config.include.filter((item): item is string => typeof item === "string");
  }
  return options;
}

/** tsconfig is JSON with comments and trailing commas. */
function parseJsonc(text: string): unknown {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (char === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (char === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += char;
  }
  try {
    return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
  } catch {
    return undefined;
  }
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** The source extensions a builder's output file may come from (tsup and swc emit .js, .mjs or .cjs for any of them). */
const ANY_SOURCE = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/**
 * If this command is a tsup or swc run that emits `target`, the sources it may come from. tsup names
 * each output after its entry in `--out-dir` (default dist); swc's `-d` keeps the source directory's
 * path below it unless `--strip-leading-paths`, so both layouts are candidates.
 */
export function builderCompiledFrom(
  command: readonly string[],
  target: string,
  workdir: string,
): CompiledFrom | null {
  const at = command.findIndex((word) => ["tsup", "swc"].includes(posix.basename(word)));
  if (at < 0) return null;
  const tool = posix.basename(command[at]!);
  const args = command.slice(at + 1);
  const valueFlags = new Set([
    "-d",
    "--out-dir",
    "--outDir",
    "--format",
    "--target",
    "--config",
    "-C",
    "--env-name",
    "--config-file",
  ]);
  const inputs: string[] = [];
  let outDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const [flag, inline] =
      word.startsWith("--") && word.includes("=")
        ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]
        : [word, undefined];
    if (flag === "-d" || flag === "--out-dir" || flag === "--outDir") {
      outDir = inline ?? args[++i];
      continue;
    }
    if (word.startsWith("-")) {
      if (inline === undefined && valueFlags.has(flag)) i++;
      continue;
    }
    inputs.push(word);
  }
  const ext = posix.extname(target);
  if (![".js", ".mjs", ".cjs"].includes(ext) || inputs.length === 0) return null;
  const out = posix.resolve(workdir, outDir ?? (tool === "tsup" ? "dist" : ""));
  if (tool === "swc" && outDir === undefined) return null;
  if (!target.startsWith(`${out}/`)) return null;
  const emitted = posix.relative(out, target).slice(0, -ext.length);
  const stemOf = (path: string) => path.slice(0, path.length - posix.extname(path).length);
  const sources: string[] = [];
  for (const input of inputs) {
    const inputAbs = posix.resolve(workdir, input);
    if (/\.[cm]?[jt]sx?$/.test(input)) {
      // A file entry: tsup writes <out>/<name>.js; swc writes it below <out> by its own path.
      const name = posix.basename(stemOf(input));
      if (tool === "tsup" ? name === emitted : name === posix.basename(emitted)) sources.push(inputAbs);
    } else {
      const candidates = [posix.join(inputAbs, emitted), posix.resolve(workdir, emitted)];
      sources.push(...candidates.flatMap((stem) => ANY_SOURCE.map((sourceExt) => `${stem}${sourceExt}`)));
    }
  }
  if (sources.length === 0) return null;
  return {
    sources: [...new Set(sources)],
    note: `${tool} (${posix.relative(workdir, out) || "."}/${emitted}${ext} from ${inputs.join(" ")})`,
  };
}
