import { formatLocation } from "../../core/source-location.js";
import type { DriftReport } from "./drift-report.js";
import type { DriftMatrix } from "./fact-matrix.js";

/** For `$GITHUB_STEP_SUMMARY` and PR comments: a table and the findings. */
export function renderMarkdown(report: DriftReport): string {
  const { errors, warnings, platformErrors, configErrors } = report.counts;
  const status =
    platformErrors > 0
      ? `⚠️ Failed to read ${platformErrors} service(s)`
      : configErrors > 0
        ? `❌ Can't judge drift: ${configErrors} configuration error(s)`
        : errors > 0
          ? `❌ Drift found: ${errors} error(s), ${warnings} warning(s)`
          : `✅ No blocking drift${warnings > 0 ? ` (${warnings} warning(s))` : ""}`;
  const lines = [`### echogate drift (${report.mode})`, "", `**${status}**`, ""];
  if (report.mode === "live" && report.matrix.columns.length > 0) lines.push(...table(report.matrix), "");
  lines.push("| server entry | file | where |", "| --- | --- | --- |");
  for (const row of report.source)
    lines.push(`| ${row.source} | \`${escapeCell(row.entry)}\` | ${escapeCell(row.where)} |`);
  const envDiffs = report.envFiles.rows.filter((r) => r.state !== "equal");
  if (envDiffs.length > 0)
    lines.push("", "Env file keys that differ:", "", ...table({ ...report.envFiles, rows: envDiffs }));
  lines.push("");
  if (report.findings.length === 0) lines.push("No findings: every rule passed.");
  for (const finding of report.findings) {
    const icon = finding.severity === "error" ? "❌" : "⚠️";
    const where = finding.location ? ` — \`${escapeCell(formatLocation(finding.location))}\`` : "";
    lines.push(`- ${icon} **${finding.rule}**: ${escapeCell(finding.message)}${where}`);
  }
  const overridden = report.rules.filter((r) => r.override);
  if (overridden.length > 0) {
    lines.push("", "Overrides:");
    for (const rule of overridden)
      lines.push(`- \`${rule.id}\` → ${rule.severity}: ${escapeCell(rule.override!.reason)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The same marks as the text matrix: `≠` where a rule fired, `~` where values differ and that is allowed. */
const MARKDOWN_LEGEND = "≠ differs and a rule fired · ~ differs, allowed · ❌ error · ⚠️ warning";

function table(matrix: DriftMatrix): string[] {
  const head = `| fact | ${matrix.columns.map(escapeCell).join(" | ")} |`;
  const rule = `| --- | ${matrix.columns.map(() => "---").join(" | ")} |`;
  const rows = matrix.rows.map((row) => {
    const cells = row.cells.map((cell) => {
      const text = `\`${escapeCell(cell.text)}\``;
      if (cell.flag === "error") return `❌ **${text}**`;
      if (cell.flag === "warning") return `⚠️ ${text}`;
      return row.state === "differs" ? `**${text}**` : text;
    });
    const label =
      row.state === "differs" ? `**${row.label}** ≠` : row.state === "allowed" ? `${row.label} ~` : row.label;
    return `| ${escapeCell(label)} | ${cells.join(" | ")} |`;
  });
  return [head, rule, ...rows, "", `<sub>${MARKDOWN_LEGEND}</sub>`];
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}
