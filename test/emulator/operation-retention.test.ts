import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_FINISHED_OPERATIONS } from "../../packages/emulator/src/operation-retention.js";
import { StateStore } from "../../packages/emulator/src/state-store.js";
import type { OperationRecord } from "../../packages/emulator/src/state-types.js";
import { testdir } from "../helpers/testdir.js";

const operation = (n: number, done: boolean): OperationRecord => ({
  id: `op-${String(n).padStart(4, "0")}`,
  project: "p",
  location: "us-central1",
  service: "s",
  kind: "update",
  resultType: "service",
  createTime: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  done,
  response: { name: "x".repeat(2000) },
});

describe("finished operations are pruned from the emulator's state", () => {
  it("keeps the newest finished ones and every unfinished one, and the file stays bounded", async () => {
    const file = join(await testdir({}), "state.json");
    const store = await StateStore.open(file);
    for (let n = 0; n < 3 * MAX_FINISHED_OPERATIONS; n++)
      await store.mutate((draft) => {
        draft.operations[operation(n, true).id] = operation(n, n !== 7);
      });
    const kept = Object.values(store.state.operations);
    expect(kept.filter((op) => op.done)).toHaveLength(MAX_FINISHED_OPERATIONS);
    expect(kept.find((op) => !op.done)?.id).toBe("op-0007");
    const oldestKept = kept
      .filter((op) => op.done)
      .map((op) => op.id)
      .sort()[0];
    expect(oldestKept).toBe(`op-0${2 * MAX_FINISHED_OPERATIONS}`);
    expect((await readFile(file)).length).toBeLessThan((MAX_FINISHED_OPERATIONS + 1) * 2_400);
  });
});
