import { PlatformError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { emulatorStatus, ensureEmulator, stopEmulator } from "../../emulator/index.js";
import type { CommandContext } from "../command.js";

export async function start(ctx: CommandContext): Promise<number> {
  const step = ctx.output.step("Start the Cloud Run emulator");
  try {
    const { apiEndpoint, pid } = await ensureEmulator(ctx.cwd);
    step.done(apiEndpoint);
    ctx.output.result(
      { running: true, apiEndpoint, pid },
      (d) => `Emulator running at ${d.apiEndpoint} (pid ${d.pid}).`,
    );
    return ExitCode.ok;
  } catch (error) {
    step.fail();
    throw new PlatformError(
      "emulator.start",
      `Failed to start the Cloud Run emulator: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: "See .echogate/emulator/daemon.log; `echogate emulator stop` clears a half-started one.",
        cause: error,
      },
    );
  }
}

export async function stop(ctx: CommandContext): Promise<number> {
  const { stopped } = await stopEmulator(ctx.cwd);
  ctx.output.result({ stopped }, (d) => (d.stopped ? "Emulator stopped." : "Emulator was not running."));
  return ExitCode.ok;
}

export async function status(ctx: CommandContext): Promise<number> {
  const state = await emulatorStatus(ctx.cwd);
  ctx.output.result(
    {
      running: state.running,
      apiEndpoint: state.apiEndpoint ?? null,
      ...(state.pid ? { pid: state.pid } : {}),
    },
    (d) =>
      d.running
        ? `Emulator running at ${d.apiEndpoint}.`
        : "Emulator is not running (`echogate emulator start`).",
  );
  return ExitCode.ok;
}
