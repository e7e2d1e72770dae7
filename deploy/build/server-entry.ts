import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";
import { entryFromDevScript } from "../source/dev-script-entry.js";
import { entryFromDockerfile } from "../source/dockerfile-entry.js";

export const DOCKERFILE = "Dockerfile.minimal";

/** The Dockerfile the build follows: Dockerfile.minimal, else Dockerfile (as `drift --source` reads). */
function dockerfileOf(projectDir: string): string {
  return [DOCKERFILE, "Dockerfile"].find((name) => existsSync(join(projectDir, name))) ?? DOCKERFILE;
}

/**
 * The server entry the local build bundles is the one Dockerfile.minimal
 * bundles, and it must be the one `npm run dev` runs: building anything else
 * would recreate the seeds' outage (dev ran one file, production another).
 */
export async function resolveServerEntry(projectDir: string): Promise<string> {
  const file = dockerfileOf(projectDir);
  const dockerfile = entryFromDockerfile(await readText(projectDir, file), file);
  if (!dockerfile.entry) {
    throw new ConfigError(
      "build.no-entry",
      `Can't tell which server file ${file} builds: ${dockerfile.detail}`,
      {
        location: { file: file, ...(dockerfile.line ? { line: dockerfile.line } : {}) },
        hint: "Bundle or COPY one server entry in the build stage and start it with CMD.",
      },
    );
  }
  const dev = entryFromDevScript(await readText(projectDir, "package.json"), "package.json");
  if (dev.entry && dev.entry !== dockerfile.entry) {
    throw new ConfigError(
      "build.entry-drift",
      `Can't build: ${file} builds ${dockerfile.entry} but \`npm run dev\` runs ${dev.entry}.`,
      {
        location: { file: file, ...(dockerfile.line ? { line: dockerfile.line } : {}) },
        hint: "Make both start the same server file; `echogate drift --source` shows every place.",
      },
    );
  }
  return dockerfile.entry;
}

async function readText(projectDir: string, file: string): Promise<string> {
  try {
    return await readFile(join(projectDir, file), "utf8");
  } catch {
    throw new ConfigError("build.missing-file", `Can't read ${file} in ${projectDir}.`, {
      hint: "echogate builds the server entry the Dockerfile (Dockerfile.minimal, else Dockerfile) names; run from the project root or pass --cwd.",
    });
  }
}
