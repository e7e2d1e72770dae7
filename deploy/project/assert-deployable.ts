import type { LoadedEnvironment } from "../config/load-environments.js";
import { CheckFailedError, ConfigError } from "../core/errors.js";
import type { Output } from "../core/output.js";
import { shellCommand } from "../core/shell-quote.js";
import type { Project } from "./project.js";

/**
 * `echogate check` for one environment before anything is deployed for it (server or web): the
 * project's own check (files already read are not read again), refusing with every problem listed.
 */
export async function assertDeployable(
  project: Project,
  environment: LoadedEnvironment,
  options: { output: Output; what: string },
): Promise<void> {
  const report = await project.check([environment.name]);
  if (report.ok) return;
  options.output.diagnostics(report.diagnostics);
  const errors = report.diagnostics.filter((d) => d.severity === "error");
  const first = errors[0];
  const Err = report.exitCode === 2 ? ConfigError : CheckFailedError;
  throw new Err(
    "promote.env-invalid",
    `Can't deploy ${options.what}: its config or env file has ${errors.length} error(s)${first ? `; first: ${first.message.replace(/\.$/, "")}` : ""}.`,
    {
      hint: `Run \`${shellCommand(["echogate", "check", "--env", environment.name])}\` and fix every error; nothing was deployed.`,
      details: { diagnostics: report.diagnostics },
    },
  );
}
