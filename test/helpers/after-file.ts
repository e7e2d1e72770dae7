// Cleanups a test helper registers for "after this test file": removing the folders it made,
// closing the emulators it started. The setup file after-file-hook.ts runs them in each file's
// afterAll. A helper must not call afterAll at its module's top level: unit and system files share
// worker processes (isolate: false), a module is imported once per worker, and such a hook would
// run after the first file that imported it only (test/architecture/test-hooks.test.ts).

const cleanups: (() => Promise<unknown> | unknown)[] = [];

/** Runs `cleanup` once the current test file's tests (and its own afterAll hooks) are done. */
export function afterThisFile(cleanup: () => Promise<unknown> | unknown): void {
  cleanups.push(cleanup);
}

/** Runs and forgets every registered cleanup; one that fails does not stop the others. */
export async function runFileCleanups(): Promise<void> {
  await Promise.allSettled(cleanups.splice(0).map(async (cleanup) => cleanup()));
}
