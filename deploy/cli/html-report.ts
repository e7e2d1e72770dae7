import { isEchogateError, messageOf } from "../core/errors.js";
import { checkReportTarget, HTML_REPORT, writeReportFile } from "../core/report-target.js";
import { renderHtmlReport } from "../report/render-html.js";
import { buildHtmlReport, type ReportSource } from "../report/report-model.js";
import type { CommandContext } from "./command.js";
import { toolVersion } from "./tool-version.js";

/**
 * Runs a command's work and, with `--report FILE`, writes the HTML report of what it reached,
 * whether it passed or failed (a failed promotion is the one most worth reading). The work fills
 * `source` as it learns things. The data is redacted before rendering and the page after.
 */
export async function withHtmlReport<K extends ReportSource["kind"]>(
  shownAs: string | undefined,
  ctx: CommandContext,
  command: string,
  source: Extract<ReportSource, { kind: K }>,
  work: (source: Extract<ReportSource, { kind: K }>) => Promise<number>,
): Promise<number> {
  if (shownAs === undefined) return work(source);
  const target = await checkReportTarget(HTML_REPORT, ctx.cwd, shownAs);
  const write = async (error?: unknown) => {
    const failure =
      error === undefined
        ? undefined
        : isEchogateError(error)
          ? { message: error.message, hint: error.hint }
          : { message: messageOf(error) };
    const report = buildHtmlReport(ctx.redactor.redactDeep(source as ReportSource), {
      command,
      steps: ctx.output.steps(),
      generatedAt: new Date().toISOString(),
      toolVersion: toolVersion(),
      ...(failure ? { error: ctx.redactor.redactDeep(failure) } : {}),
    });
    await writeReportFile(target, ctx.redactor.redact(renderHtmlReport(report)));
    ctx.output.info(`HTML report written to ${target.shownAs}`);
  };
  let exitCode: number;
  try {
    exitCode = await work(source);
  } catch (error) {
    // The steps the error interrupted belong in the report as the failures they are.
    ctx.output.failOpenSteps("stopped by the error below");
    // The command's own error is what the user must see; a report that can't be written is a warning.
    await write(error).catch((writeError: unknown) => ctx.output.warn((writeError as Error).message));
    throw error;
  }
  await write();
  return exitCode;
}
