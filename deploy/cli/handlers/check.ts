import type { Diagnostic } from "../../core/diagnostics.js";
import { checkProject } from "../../envfiles/check-project.js";
import { renderCheck } from "../../envfiles/render-check.js";
import type { CommandContext } from "../command.js";

export async function run(ctx: CommandContext): Promise<number> {
  const only = ctx.options.env as string[] | undefined;
  const report = await checkProject(ctx.cwd, { redactor: ctx.redactor, ...(only ? { only } : {}) });
  const errors = report.diagnostics.filter((d) => d.severity === "error");
  const warnings = report.diagnostics.filter((d) => d.severity === "warning");
  ctx.output.diagnostics(errors);
  ctx.output.diagnostics(warnings);
  const json = {
    ok: report.ok,
    environments: report.environments,
    matrix: report.matrix,
    problems: [...errors, ...warnings].map(toProblem),
  };
  // The matrix comes from `data`, which Output has redacted before any cell is shortened.
  ctx.output.result(json, (data, style) => renderCheck({ ...report, matrix: data.matrix }, style));
  return report.exitCode;
}

/** Stable JSON shape: every field present, null when unknown. */
function toProblem(diagnostic: Diagnostic) {
  return {
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
    file: diagnostic.file ?? null,
    line: diagnostic.line ?? null,
    column: diagnostic.column ?? null,
    keyPath: diagnostic.keyPath ?? null,
    hint: diagnostic.hint ?? null,
  };
}
