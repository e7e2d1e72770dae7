import { formatDuration } from "../../core/duration.js";
import type { Style } from "../../core/output.js";
import { formatLocation } from "../../core/source-location.js";
import { describeAddon } from "../../source/native-addons.js";
import type { Finding } from "../rules.js";
import type { DriftReport } from "./drift-report.js";
import type { DriftMatrix, MatrixCell } from "./fact-matrix.js";

const CELL_MAX = 30;
/** Beyond this many columns a grid stops fitting a terminal: rows are summarised by value instead. */
const GRID_MAX_COLUMNS = 6;
const MARK = { error: "✖", warning: "!" } as const;

/** The human report: matrix, source entries, findings with the rule that fired, overrides, summary. */
export function renderText(report: DriftReport, style: Style): string {
  const lines: string[] = [];
  const { facts } = report;
  const live = facts.mode === "live" ? facts.environments.filter((e) => e.live) : facts.environments;
  const sourceOnly = facts.environments.filter((e) => !live.includes(e)).map((e) => e.name);
  const envNames = [
    live.map((e) => e.name).join(", ") || "none",
    ...(sourceOnly.length > 0 ? [`source facts only: ${sourceOnly.join(", ")}`] : []),
  ].join("; ");
  lines.push(
    style.bold(
      `echogate drift — ${facts.mode === "source" ? "source only" : "live"}, ${live.length} environment(s)`,
    ) + style.dim(` (${envNames}; ${formatDuration(facts.ms)})`),
    "",
  );
  if (facts.mode === "live" && report.matrix.columns.length > 0) {
    lines.push(...renderMatrix(report.matrix, style), "");
  } else if (facts.mode === "live" && facts.environments.length > 0) {
    lines.push(
      style.yellow(
        "No service read: local and preview environments are read live only when named (--env <name>).",
      ),
      "",
    );
  }
  lines.push(style.bold("Server entry"));
  const width = Math.max(...report.source.map((r) => r.source.length));
  const entries = new Set(report.source.filter((r) => !r.entry.startsWith("(")).map((r) => r.entry));
  for (const row of report.source) {
    const entry = entries.size > 1 ? style.yellow(row.entry) : style.dim(row.entry);
    lines.push(`  ${row.source.padEnd(width)}  ${entry}  ${style.dim(row.where)}`);
  }
  const native = report.facts.source.native;
  if (native && native.addons.length > 0) {
    lines.push(
      "",
      `${style.bold("Native addons")} ${style.dim(`(production dependencies; built by ${native.dockerfile ?? "no Dockerfile"})`)}`,
    );
    for (const addon of native.addons) lines.push(`  ${describeAddon(addon)}`);
  }
  const envDiffs = report.envFiles.rows.filter((r) => r.state !== "equal");
  if (report.envFiles.columns.length > 1) {
    lines.push("", style.bold("Env files"));
    if (envDiffs.length === 0) {
      lines.push(
        style.dim(`  ${report.envFiles.rows.length} keys, the same in ${report.envFiles.columns.join(", ")}`),
      );
    } else {
      lines.push(...renderMatrix({ columns: report.envFiles.columns, rows: envDiffs }, style));
    }
  }
  lines.push("", ...renderFindings(report.findings, style));
  const overridden = report.rules.filter((r) => r.override);
  if (overridden.length > 0) {
    lines.push("", style.bold(`Overrides${report.policyFile ? ` (${report.policyFile})` : ""}`));
    for (const rule of overridden) {
      const change =
        rule.severity === rule.defaultSeverity ? rule.severity : `${rule.defaultSeverity} → ${rule.severity}`;
      lines.push(
        `  ${rule.id}: ${change} — ${rule.override!.reason} ${style.dim(`(${formatLocation(rule.override!.location)})`)}`,
      );
    }
  }
  lines.push("", summary(report, style));
  return lines.join("\n");
}

function renderMatrix(matrix: DriftMatrix, style: Style): string[] {
  return matrix.columns.length > GRID_MAX_COLUMNS ? renderGrouped(matrix, style) : renderGrid(matrix, style);
}

