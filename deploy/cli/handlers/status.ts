import { stripVTControlCharacters } from "node:util";
import { ExitCode } from "../../core/exit-codes.js";
import type { Style } from "../../core/output.js";
import { collectStatus, type EnvironmentStatus, formatAge } from "../../promote/status.js";
import type { CommandContext } from "../command.js";

export async function run(ctx: CommandContext): Promise<number> {
  const only = ctx.args.environment ? [ctx.args.environment] : undefined;
  const environments = await collectStatus({ projectDir: ctx.cwd, env: ctx.env, ...(only ? { only } : {}) });
  ctx.output.result({ environments }, (data, style) => renderStatus(data.environments, style));
  return environments.some((e) => e.error) ? ExitCode.platform : ExitCode.ok;
}

export function renderStatus(rows: readonly EnvironmentStatus[], style: Style): string {
  const table = rows.map((row) => [
    row.environment,
    row.error ? style.red("error") : row.exists ? (row.version ?? "?") : "—",
    row.digest ? row.digest.replace("sha256:", "").slice(0, 12) : "—",
    row.revision ?? "—",
    row.split.map((s) => `${s.percent}%`).join("/") || "—",
    row.gate
      ? row.gate.result === "passed"
        ? style.green(row.gate.rolledBackAt ? "passed (rolled back)" : "passed")
        : style.red("failed")
      : "—",
    row.url ?? "—",
    formatAge(row.ageS),
  ]);
  const header = ["ENVIRONMENT", "VERSION", "DIGEST", "REVISION", "TRAFFIC", "GATE", "URL", "AGE"];
  const plain = (s: string) => stripVTControlCharacters(s);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => plain(r[i]!).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + " ".repeat(widths[i]! - plain(c).length))
      .join("  ")
      .trimEnd();
  const lines = [style.bold(line(header)), ...table.map(line)];
  for (const row of rows) {
    if (row.error)
      lines.push(
        style.red(`${row.environment}: ${row.error.message}`) +
          (row.error.hint ? `\n  hint: ${row.error.hint}` : ""),
      );
    if (row.split.length > 1)
      lines.push(
        style.yellow(
          `${row.environment}: traffic split ${row.split.map((s) => `${s.revision} ${s.percent}%`).join(", ")}`,
        ),
      );
    if (row.lock)
      lines.push(
        style.yellow(
          `${row.environment}: locked by ${row.lock.holder} (pid ${row.lock.pid}) until ${row.lock.expiresAt}`,
        ),
      );
  }
  return lines.join("\n");
}
