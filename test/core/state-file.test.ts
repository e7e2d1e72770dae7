import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadState, StateWriter } from "../../packages/emulator/src/hosting/state.js";
import { StateStore } from "../../packages/emulator/src/state-store.js";
import { testdir } from "../helpers/testdir.js";

describe("an emulator state file that can't be read", () => {
  it("is named in the error, with what deleting it costs, for both emulators", async () => {
    const dir = await testdir({});
    const file = path.join(dir, "state.json");
    await writeFile(file, '{"schemaVersion": 1, "services": {');
    await expect(StateStore.open(file)).rejects.toThrow(
      new RegExp(`Can't read the Cloud Run emulator's state ${file}: .*services and revisions are forgotten`),
    );
    await expect(loadState(file)).rejects.toThrow(
      new RegExp(`Can't read the Hosting emulator's state ${file}: .*uploaded web builds are lost`),
    );
  });

  it("starts empty when there is no file yet", async () => {
    const dir = await testdir({});
    expect((await loadState(path.join(dir, "state.json"))).sites).toEqual({});
  });
});

describe("two writers of one state file in one process", () => {
  it("never collide on the temp file (each write lands whole)", async () => {
    const dir = await testdir({});
    const file = path.join(dir, ".echogate", "hosting", "state.json");
    const first = new StateWriter(file);
    const second = new StateWriter(file);
    const writes = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? first : second).save({ version: 1, sites: {}, operations: { [`op${i}`]: {} as never } }),
    );
    await expect(Promise.all(writes)).resolves.toHaveLength(20);
    const saved = JSON.parse(await readFile(file, "utf8")) as { version: number };
    expect(saved.version).toBe(1);
  });
});
