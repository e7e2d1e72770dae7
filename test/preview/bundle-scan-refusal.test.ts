import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildImage } from "../../deploy/build/build-image.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulated-project.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";
import { hostingEmulator } from "../hosting/fixtures.js";
import { realProject } from "./real-project.js";

const emulators: TestEmulator[] = [];
afterAll(async () => {
  await Promise.allSettled(emulators.map((emulator) => emulator.close()));
});

describe("preview deploy scans the web build on resolved facts", () => {
  it("refuses a build carrying staging's live (emulator loopback) URL or a Cloud Run URL of production, before upload", async () => {
    const cwd = await realProject(await testdir({}), "feature/scan");
    const image = await buildImage({ projectDir: cwd });
    const cloudRun = await startTestEmulator(cwd);
    emulators.push(cloudRun);
    const { emulator: hosting } = await hostingEmulator({ dir: join(cwd, ".echogate", "hosting") });
    const env = { ...cloudRun.env, ECHOGATE_HOSTING_URL: hosting.url, GITHUB_HEAD_REF: "" };
    const staged = await runEchogate(["deploy", "staging", "--image", image.digest, "--json"], { cwd, env });
    expect(staged.exitCode, staged.stderr).toBe(0);
    const stagingHost = new URL(staged.json<{ outcome: { url: string } }>().outcome.url).host;
    await writeFile(
      join(cwd, "web", "public", "fallback.js"),
      `export const servers = ["ws://${stagingHost}", "wss://echogate-chat-production-hfttiarlja-uc.a.run.app"];\n`,
    );
    hosting.resetStats();
    const preview = await runEchogate(["preview", "deploy", "--branch", "feature/scan", "--json"], {
      cwd,
      env,
    });
    expect(preview.exitCode).toBe(1);
    const { message } = preview.json<{ error: { message: string } }>().error;
    expect(message).toContain(`/fallback.js:1:31 (byte 30): contains staging's live server "${stagingHost}"`);
    expect(message).toContain(
      `contains production's server (Cloud Run service echogate-chat-production) "echogate-chat-production-hfttiarlja-uc.a.run.app"`,
    );
    expect(hosting.stats.byRoute["versions.create"]).toBeUndefined();
  }, 60_000);
});
