import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "@echogate/emulator";
import { afterAll, beforeAll } from "vitest";
import type { CloudRunAdapter } from "../../deploy/platform/cloudrun/adapter.js";
import { openAdapter } from "../../deploy/platform/cloudrun/open-adapter.js";
import { EMULATOR_ENDPOINT_ENV } from "../../deploy/platform/cloudrun/target.js";
import { echogate, type ProjectEdit, promotionProject, webPromotionProject } from "./project.js";
import type { CliRun } from "./run-cli.js";

// The Cloud Run emulator is imported on the one line above (startEmulator): every test that needs
// it in-process goes through this module.

export interface TestEmulator {
  emulator: RunningEmulator;
  /** The environment that points echogate at this emulator. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The real emulator in-process on 127.0.0.1:0, reading the project's image store. */
export async function startTestEmulator(projectDir: string): Promise<TestEmulator> {
  const emulator = await startEmulator({
    stateDir: join(projectDir, ".echogate", "emulator"),
    imageStoreDir: join(projectDir, ".echogate", "images"),
    port: 0,
    idleStopMs: 1_000,
    terminationGraceMs: 1_000,
    startupTimeoutMs: 8_000,
  });
  return {
    emulator,
    env: { [EMULATOR_ENDPOINT_ENV]: emulator.apiEndpoint },
    close: () => emulator.close(),
  };
}

/** A Cloud Run adapter on the test emulator, for the project and region of this repo's environments. */
export function adapterFor(emu: TestEmulator): CloudRunAdapter {
  return openAdapter(
    { kind: "emulator", apiEndpoint: emu.emulator.apiEndpoint },
    { project: "echogate-demo", region: "us-central1" },
  );
}

export interface EmulatedProject {
  /** The temp project: this repo's environments/, edited as the test file asked. */
  readonly dir: string;
  readonly emu: TestEmulator;
  /** The environment that points echogate at the emulator. */
  readonly env: Record<string, string>;
  /** An adapter on the emulator, opened on first use and closed after the file's tests. */
  readonly adapter: CloudRunAdapter;
  /** `echogate …` in-process in the project, against the emulator. */
  echogate(...argv: string[]): Promise<CliRun>;
}

/**
 * A `promotionProject` (a `webPromotionProject` with `web: true`) and the emulator serving it for
 * the whole test file: started in a `beforeAll` (so before any `beforeAll` the file registers after
 * this call) and closed, with the adapter, in an `afterAll`. Read its fields inside hooks and
 * tests, not at the file's top level.
 */
export function useEmulatedProject(edit?: ProjectEdit, options: { web?: boolean } = {}): EmulatedProject {
  let dir: string | undefined;
  let emu: TestEmulator | undefined;
  let adapter: CloudRunAdapter | undefined;
  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`useEmulatedProject: ${name} is read before its beforeAll ran.`);
    return value;
  };
  beforeAll(async () => {
    const made = await (options.web ? webPromotionProject : promotionProject)(edit);
    dir = made;
    emu = await startTestEmulator(made);
  }, 30_000);
  afterAll(async () => {
    await adapter?.close();
    await emu?.close();
  });
  return {
    get dir() {
      return started(dir, "dir");
    },
    get emu() {
      return started(emu, "emu");
    },
    get env() {
      return started(emu, "emu").env;
    },
    get adapter() {
      adapter ??= adapterFor(started(emu, "emu"));
      return adapter;
    },
    echogate: (...argv) => echogate(started(dir, "dir"), started(emu, "emu").env, ...argv),
  };
}
