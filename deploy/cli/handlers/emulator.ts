import { messageOf, PlatformError } from "../../core/errors.js";
import { ExitCode } from "../../core/exit-codes.js";
import { emulatorStatus, ensureEmulator, stopEmulator } from "../../platform/emulator-lifecycle.js";
import type { CommandContext } from "../command.js";

export async function start(_args: unknown, ctx: CommandContext): Promise<number> {
  let started: Awaited<ReturnType<typeof ensureEmulator>>;
  try {
    started = await ctx.output.run(
      "Start the Cloud Run and Hosting emulators",
      () => ensureEmulator(ctx.cwd),
      {
        done: (running) => running.apiEndpoint,
      },
    );
  } catch (error) {
    throw new PlatformError("emulator.start", `Failed to start the emulators: ${messageOf(error)}`, {
      hint: "See .echogate/emulator/daemon.log; `echogate emulator stop` clears a half-started one.",
      cause: error,
    });
  }
  const { apiEndpoint, hostingEndpoint, pid } = started;
  ctx.output.result({ running: true, apiEndpoint, hostingEndpoint: hostingEndpoint ?? null, pid }, (d) =>
    [
      `Emulators running (pid ${d.pid}):`,
      `  Cloud Run API  ${d.apiEndpoint}`,
      `  Hosting API    ${d.hostingEndpoint ?? "(not running: restart with `echogate emulator stop` then start)"}`,
    ].join("\n"),
  );
  return ExitCode.ok;
}

export async function stop(_args: unknown, ctx: CommandContext): Promise<number> {
  const { stopped, orphansEnded } = await stopEmulator(ctx.cwd);
  ctx.output.result({ stopped, orphansEnded }, (d) =>
    d.stopped
      ? "Emulators stopped (Cloud Run and Hosting)."
      : `Emulators were not running${d.orphansEnded ? `; ended ${d.orphansEnded} revision process(es) a killed emulator left behind` : ""}.`,
  );
  return ExitCode.ok;
}

export async function status(_args: unknown, ctx: CommandContext): Promise<number> {
  const state = await emulatorStatus(ctx.cwd);
  ctx.output.result(
    {
      running: state.running,
      apiEndpoint: state.apiEndpoint ?? null,
      hostingEndpoint: state.hostingEndpoint ?? null,
      ...(state.pid ? { pid: state.pid } : {}),
    },
    (d) =>
      d.running
        ? `Emulators running: Cloud Run API ${d.apiEndpoint}, Hosting API ${d.hostingEndpoint ?? "(none)"}.`
        : "Emulators are not running (`echogate emulator start`).",
  );
  return ExitCode.ok;
}
