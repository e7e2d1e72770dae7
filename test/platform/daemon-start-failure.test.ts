import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { promotionProject } from "../helpers/project.js";
import { runEchogate } from "../helpers/run-cli.js";

it("a daemon that can't start is a platform failure naming both emulators and where to look (exit 3)", async () => {
  const cwd = await promotionProject();
  // The daemon keeps its state in .echogate/emulator/; a file there stops it before it spawns.
  await writeFile(join(cwd, ".echogate", "emulator"), "not a directory\n");
  const run = await runEchogate(["deploy", "staging", "--dry-run", "--json"], {
    cwd,
    env: { ECHOGATE_EMULATOR_ENDPOINT: "", ECHOGATE_HOSTING_URL: "" },
  });
  expect(run.exitCode).toBe(3);
  const error = JSON.parse(run.stdout) as { error: { code: string; message: string; hint: string } };
  expect(error.error).toMatchObject({
    code: "emulator.start",
    message: expect.stringContaining("Failed to start the local Cloud Run and Hosting emulators"),
    hint: expect.stringContaining("echogate emulator start"),
  });
});
