import { resolve } from "node:path";
import type { Writable } from "node:stream";
import { findProjectDir } from "../config/find-project-dir.js";
import { UsageError } from "../core/errors.js";
import { ExitCode } from "../core/exit-codes.js";
import { Output } from "../core/output.js";
import { Redactor } from "../core/redact.js";
import { colorEnabled, liveProgressEnabled } from "../core/terminal.js";
import { withImpersonation } from "../platform/cloudrun/id-token-flow.js";
import { closest } from "./did-you-mean.js";
import { renderCommandHelp, renderMainHelp } from "./help.js";
import { parseInvocation } from "./parse-args.js";
import { commands, commandsInGroup, resolveCommand } from "./registry.js";
import { toolVersion } from "./tool-version.js";

interface CliIo {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdout?: Writable;
  stderr?: Writable;
  isTTY?: boolean;
  signal?: AbortSignal;
}

/** Runs one echogate invocation and returns its exit code; never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const isTTY = io.isTTY ?? Boolean(process.stdout.isTTY);
  // Live lines are drawn on stderr, so it is stderr that must be a terminal.
  const live = liveProgressEnabled({ env, isTTY: io.isTTY ?? Boolean(process.stderr.isTTY) });
  const wantsJson = argv.includes("--json");
  const bootstrapOutput = new Output({
    json: wantsJson,
    color: colorEnabled({ env, isTTY, noColorFlag: argv.includes("--no-color"), json: wantsJson }),
    debug: argv.includes("--debug"),
    ...(io.stdout ? { stdout: io.stdout } : {}),
    ...(io.stderr ? { stderr: io.stderr } : {}),
  });

  if (argv[0] === "--version" || argv[0] === "-v") {
    bootstrapOutput.result({ version: toolVersion() }, (data) => data.version);
    return ExitCode.ok;
  }
  const resolved = resolveCommand(argv);
  if (!resolved) return unresolved(argv, bootstrapOutput);

  const redactor = new Redactor();
  let output = bootstrapOutput;
  let platform: import("../platform/platform.js").Platform | undefined;
  try {
    // Without --cwd, the project is the nearest directory holding environments/ (as git finds .git);
    // `init` creates one, so it stays where it is run.
    const projectDir = resolved.command.name === "init" ? undefined : findProjectDir(cwd);
    const invocation = parseInvocation(resolved.command, resolved.rest, {
      cwd: projectDir ?? cwd,
      env,
      isTTY,
    });
    output = new Output({
      json: invocation.globals.json,
      quiet: invocation.globals.quiet,
      color: invocation.globals.color,
      debug: invocation.globals.debug,
      live,
      ...terminalWidth(io, isTTY),
      redactor,
      ...(io.stdout ? { stdout: io.stdout } : {}),
      ...(io.stderr ? { stderr: io.stderr } : {}),
    });
    if (invocation.help) {
      output.result(null, (_data, style) => renderCommandHelp(resolved.command, style));
      return ExitCode.ok;
    }
    if (projectDir && invocation.globals.cwd === projectDir && resolve(projectDir) !== resolve(cwd)) {
      const message = `Using the project in ${projectDir} (the nearest directory holding environments/, above ${cwd}).`;
      if (output.json) output.event({ event: "notice", message, projectDir });
      else output.info(message);
    }
    const [module, { Project }, { Platform }] = await Promise.all([
      resolved.command.load(),
      import("../project/project.js"),
      import("../platform/platform.js"),
    ]);
    const announced = output;
    const notices = (message: string) =>
      announced.json ? announced.event({ event: "notice", message }) : announced.info(message);
    // Absolute, so a relative `--cwd .` means the same to every consumer (esbuild refuses a relative one).
    const dir = resolve(cwd, invocation.globals.cwd);
    platform = new Platform(
      dir,
      withImpersonation(env, invocation.globals.impersonateServiceAccount),
      notices,
    );
    return await module.run(invocation.args as never, {
      project: new Project(dir, redactor),
      platform,
      output,
      redactor,
      signal: io.signal ?? new AbortController().signal,
      env,
      globals: invocation.globals,
      cwd: dir,
    });
  } catch (error) {
    return output.error(error);
  } finally {
    output.close();
    await platform?.close();
  }
}

function suggestion(input: string | undefined, names: string[]): string {
  const near = input ? closest(input, names) : undefined;
  return near
    ? `Did you mean \`echogate ${near}\`? Run \`echogate --help\` to list the commands.`
    : "Run `echogate --help` to list the commands.";
}

/** No command matched: help when asked for, else a usage error naming the closest command. */
function unresolved(argv: readonly string[], output: Output): number {
  const words = argv.filter((arg) => !arg.startsWith("-"));
  const [first, second] = words;
  const group = first ? commandsInGroup(first) : [];
  if (!first || argv.includes("--help") || argv.includes("-h")) {
    output.result(null, (_data, style) => renderMainHelp(group.length ? group : commands, style));
    return first && group.length === 0 ? ExitCode.config : ExitCode.ok;
  }
  const names = commands.map((command) => command.name);
  if (group.length > 0 && !second) {
    return output.error(
      new UsageError(`Missing the ${first} command: ${group.map((c) => c.name).join(", ")}.`, {
        hint: `Run \`echogate ${first} --help\` for what each does.`,
      }),
    );
  }
  const typed = group.length > 0 ? `${first} ${second}` : first;
  return output.error(new UsageError(`Unknown command "${typed}".`, { hint: suggestion(typed, names) }));
}

/** The width tables and live lines fit, when stdout is a terminal that reports one. */
function terminalWidth(io: CliIo, isTTY: boolean): { columns?: number } {
  if (!isTTY) return {};
  const columns = ((io.stdout ?? process.stdout) as { columns?: number }).columns;
  return typeof columns === "number" && columns > 0 ? { columns } : {};
}
