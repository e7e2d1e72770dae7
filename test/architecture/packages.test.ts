import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The emulators are a workspace package (packages/emulator) with one entry; what they share with
// the CLI is packages/common. Neither may depend on deploy/, and deploy/ reaches the emulators only
// from platform/, through the entry.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EMULATOR = "@echogate/emulator";
const COMMON = "@echogate/common";

const SPECIFIER = /(?:import|export)[^"'`;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

interface Import {
  /** The importing file, relative to the repository. */
  file: string;
  specifier: string;
  /** For a relative specifier: the file it names, relative to the repository. */
  target?: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function importsOf(folder: string): Import[] {
  return sourceFiles(join(ROOT, folder)).flatMap((path) => {
    const file = relative(ROOT, path);
    return [...readFileSync(path, "utf8").matchAll(SPECIFIER)].map((match) => {
      const specifier = (match[1] ?? match[2])!;
      return specifier.startsWith(".")
        ? { file, specifier, target: relative(ROOT, resolve(dirname(path), specifier)) }
        : { file, specifier };
    });
  });
}

/** Imports from `folder` that leave it by a relative path, or name one of `forbidden` packages. */
function leaving(imports: readonly Import[], folder: string, forbidden: readonly string[]): string[] {
  return imports
    .filter(
      ({ specifier, target }) =>
        (target !== undefined && !target.startsWith(`${folder}/`)) ||
        forbidden.some((name) => specifier === name || specifier.startsWith(`${name}/`)),
    )
    .map(({ file, specifier }) => `${file}: ${specifier}`);
}

/** Imports of the emulator package from deploy/ other than platform/ naming its entry. */
function reachingIntoEmulator(imports: readonly Import[]): string[] {
  return imports
    .filter(({ specifier }) => specifier === EMULATOR || specifier.startsWith(`${EMULATOR}/`))
    .filter(({ file, specifier }) => !file.startsWith("deploy/platform/") || specifier !== EMULATOR)
    .map(({ file, specifier }) => `${file}: ${specifier}`);
}

describe("workspace packages", () => {
  it("the emulator package imports nothing from deploy/ (nor from echogate)", () => {
    expect(leaving(importsOf("packages/emulator"), "packages/emulator", ["echogate"])).toEqual([]);
  });

  it("the common package imports neither deploy/ nor the emulator", () => {
    expect(leaving(importsOf("packages/common"), "packages/common", ["echogate", EMULATOR])).toEqual([]);
  });

  it("deploy/ reaches the emulator only from platform/, through its entry, and never by a relative path", () => {
    const imports = importsOf("deploy");
    expect(reachingIntoEmulator(imports)).toEqual([]);
    expect(leaving(imports, "deploy", [])).toEqual([]);
  });

  it("sees the imports it judges (a test of the test)", () => {
    const imports: Import[] = [
      { file: "deploy/platform/a.ts", specifier: EMULATOR },
      { file: "deploy/platform/b.ts", specifier: `${EMULATOR}/src/daemon.js` },
      { file: "deploy/cli/c.ts", specifier: EMULATOR },
      { file: "deploy/cli/d.ts", specifier: `${COMMON}/http-request` },
    ];
    expect(reachingIntoEmulator(imports)).toEqual([
      `deploy/platform/b.ts: ${EMULATOR}/src/daemon.js`,
      `deploy/cli/c.ts: ${EMULATOR}`,
    ]);
    expect(
      leaving(
        [
          {
            file: "packages/emulator/src/a.ts",
            specifier: "../../../deploy/core/x.js",
            target: "deploy/core/x.ts",
          },
          { file: "packages/emulator/src/b.ts", specifier: "./c.js", target: "packages/emulator/src/c.js" },
          { file: "packages/emulator/src/d.ts", specifier: `${COMMON}/state-file` },
        ],
        "packages/emulator",
        ["echogate"],
      ),
    ).toEqual(["packages/emulator/src/a.ts: ../../../deploy/core/x.js"]);
    expect(importsOf("packages/emulator").some(({ specifier }) => specifier.startsWith(COMMON))).toBe(true);
    expect(importsOf("deploy/platform").some(({ specifier }) => specifier === EMULATOR)).toBe(true);
  });
});
