import { beforeAll, describe, expect, it } from "vitest";
import { countConfigReads } from "../helpers/count-config-reads.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";

// Every config read goes through the safe reader and the YAML parser: countConfigReads counts
// their calls over one whole invocation, on a module graph of its own.

const project = useEmulatedProject(undefined, { web: true });
beforeAll(async () => {
  const image = await makeImage(project.dir, { version: "0.1.0+once000" });
  for (const argv of [
    ["deploy", "staging", "--image", image.digest],
    ["web", "deploy", "staging"],
  ]) {
    const run = await project.echogate(...argv);
    expect(run.exitCode, run.stderr).toBe(0);
  }
}, 60_000);

describe("one `echogate promote production` reads its project once", () => {
  it("reads every config and env file once and parses every YAML file once, web half included", async () => {
    const { result: run, counts } = await countConfigReads(project.dir, (echogate) =>
      echogate(["promote", "production", "--json"], { cwd: project.dir, env: project.env }),
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json<{ web?: { gate: boolean } }>().web?.gate).toBe(true);

    const files = counts.reads;
    const parses = counts.yamlParses;
    // What promote must read at least: both environments, the schema and both env files.
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        "environments/staging.yaml",
        "environments/production.yaml",
        "environments/env.schema.yaml",
        "environments/.env.staging",
        "environments/.env.production",
      ]),
    );
    expect(Object.entries(files).filter(([, count]) => count > 1)).toEqual([]);
    expect(Object.entries(parses).filter(([, count]) => count > 1)).toEqual([]);
  }, 60_000);
});
