import type { Diagnostic, Diagnostics } from "../core/diagnostics.js";
import { formatDiagnostic } from "../core/diagnostics.js";

export interface BrokenEnvironment {
  name: string;
  file: string;
  errors: Diagnostic[];
}

const ENVIRONMENT_FILE = /^(?:.*[/\\])?([^/\\]+)\.ya?ml$/;

/** Environments whose own file has config errors (a file that failed to load included). */
export function brokenEnvironments(loaded: { diagnostics: Diagnostics }): BrokenEnvironment[] {
  const byFile = new Map<string, Diagnostic[]>();
  for (const error of loaded.diagnostics.errors) {
    if (!error.file) continue;
    const list = byFile.get(error.file) ?? [];
    list.push(error);
    byFile.set(error.file, list);
  }
  const broken: BrokenEnvironment[] = [];
  for (const [file, errors] of byFile) {
    const name = ENVIRONMENT_FILE.exec(file)?.[1];
    // loadEnvironments reads only environments/<name>.yaml, so every file here is an environment's.
    if (name) broken.push({ name, file, errors });
  }
  return broken.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One line saying what is wrong first, and how much more. */
export function brokenSummary(broken: BrokenEnvironment): string {
  const first = formatDiagnostic(broken.errors[0]!)
    .replace(/^error\[[^\]]+\] /, "")
    .split("\n")[0]!;
  const more = broken.errors.length - 1;
  return more > 0 ? `${first} (and ${more} more)` : first;
}
