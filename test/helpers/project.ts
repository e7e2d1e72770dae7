import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createProjectSites } from "./hosting-sites.js";
import { runEchogate } from "./run-cli.js";
import { testdir } from "./testdir.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Changes a project's files (relative path → content) before they are written. */
export type ProjectEdit = (files: Record<string, string>) => void;

/** A temp project with this repo's own environments/ (staging, production, …), optionally edited. */
export async function promotionProject(edit: ProjectEdit = () => {}): Promise<string> {
  const files: Record<string, string> = {};
  const dir = join(repoRoot, "environments");
  for (const name of await readdir(dir))
    files[`environments/${name}`] = await readFile(join(dir, name), "utf8");
  files["package.json"] = JSON.stringify({ name: "fixture", version: "0.1.0", private: true });
  edit(files);
  const projectDir = await testdir(files);
  await createProjectSites(projectDir);
  return projectDir;
}

/** `promotionProject` plus this repo's web/public chat page and fast smoke timeouts. */
export async function webPromotionProject(edit: ProjectEdit = () => {}): Promise<string> {
  const webDir = join(repoRoot, "web", "public");
  const web: Record<string, string> = {};
  for (const name of await readdir(webDir))
    web[`web/public/${name}`] = await readFile(join(webDir, name), "utf8");
  return promotionProject((files) => {
    fastSmoke(files);
    Object.assign(files, web);
    edit(files);
  });
}

/** `echogate …` in-process against the test emulator. */
export function echogate(projectDir: string, emulatorEnv: Record<string, string>, ...argv: string[]) {
  return runEchogate(argv, { cwd: projectDir, env: emulatorEnv });
}

/** Shorter smoke timeouts so failing gates fail fast in tests. */
export function fastSmoke(files: Record<string, string>): void {
  for (const name of ["staging", "production", "preview"]) {
    const key = `environments/${name}.yaml`;
    if (files[key]) files[key] += "smoke:\n  health: { timeoutMs: 3000 }\n  echo: { timeoutMs: 1500 }\n";
  }
}

/** fastSmoke, plus a canary rollout [10, 50, 100] on staging with the backplane partial steps need. */
export function canaryStaging(files: Record<string, string>): void {
  fastSmoke(files);
  files["environments/staging.yaml"] = files["environments/staging.yaml"]!.replace(
    "  envFile: .env.staging\n",
    "  envFile: .env.staging\n  backplane: redis\n",
  ).concat("rollout:\n  steps: [10, 50, 100]\n");
}
