import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StateStore } from "../../deploy/emulator/state-store.js";
import { loadState } from "../../deploy/hosting/emulator/state.js";

describe("an emulator state file that can't be read", () => {
  it("is named in the error, with what deleting it costs, for both emulators", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "echogate-state-"));
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
    const dir = await mkdtemp(path.join(tmpdir(), "echogate-state-"));
    expect((await loadState(path.join(dir, "state.json"))).sites).toEqual({});
  });
});
