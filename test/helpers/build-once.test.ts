import { existsSync } from "node:fs";
import { mkdir, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildOnce } from "./build-once.js";
import { testdir } from "./testdir.js";

/** A build that only counts, and whether it (or someone else) has built. */
function counted() {
  const state = { built: false, builds: 0 };
  return {
    state,
    isBuilt: async () => state.built,
    build: async () => {
      state.builds++;
      state.built = true;
    },
  };
}

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

  it("waits on a live holder's lock, and returns without building once the holder has built", async () => {
    const dir = join(await testdir({}), "thing");
    await mkdir(`${dir}.lock`);
    const { state, isBuilt, build } = counted();
    let polls = 0;
    const waiting = buildOnce(
      dir,
      async () => {
        if (++polls === 3) {
          state.built = true;
          await rm(`${dir}.lock`, { recursive: true });
        }
        return state.built;
      },
      build,
      { pollMs: 5 },
    );
    await waiting;
    expect(state.builds).toBe(0);
    expect(polls).toBeGreaterThanOrEqual(3);
    await expect(isBuilt()).resolves.toBe(true);
  });

  it("takes over a lock left by a killed builder once it is stale", async () => {
    const dir = join(await testdir({}), "thing");
    await mkdir(`${dir}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${dir}.lock`, old, old);
    const { state, isBuilt, build } = counted();
    await buildOnce(dir, isBuilt, build, { staleLockMs: 30_000, pollMs: 5 });
    expect(state.builds).toBe(1);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it("releases the lock when the build throws, so the next caller builds", async () => {
    const dir = join(await testdir({}), "thing");
    const failing = buildOnce(
      dir,
      async () => false,
      () => Promise.reject(new Error("boom")),
    );
    await expect(failing).rejects.toThrow("boom");
    const { state, isBuilt, build } = counted();
    await buildOnce(dir, isBuilt, build);
    expect(state.builds).toBe(1);
  });
});
