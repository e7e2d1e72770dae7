import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { fastSmoke } from "../helpers/project.js";
import { testdir } from "../helpers/testdir.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const fixtureDir = join(repoRoot, "test", "fixtures", "vite-web");
/** The repo's own vite, run by path: the temporary project has no node_modules of its own. */
export const VITE_BUILD = `node ${join(repoRoot, "node_modules", "vite", "bin", "vite.js")} build --outDir dist --logLevel warn`;

/**
 * A temporary copy of test/fixtures/vite-web (staging + production, hosting.mode template, built by
 * the real Vite), with fast smoke timeouts; `edit` may change any file before it is written.
 */
export async function viteProject(edit: (files: Record<string, string>) => void = () => {}): Promise<string> {
  const files: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files[relative(fixtureDir, full).split(sep).join("/")] = await readFile(full, "utf8");
    }
  };
  await walk(fixtureDir);
  for (const name of ["staging", "production"])
    files[`environments/${name}.yaml`] = files[`environments/${name}.yaml`]!.replace(
      "command: npx vite build --outDir dist",
      `command: ${VITE_BUILD}`,
    );
  fastSmoke(files);
  edit(files);
  return testdir(files);
}

/** The example's Hosting sites (created first, as on Firebase). */
export const VITE_SITES = ["vite-chat-staging", "vite-chat-production"];

/** Sets hosting.mode in both environments. */
export function webMode(mode: "template" | "rebuild" | "runtime-config") {
  return (files: Record<string, string>) => {
    for (const name of ["staging", "production"])
      files[`environments/${name}.yaml`] = files[`environments/${name}.yaml`]!.replace(
        "mode: template",
        `mode: ${mode}`,
      );
  };
}
