import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runEchogate } from "../helpers/run-cli.js";
import { hostingProject } from "./project.js";

// Own emulators (no daemon): the command works on the project's hosting state in-process.
const env = { ECHOGATE_EMULATOR_ENDPOINT: "http://127.0.0.1:9", ECHOGATE_HOSTING_URL: "" };

it("`emulator sites` creates the local sites environments/ names, once; a web deploy to another is 404 (exit 3)", async () => {
  const cwd = await hostingProject();
  await rm(join(cwd, ".echogate"), { recursive: true, force: true });
  const first = await runEchogate(["emulator", "sites", "--json"], { cwd, env });
  expect(first.exitCode, first.stderr).toBe(0);
  const sites = ["chat-preview", "chat-production", "chat-staging"];
  expect(first.json()).toEqual({
    ok: true,
    schemaVersion: 1,
    sites: sites.map((site) => ({ site, project: "demo", created: true })),
  });
  const again = await runEchogate(["emulator", "sites", "--json"], { cwd, env });
  expect(again.json()).toEqual({
    ok: true,
    schemaVersion: 1,
    sites: sites.map((site) => ({ site, project: "demo", created: false })),
  });
  const one = await runEchogate(["emulator", "sites", "other-site", "--project", "p1"], { cwd, env });
  expect(one.exitCode, one.stderr).toBe(0);
  expect(one.stdout).toContain("Created site other-site (project p1)");

  const staging = join(cwd, "environments/staging.yaml");
  await writeFile(
    staging,
    (await readFile(staging, "utf8")).replace("site: chat-staging", "site: chat-typo"),
  );
  const deploy = await runEchogate(["web", "deploy", "staging", "--server-url", "http://127.0.0.1:9"], {
    cwd,
    env,
  });
  expect(deploy.exitCode, deploy.stderr).toBe(3);
  expect(deploy.stderr).toContain("sites/chat-typo not found");
  expect(deploy.stderr).toContain("echogate emulator sites chat-typo");
});
