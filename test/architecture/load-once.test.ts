import { beforeAll, describe, expect, it, vi } from "vitest";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";

// Every config read goes through these two functions (the safe reader and the YAML parser), so
// counting their calls counts the reads and parses of one whole invocation.
const reads = vi.hoisted(() => ({ files: [] as string[], parses: [] as string[] }));

vi.mock("../../deploy/core/read-config-file.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../deploy/core/read-config-file.js")>();
  return {
    ...original,
    readConfigFile: (path: string, maxBytes: number) => {
      reads.files.push(path);
      return original.readConfigFile(path, maxBytes);
    },
  };
});

vi.mock("../../deploy/config/yaml-source.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../deploy/config/yaml-source.js")>();
  return {
    ...original,
    parseYamlSource: (file: string, text: string) => {
      reads.parses.push(file);
      return original.parseYamlSource(file, text);
    },
  };
});

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

/** How many times each item occurs, for a readable failure. */
function tally(items: readonly string[], root: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const key = item.startsWith(root) ? item.slice(root.length + 1) : item;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe("one `echogate promote production` reads its project once", () => {
  it("reads every config and env file once and parses every YAML file once, web half included", async () => {
    reads.files.length = 0;
    reads.parses.length = 0;
    const run = await project.echogate("promote", "production", "--json");
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json<{ web?: { gate: boolean } }>().web?.gate).toBe(true);

    const files = tally(reads.files, project.dir);
    const parses = tally(reads.parses, project.dir);
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
