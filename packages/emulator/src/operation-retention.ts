import type { EmulatorState } from "./state-types.js";

/**
 * Finished operations kept for `operations.get` / `list` (AIP-151 asks only that an operation stay
 * readable for a while after it finishes). Without a bound, state.json grew with every write and
 * was rewritten whole each time.
 */
export const MAX_FINISHED_OPERATIONS = 100;

/** Drops all but the newest `keep` finished operations; unfinished ones always stay. Mutates `state`. */
export function pruneFinishedOperations(state: EmulatorState, keep = MAX_FINISHED_OPERATIONS): void {
  const finished = Object.values(state.operations)
    .filter((op) => op.done)
    .sort((a, b) => b.createTime.localeCompare(a.createTime) || b.id.localeCompare(a.id));
  for (const op of finished.slice(keep)) delete state.operations[op.id];
}