/** Wide matrices: one line per equal row, and for differing rows each value with the columns that have it. */
function renderGrouped(matrix: DriftMatrix, style: Style): string[] {
  const lines = [style.dim(`  ${matrix.columns.length} columns: ${matrix.columns.join(", ")}`)];
  for (const row of matrix.rows) {
    const values = new Map<string, string[]>();
    row.cells.forEach((cell, i) => {
      const key = cellText(cell);
      values.set(key, [...(values.get(key) ?? []), matrix.columns[i]!]);
    });
    const rules = row.rules.length > 0 ? style.dim(`  ← ${row.rules.join(", ")}`) : "";
    if (values.size === 1) {
      const [value] = values.keys();
      lines.push(`  ${style.dim(`${row.label}: ${value} (all)`)}${rules}`);
      continue;
    }
    lines.push(`${row.state === "differs" ? "≠" : "~"} ${row.label}:${rules}`);
    for (const [value, columns] of [...values].sort((a, b) => b[1].length - a[1].length)) {
      const shown =
        columns.length > 8
          ? `${columns.slice(0, 8).join(", ")} … (+${columns.length - 8})`
          : columns.join(", ");
      lines.push(
        `      ${value.endsWith(MARK.error) ? style.red(value) : value}  ${style.dim(`${columns.length}: ${shown}`)}`,
      );
    }
  }
  return lines;
}

function renderGrid(matrix: DriftMatrix, style: Style): string[] {
  const labelWidth = Math.max(4, ...matrix.rows.map((r) => r.label.length));
  const texts = matrix.rows.map((row) => row.cells.map(cellText));
  const widths = matrix.columns.map((column, i) =>
    Math.max(column.length, ...texts.map((cells) => cells[i]!.length)),
  );
  const lines = [
    `  ${"".padEnd(labelWidth)}  ${matrix.columns.map((c, i) => style.bold(c.padEnd(widths[i]!))).join("  ")}`,
  ];
  matrix.rows.forEach((row, r) => {
    const mark = row.state === "differs" ? "≠" : row.state === "allowed" ? "~" : " ";
    const cells = row.cells.map((cell, i) => paint(cell, texts[r]![i]!.padEnd(widths[i]!), row.state, style));
    const label =
      row.state === "equal" ? style.dim(row.label.padEnd(labelWidth)) : row.label.padEnd(labelWidth);
    const rules = row.rules.length > 0 ? style.dim(`  ← ${row.rules.join(", ")}`) : "";
    lines.push(`${mark} ${label}  ${cells.join("  ")}${rules}`.trimEnd());
  });
  lines.push(style.dim("  ≠ differs and a rule fired   ~ differs, allowed   ✖ error   ! warning"));
  return lines;
}

function cellText(cell: MatrixCell): string {
  const text = cell.text.length > CELL_MAX ? `${cell.text.slice(0, CELL_MAX - 1)}…` : cell.text;
  return cell.flag ? `${text} ${MARK[cell.flag]}` : text;
}

function paint(cell: MatrixCell, text: string, state: string, style: Style): string {
  if (cell.flag === "error") return style.red(text);
  if (cell.flag === "warning") return style.yellow(text);
  return state === "equal" ? style.dim(text) : text;
}

function renderFindings(findings: readonly Finding[], style: Style): string[] {
  // Nothing fired: the closing summary line ("Clean: …") says so once.
  if (findings.length === 0) return [];
  const lines = [style.bold("Findings")];
  const sorted = [...findings].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1,
  );
  for (const finding of sorted) {
    const head =
      finding.severity === "error"
        ? style.red(`${MARK.error} error  `)
        : style.yellow(`${MARK.warning} warning`);
    lines.push(`  ${head} ${style.bold(finding.rule)}: ${finding.message}`);
    if (finding.location) lines.push(`            ${style.dim(`at ${formatLocation(finding.location)}`)}`);
    if (finding.hint) lines.push(`            ${style.dim(`hint: ${finding.hint}`)}`);
  }
  return lines;
}

function summary(report: DriftReport, style: Style): string {
  const { errors, warnings, platformErrors } = report.counts;
  const counts = `${errors} error(s), ${warnings} warning(s)`;
  if (platformErrors > 0) {
    const failed = report.facts.targets.filter((t) => t.status === "error");
    return style.red(
      `Failed to read ${platformErrors} service(s) (${failed.map((t) => `${t.column}: ${t.detail ?? "error"}`).join("; ")}); ${counts}.`,
    );
  }
  if (report.counts.configErrors > 0)
    return style.red(
      `Can't judge drift: ${report.counts.configErrors} configuration error(s) above (fix them and run again); ${counts}.`,
    );
  if (errors > 0) return style.red(`Drift found: ${counts}.`);
  return warnings > 0 ? style.yellow(`No blocking drift: ${counts}.`) : style.green(`Clean: ${counts}.`);
}
