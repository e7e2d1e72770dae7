import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { LogEntry } from "../../deploy/platform/logs/log-entry.js";
import { LOCATION, PARENT, PROJECT, useTestEmulator, writeTestImage } from "../emulator/helpers.js";
import { runEchogate } from "../helpers/run-cli.js";

const t = useTestEmulator({ idleStopMs: 60_000 });
beforeAll(async () => {
  const environment = (kind: string, name: string) =>
    [
      `kind: ${kind}`,
      "service:",
      "  endpoint: local",
      `  project: ${PROJECT}`,
      `  regions: [${LOCATION}]`,
      `  name: ${name}`,
      `  envFile: .env.${kind}`,
      "",
    ].join("\n");
  await mkdir(join(t.dir, "environments"), { recursive: true });
  await writeFile(join(t.dir, "environments/staging.yaml"), environment("staging", "chat-staging"));
  await writeFile(join(t.dir, "environments/production.yaml"), environment("production", "crashy"));
});

const logs = (args: string[]) =>
  runEchogate(["logs", ...args, "--json"], {
    cwd: t.dir,
    env: { ECHOGATE_EMULATOR_ENDPOINT: t.emulator.apiEndpoint },
  });

describe("echogate logs against the emulator's own revisions", () => {
  it("reads what a real revision printed (timestamped, stderr as ERROR), and defaults to the serving revision", async () => {
    const serving = await writeTestImage(t.imageStoreDir);
    const [created] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "chat-staging",
      service: { template: { containers: [{ image: serving.ref }] } },
    });
    const [service] = await created.promise();
    const quiet = await logs(["staging"]);
    expect(quiet.exitCode, quiet.stderr).toBe(0);
    expect(quiet.json<{ revision: string }>().revision).toBe(service.latestReadyRevision!.split("/").at(-1));

    // A revision that prints two lines on stderr and exits: its log stays for `logs --revision`.
    const crashing = await writeTestImage(t.imageStoreDir, { version: "0.9.0+crash", behavior: "exit" });
    const [failing] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "crashy",
      service: { template: { containers: [{ image: crashing.ref }] } },
    });
    await expect(failing.promise()).rejects.toThrow();
    const [revisions] = await t.clients.revisions.listRevisions({ parent: `${PARENT}/services/crashy` });
    const revision = revisions[0]!.name!.split("/").at(-1)!;
    const run = await logs(["production", "--revision", revision]);
    expect(run.exitCode, run.stderr).toBe(0);
    const entries = run.json<{ entries: LogEntry[] }>().entries;
    // The first start's two lines (a restart, if any, only repeats them).
    expect(entries.slice(0, 2).map((entry) => [entry.severity, entry.text])).toEqual([
      ["ERROR", "boot: loading config"],
      ["ERROR", "fatal: DATABASE_URL is not set"],
    ]);
    expect(entries.length % 2).toBe(0);
    for (const entry of entries) expect(Date.parse(entry.timestamp!)).toBeGreaterThan(Date.now() - 60_000);
  });
});
