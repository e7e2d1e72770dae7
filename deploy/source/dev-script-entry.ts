import { shellWords, simpleCommands } from "./dockerfile-parser.js";
import type { EntryFact, TraceStep } from "./entry-fact.js";
import { matchRunner } from "./runner-entry.js";

const MAX_SCRIPT_HOPS = 8;

/** 1-based line of `"name":` inside the package.json `scripts` object (first match after "scripts"). */
export function scriptLine(text: string, name: string): number | null {
  const lines = text.split(/\r?\n/);
  const scriptsAt = lines.findIndex((line) => /"scripts"\s*:/.test(line));
  const key = new RegExp(`"${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"\\s*:`);
  for (let i = Math.max(scriptsAt, 0); i < lines.length; i++) {
    if (key.test(lines[i]!)) return i + 1;
  }
  return null;
}

/** Which server file `npm run <script>` (default `dev`) starts, following `npm run x` chains. */
export function entryFromDevScript(
  packageJsonText: string,
  file = "package.json",
  script = "dev",
): EntryFact {
  let scripts: Record<string, unknown>;
  try {
    const parsed = JSON.parse(packageJsonText) as { scripts?: unknown };
    scripts =
      typeof parsed.scripts === "object" && parsed.scripts !== null
        ? (parsed.scripts as Record<string, unknown>)
        : {};
  } catch {
    return { entry: null, file, line: null, detail: `Can't parse ${file} as JSON.`, trace: [] };
  }
  const trace: TraceStep[] = [];
  let name = script;
  for (let hop = 0; hop < MAX_SCRIPT_HOPS; hop++) {
    const command = scripts[name];
    const line = scriptLine(packageJsonText, name);
    if (typeof command !== "string") {
      return { entry: null, file, line, detail: `${file} has no "${name}" script.`, trace };
    }
    trace.push({ file, line: line ?? 0, text: `"${name}": ${JSON.stringify(command)}` });
    let next: string | null = null;
    const unknown: string[] = [];
    for (const words of simpleCommands(shellWords(command))) {
      const match = matchRunner(words);
      if (match.kind === "entry") {
        return {
          entry: match.entry,
          file,
          line,
          detail: `${file} script "${script}" runs ${match.entry} with ${match.runner}.`,
          trace,
        };
      }
      if (match.kind === "script" && next === null) next = match.script;
      if (match.kind === "no-entry") unknown.push(match.reason);
      if (match.kind === "other") unknown.push(`\`${match.command}\` is not a runner echogate recognises`);
    }
    if (next === null) {
      return {
        entry: null,
        file,
        line,
        detail: `Can't tell which server file the "${name}" script runs: ${unknown[0] ?? "it is empty"}.`,
        trace,
      };
    }
    name = next;
  }
  return { entry: null, file, line: null, detail: `${file} scripts call each other too deeply.`, trace };
}
