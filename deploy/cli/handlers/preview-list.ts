import { formatDuration } from "../../core/duration.js";
import { ExitCode } from "../../core/exit-codes.js";
import type { Style } from "../../core/output.js";
import type { PreviewRow } from "../../preview/model.js";
import { collectPreviews, openPreviewContext } from "../../preview/preview-context.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { previewListShape } from "../commands/preview.js";

export async function run(args: ArgsOf<typeof previewListShape>, ctx: CommandContext): Promise<number> {
  const context = await openPreviewContext(ctx.project, ctx.platform, args.env);
  const now = new Date();
  const rows = await collectPreviews(context, now);
  ctx.output.result({ previews: rows }, (data, style) => renderTable(data.previews, now, style));
  return ExitCode.ok;
}

function renderTable(rows: readonly PreviewRow[], now: Date, style: Style): string {
  if (rows.length === 0) return "No previews.";
  const header = ["BRANCH", "SERVICE", "WEB URL", "VERSION", "GATE", "AGE", "EXPIRES"];
  const body = rows.map((row) => [
    row.branch,
    row.service ?? "-",
    row.webUrl ?? "-",
    row.version ?? "-",
    row.gate,
    row.ageMs === undefined ? "-" : formatDuration(row.ageMs),
    row.expireTime === undefined
      ? "-"
      : row.expired
        ? "expired"
        : `in ${formatDuration(Date.parse(row.expireTime) - now.getTime())}`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [style.bold(line(header)), ...body.map(line)].join("\n");
}
