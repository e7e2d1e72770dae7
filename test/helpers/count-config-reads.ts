// Counts, for whatever runs inside `countConfigReads`, how often each config file is read and each
// YAML file parsed: the measure behind "a promote parses each file once" (test/architecture/load-once.test.ts).
//
// Three views, because a reader can bypass a seam:
// - `reads`: calls of core/read-config-file.ts (environments, env files, schema, specs), per path;
// - `yamlParses`: calls of config/yaml-source.ts `parseYamlSource`, per file name as given;
// - `fsOpens`: `open`/`readFile` (promises and sync) of any file under the project, whoever calls.
// The seams are swapped with vi.doMock on a fresh module graph, so `run` must use the `echogate`
// it is given (a runEchogate loaded in that graph), not a CLI module the test file imported itself:
//   const { result, counts } = await countConfigReads(cwd, (echogate) =>
//     echogate(["promote", "production"], { cwd, env }));
//   expect(Object.values(counts.yamlParses).every((n) => n === 1)).toBe(true);
import fs from "node:fs";
import fsPromises from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { isAbsolute, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";

const READ_CONFIG_FILE = fileURLToPath(new URL("../../deploy/core/read-config-file.ts", import.meta.url));
const YAML_SOURCE = fileURLToPath(new URL("../../deploy/config/yaml-source.ts", import.meta.url));

export interface ConfigReadCounts {
  /** readConfigFile calls per project-relative path (a probe of a missing file counts too). */
  reads: Record<string, number>;
  /** Paths readConfigFile found missing. */
  missing: string[];
  /** parseYamlSource calls per file (project-relative). */
  yamlParses: Record<string, number>;
  /** fs opens and whole-file reads per project-relative path, outside .echogate/ and node_modules/. */
  fsOpens: Record<string, number>;
}

export async function countConfigReads<T>(
  projectDir: string,
  run: (echogate: typeof import("./run-cli.js").runEchogate) => Promise<T>,
): Promise<{ result: T; counts: ConfigReadCounts }> {
  const counts: ConfigReadCounts = { reads: {}, missing: [], yamlParses: {}, fsOpens: {} };
  const key = (path: string) => (isAbsolute(path) ? relative(projectDir, path) : path).split(sep).join("/");
  const bump = (table: Record<string, number>, path: string) => {
    table[key(path)] = (table[key(path)] ?? 0) + 1;
  };

  vi.resetModules();
  vi.doMock(READ_CONFIG_FILE, async (importOriginal) => {
    const original = await importOriginal<typeof import("../../deploy/core/read-config-file.js")>();
    return {
      ...original,
      readConfigFile: async (path: string, maxBytes: number) => {
        bump(counts.reads, path);
        const read = await original.readConfigFile(path, maxBytes);
        if (!read.ok && read.reason === "missing") counts.missing.push(key(path));
        return read;
      },
    };
  });
  vi.doMock(YAML_SOURCE, async (importOriginal) => {
    const original = await importOriginal<typeof import("../../deploy/config/yaml-source.js")>();
    return {
      ...original,
      parseYamlSource: (file: string, text: string) => {
        bump(counts.yamlParses, file);
        return original.parseYamlSource(file, text);
      },
    };
  });
  const restoreFs = watchProjectFiles(projectDir, (path) => bump(counts.fsOpens, path));
  try {
    const { runEchogate } = await import("./run-cli.js");
    const result = await run(runEchogate);
    return { result, counts: sorted(counts) };
  } finally {
    restoreFs();
    vi.doUnmock(READ_CONFIG_FILE);
    vi.doUnmock(YAML_SOURCE);
    vi.resetModules();
  }
}

/**
 * Wraps fs's open/readFile (callback, promise and sync forms) to report paths under `dir`;
 * syncBuiltinESMExports makes `import { open } from "node:fs/promises"` see the wrappers too.
 */
function watchProjectFiles(dir: string, seen: (path: string) => void): () => void {
  const inProject = (path: unknown) => {
    const text = path instanceof URL ? fileURLToPath(path) : typeof path === "string" ? path : undefined;
    if (text === undefined || !isAbsolute(text)) return;
    const rel = relative(dir, text);
    if (rel.startsWith("..") || isAbsolute(rel)) return;
    if (rel.split(sep)[0] === ".echogate" || rel.split(sep)[0] === "node_modules") return;
    seen(text);
  };
  const targets: [Record<string, unknown>, string][] = [
    [fsPromises as unknown as Record<string, unknown>, "open"],
    [fsPromises as unknown as Record<string, unknown>, "readFile"],
    [fs as unknown as Record<string, unknown>, "open"],
    [fs as unknown as Record<string, unknown>, "openSync"],
    [fs as unknown as Record<string, unknown>, "readFile"],
    [fs as unknown as Record<string, unknown>, "readFileSync"],
  ];
  const originals = targets.map(([owner, name]) => owner[name] as (...args: unknown[]) => unknown);
  targets.forEach(([owner, name], i) => {
    const original = originals[i]!;
    owner[name] = function (this: unknown, ...args: unknown[]) {
      inProject(args[0]);
      return original.apply(this, args);
    };
  });
  syncBuiltinESMExports();
  return () => {
    targets.forEach(([owner, name], i) => {
      owner[name] = originals[i];
    });
    syncBuiltinESMExports();
  };
}

function sorted(counts: ConfigReadCounts): ConfigReadCounts {
  const byPath = (table: Record<string, number>) =>
    Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
  return {
    reads: byPath(counts.reads),
    missing: [...new Set(counts.missing)].sort(),
    yamlParses: byPath(counts.yamlParses),
    fsOpens: byPath(counts.fsOpens),
  };
}
