import fs from "node:fs";
import fsPromises, { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { countConfigReads } from "./count-config-reads.js";
import { testdir } from "./testdir.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** This repo's environments/ plus a YAML file nothing loads. */
async function project(): Promise<string> {
  const files: Record<string, string> = { "notes/unrelated.yaml": "a: 1\n" };
  for (const name of await readdir(join(repoRoot, "environments")))
    files[`environments/${name}`] = await readFile(join(repoRoot, "environments", name), "utf8");
  return testdir(files);
}

const times = (table: Record<string, number>, factor: number) =>
  Object.fromEntries(Object.entries(table).map(([path, n]) => [path, n * factor]));

describe("countConfigReads (the harness behind 'a promote reads each file once')", () => {
  it("counts every read and parse of each file, per file, and nothing it did not read", async () => {
    const cwd = await project();
    const check = async (echogate: Parameters<Parameters<typeof countConfigReads>[1]>[0]) =>
      expect((await echogate(["check"], { cwd })).exitCode).toBe(0);
    const once = (await countConfigReads(cwd, check)).counts;
    const twice = (
      await countConfigReads(cwd, async (echogate) => {
        await check(echogate);
        await check(echogate);
      })
    ).counts;

    for (const file of [
      "environments/staging.yaml",
      "environments/production.yaml",
      "environments/env.schema.yaml",
    ])
      expect(once.yamlParses[file], file).toBeGreaterThanOrEqual(1);
    for (const file of ["environments/.env.staging", "environments/.env.production"]) {
      expect(once.reads[file], file).toBeGreaterThanOrEqual(1);
      expect(once.fsOpens[file], file).toBeGreaterThanOrEqual(1);
    }
    expect(twice.reads).toEqual(times(once.reads, 2));
    expect(twice.yamlParses).toEqual(times(once.yamlParses, 2));
    expect(twice.fsOpens).toEqual(times(once.fsOpens, 2));
    expect(Object.keys(once.fsOpens)).not.toContain("notes/unrelated.yaml");
  }, 30_000);

  it("sees a reader that bypasses the seams in fsOpens, and puts fs back when it returns", async () => {
    const cwd = await project();
    const before = { readFile: fsPromises.readFile, readFileSync: fs.readFileSync };
    const { counts } = await countConfigReads(cwd, () => readFile(join(cwd, "notes/unrelated.yaml"), "utf8"));
    expect(counts).toEqual({
      reads: {},
      missing: [],
      yamlParses: {},
      fsOpens: { "notes/unrelated.yaml": 1 },
    });
    expect({ readFile, readFileSync: fs.readFileSync }).toEqual(before);
  });
});
