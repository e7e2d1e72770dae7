import { join, resolve } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { validEnvProject } from "../helpers/env-fixtures.js";
import { useLoopbackGoogle } from "../helpers/loopback-google.js";
import { testdir } from "../helpers/testdir.js";

const ROOT = resolve(import.meta.dirname, "../..");
const google = useLoopbackGoogle();

describe("no Google credentials at all", () => {
  it("status and drift exit 3 naming the missing credentials (status with the login hint), no crash and no bundled source on stderr", async () => {
    // A project on Google with no credentials anywhere: no key, no gcloud ADC, no metadata server.
    const project = await testdir(validEnvProject());
    for (const argv of [
      ["status", "staging", "--json"],
      ["drift", "--env", "staging"],
    ]) {
      const run = await execa(process.execPath, [join(ROOT, "bin/echogate.js"), ...argv, "--cwd", project], {
        reject: false,
        env: google.env({ HOME: project, CLOUDSDK_CONFIG: join(project, ".gcloud") }),
        extendEnv: false,
        timeout: 60_000,
      });
      const output = run.stdout + run.stderr;
      expect(run.exitCode, `${argv.join(" ")}: ${output.slice(0, 2000)}`).toBe(3);
      expect(output).toContain("Could not load the default credentials");
      if (argv[0] === "status") expect(output).toContain("gcloud auth application-default login");
      expect(output).not.toContain("unhandled");
      expect(output).not.toContain(".cjs:");
      expect(run.stderr.length).toBeLessThan(4_000);
    }
  }, 60_000);
});
