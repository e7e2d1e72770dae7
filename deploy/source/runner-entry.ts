import { posix } from "node:path";

/** Flags that take the next word as their value, per runner. `--flag=value` needs no entry here. */
const NODE_VALUE_FLAGS = [
  "-r",
  "--require",
  "--import",
  "--loader",
  "--experimental-loader",
  "--env-file",
  "--env-file-if-exists",
  "--watch-path",
  "-C",
  "--conditions",
  "--input-type",
  "--title",
];
const VALUE_FLAGS: Record<string, readonly string[]> = {
  node: NODE_VALUE_FLAGS,
  nodejs: NODE_VALUE_FLAGS,
  tsx: [...NODE_VALUE_FLAGS, "--tsconfig"],
  "ts-node": ["-r", "--require", "-P", "--project", "-O", "--compiler-options", "-C", "--compiler", "--cwd"],
  "ts-node-dev": [
    "-r",
    "--require",
    "-P",
    "--project",
    "-O",
    "--compiler-options",
    "--ignore-watch",
    "--watch",
  ],
  nodemon: [
    "-x",
    "--exec",
    "-w",
    "--watch",
    "-e",
    "--ext",
    "-i",
    "--ignore",
    "-d",
    "--delay",
    "--config",
    "-s",
    "--signal",
  ],
  bun: ["-r", "--preload", "--cwd", "--env-file", "--config"],
};
/** Flags whose presence means the runner evaluates inline code, not a file. */
const EVAL_FLAGS: Record<string, readonly string[]> = {
  node: ["-e", "--eval", "-p", "--print"],
  nodejs: ["-e", "--eval", "-p", "--print"],
  tsx: ["-e", "--eval", "-p", "--print"],
  "ts-node": ["-e", "--eval", "-p", "--print"],
};
/** Subcommands to step over (`tsx watch x.ts`, `bun run x.ts`). */
const SUBCOMMANDS: Record<string, readonly string[]> = { tsx: ["watch"], bun: ["run"] };
/** Wrappers that run the rest of the words as a command. */
const WRAPPERS = new Set(["npx", "exec", "env", "cross-env", "cross-env-shell", "dotenv", "time", "nice"]);

type RunnerMatch =
  | { kind: "entry"; runner: string; entry: string }
  | { kind: "no-entry"; runner: string; reason: string }
  | { kind: "script"; tool: string; script: string }
  | { kind: "other"; command: string };

export function normalizeEntry(path: string): string {
  return posix.normalize(path.replace(/\\/g, "/")).replace(/^(\.\/)+/, "");
}

/**
 * What one simple command (already split into words) runs: a script file via a known
 * runner, another package.json script, or something echogate can't read.
 */
export function matchRunner(words: readonly string[]): RunnerMatch {
  let i = 0;
  while (i < words.length) {
    const word = words[i]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) i++;
    else if (WRAPPERS.has(word)) {
      i++;
      // `dotenv -e .env --`, `npx --yes`: skip the wrapper's own flags.
      while (i < words.length && words[i]!.startsWith("-")) {
        const flag = words[i++]!;
        if (flag === "--") break;
        if (flag === "-e" || flag === "-c") i++;
      }
    } else break;
  }
  const head = words[i];
  if (head === undefined) return { kind: "other", command: words.join(" ") };
  const runner = posix.basename(head);

  const next = words[i + 1];
  const isScriptFile = (word: string | undefined) => word !== undefined && /\.[cm]?[jt]sx?$/.test(word);
  if (["npm", "pnpm", "yarn", "bun"].includes(runner)) {
    if (
      (next === "run" || next === "run-script") &&
      words[i + 2] !== undefined &&
      !isScriptFile(words[i + 2])
    ) {
      return { kind: "script", tool: runner, script: words[i + 2]! };
    }
    if (next === "start") return { kind: "script", tool: runner, script: "start" };
    if (runner === "yarn" && next !== undefined && !next.startsWith("-") && next !== "node") {
      return { kind: "script", tool: runner, script: next };
    }
    if (runner !== "bun") return { kind: "other", command: words.slice(i).join(" ") };
  }

  const valueFlags = VALUE_FLAGS[runner];
  if (!valueFlags) return { kind: "other", command: words.slice(i).join(" ") };
  const evalFlags = EVAL_FLAGS[runner] ?? [];
  const subcommands = SUBCOMMANDS[runner] ?? [];
  let j = i + 1;
  while (j < words.length) {
    const word = words[j]!;
    if (word === "--") {
      j++;
      break;
    }
    if (evalFlags.includes(word))
      return { kind: "no-entry", runner, reason: `${runner} ${word} runs inline code` };
    if (word.startsWith("-")) {
      j += valueFlags.includes(word) ? 2 : 1;
      continue;
    }
    if (j === i + 1 && subcommands.includes(word)) {
      j++;
      continue;
    }
    break;
  }
  const entry = words[j];
  if (entry === undefined) return { kind: "no-entry", runner, reason: `${runner} is given no script file` };
  return { kind: "entry", runner, entry: normalizeEntry(entry) };
}
