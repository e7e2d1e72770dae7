import path from "node:path";
import { ensurePrivateDir, readStateFile, writePrivateFile } from "@echogate/common/state-file";
import { pruneFinishedOperations } from "./operation-retention.js";
import { type EmulatorState, emptyState } from "./state-types.js";

/**
 * The emulator's JSON state file. Mutations run one at a time on a copy of the state; the copy is
 * written to a temporary file and renamed over state.json (atomic on POSIX), then it becomes the
 * current state. A mutation that throws changes nothing.
 */
export class StateStore {
  private current: EmulatorState;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    initial: EmulatorState,
  ) {
    this.current = initial;
  }

  static async open(file: string): Promise<StateStore> {
    await ensurePrivateDir(path.dirname(file));
    const parsed = await readStateFile<EmulatorState>(
      file,
      "Cloud Run emulator",
      "services and revisions are forgotten",
    );
    return new StateStore(file, parsed?.schemaVersion === 1 ? { ...emptyState(), ...parsed } : emptyState());
  }

  get state(): Readonly<EmulatorState> {
    return this.current;
  }

  mutate<T>(change: (draft: EmulatorState) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const draft = structuredClone(this.current);
      const result = change(draft);
      pruneFinishedOperations(draft);
      await this.write(draft);
      this.current = draft;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every queued mutation has been written. */
  async flush(): Promise<void> {
    await this.queue;
  }

  private async write(state: EmulatorState): Promise<void> {
    await writePrivateFile(this.file, `${JSON.stringify(state)}\n`);
  }
}
