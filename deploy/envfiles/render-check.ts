import type { Style } from "../core/output.js";
import type { CheckReport } from "./check-project.js";

const MAX_CELL = 32;
const MISSING = "-";

/** The human rendering of `echogate check`: key × environment matrix and a summary line. */
export function renderCheck(report: CheckReport, style: Style): string {
  const names = report.environments.map((environment) => environment.name);
  const lines: string[] = [];
  if (names.length > 0 && report.variables.length > 0) {
    const label = (variable: CheckReport["variables"][number]): string =>
      `${variable.key}${variable.public ? " (public)" : ""}${variable.declared ? "" : " (undeclared)"}`;
    const rows = report.variables.map((variable) => [
      label(variable),
      ...names.map((name) => truncate(report.matrix[variable.key]?.[name] ?? MISSING)),
    ]);
    const header = ["KEY", ...names];
    const widths = header.map((cell) => cell.length);
    for (const row of rows)
      for (let column = 0; column < row.length; column++)
        widths[column] = Math.max(widths[column]!, row[column]!.length);
    const format = (row: string[]): string =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd();
    lines.push(style.bold(format(header)), ...rows.map(format), "");
  }
  const errors = report.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = report.diagnostics.length - errors;
  const counts = `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${plural(names.length, "environment")}`;
  lines.push(
    errors === 0
      ? `${style.green("✔")} check passed: ${counts}`
      : `${style.red("✖")} check failed: ${counts}`,
  );
  return lines.join("\n");
}

function truncate(value: string): string {
  const oneLine = value.replaceAll("\n", "\\n");
  return oneLine.length > MAX_CELL ? `${oneLine.slice(0, MAX_CELL - 1)}…` : oneLine;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
