import { existsSync } from "node:fs";
import { mkdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildOnce } from "./build-once.js";
import { testdir } from "./testdir.js";

describe("buildOnce", () => {
  it("builds once for callers racing on the same folder; the others wait for it", async () => {
    const dir = join(await testdir({}), "cache", "thing");
    let builds = 0;
    const marker = join(dir, "done");
    const build = async () => {
      builds++;
      await mkdir(dir, { recursive: true });
      await new Promise((resolve) => setImmediate(resolve));
      await writeFile(marker, "x");
    };
    await Promise.all(
      Array.from({ length: 5 }, () => buildOnce(dir, async () => existsSync(marker), build, { pollMs: 5 })),
    );
    expect(builds).toBe(1);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it("takes over a lock left by a killed builder once it is stale, and not before", async () => {
    const dir = join(await testdir({}), "thing");
    await mkdir(`${dir}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${dir}.lock`, old, old);
    let built = false;
    await buildOnce(
      dir,
      async () => built,
      async () => {
        built = true;
      },
      { staleLockMs: 30_000, pollMs: 5 },
    );
    expect(built).toBe(true);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it("releases the lock when the build throws, so the next caller builds", async () => {
    const dir = join(await testdir({}), "thing");
    const failing = buildOnce(
      dir,
      async () => false,
      async () => Promise.reject(new Error("boom")),
    );
    await expect(failing).rejects.toThrow("boom");
    let built = false;
    await buildOnce(
      dir,
      async () => built,
      async () => {
        built = true;
      },
    );
    expect(built).toBe(true);
  });
});
