import { cp, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { createProjectSites } from "../helpers/hosting-sites.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * A git copy of this repo's own project (server/, web/, environments/, package.json) on `branch`
 * in `dir`, so `buildImage` bundles the real reference server and `web deploy` uploads the real
 * chat page. No vitest here: the benches use it too (tests call it with a `testdir`).
 */
export async function realProject(
  dir: string,
  branch: string,
  edit: (dir: string) => Promise<void> = async () => {},
) {
  for (const entry of [
    "package.json",
    "tsconfig.json",
    "Dockerfile.minimal",
    "server",
    "web",
    "environments",
  ])
    await cp(join(repoRoot, entry), join(dir, entry), { recursive: true });
  await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
  await writeFile(join(dir, ".gitignore"), "node_modules/\n.echogate/\n");
  await edit(dir);
  const git = (...args: string[]) =>
    execa("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir });
  await git("init", "-q", "-b", branch);
  await git("add", "-A");
  await git("commit", "-qm", "init");
  await createProjectSites(dir);
  return dir;
}
