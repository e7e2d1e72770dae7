import pc from "picocolors";
import { formatDuration } from "../../core/duration.js";
import { ExitCode } from "../../core/exit-codes.js";
import type { Style } from "../../core/output.js";
import { fitTable } from "../../core/table.js";
import { readLiveWebReleases, webStatusOf } from "../../hosting/web-status.js";
import { formatTraffic } from "../../platform/cloudrun/service-model.js";
import { CONFIG_INVALID, collectStatus, type EnvironmentStatus } from "../../promote/status.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { statusShape } from "../commands/promotion.js";

export async function run(args: ArgsOf<typeof statusShape>, ctx: CommandContext): Promise<number> {
  // A named environment must exist (the same error as deploy's), not quietly list nothing.
  if (args.environment) await ctx.project.declaredEnvironment(args.environment);
  const only = args.environment ? [args.environment] : undefined;
  const { environments: loaded } = await ctx.project.declaredEnvironments();
  const shown = loaded.filter((environment) => !only || only.includes(environment.name));
  // The web releases are read alongside Cloud Run: neither waits for the other.
  const [collected, releases] = await Promise.all([
    collectStatus({ project: ctx.project, platform: ctx.platform, ...(only ? { only } : {}) }),
    readLiveWebReleases(ctx.platform, shown),
  ]);
  const byName = new Map(loaded.map((environment) => [environment.name, environment]));
  const environments = collected.map(({ webPairs, ...row }) => {
    const environment = byName.get(row.environment);
    const input = environment && { environment, servingRevision: row.revision, pairs: webPairs ?? [] };
    return { ...row, web: input ? webStatusOf(input, releases.get(row.environment)) : null };
  });
  ctx.output.result({ environments }, (data, style, layout) =>
    args.markdown
      ? renderStatusMarkdown(data.environments)
      : renderStatus(data.environments, style, layout.width),
  );
  if (environments.some((e) => e.error?.code === CONFIG_INVALID)) return ExitCode.config;
  return environments.some((e) => e.error) ? ExitCode.platform : ExitCode.ok;
}

/** The table's header and cells, one row per environment (and region). */
function statusTable(
  rows: readonly EnvironmentStatus[],
  style: Style,
): { header: string[]; table: string[][] } {
  const regions = new Map<string, number>();
  for (const row of rows) regions.set(row.environment, (regions.get(row.environment) ?? 0) + 1);
  const table = rows.map((row) => [
    (regions.get(row.environment) ?? 0) > 1 ? `${row.environment}/${row.region}` : row.environment,
    row.error?.code === CONFIG_INVALID
      ? style.red("broken")
      : row.error
        ? style.red("error")
        : row.exists
          ? (row.version ?? "?")
          : "—",
    row.digest ? row.digest.replace("sha256:", "").slice(0, 12) : "—",
    row.revision ?? "—",
    row.split.map((s) => `${s.percent}%`).join("/") || "—",
    gateCell(row, style),
    row.url ?? "—",
    webCell(row, style),
    row.ageS === null ? "—" : formatDuration(row.ageS * 1000),
    instancesCell(row),
  ]);
  const header = [
    "ENVIRONMENT",
    "VERSION",
    "DIGEST",
    "REVISION",
    "TRAFFIC",
    "GATE",
    "URL",
    "WEB",
    "AGE",
    "INSTANCES",
  ];
  return { header, table };
}

/**
 * The status table; on a terminal (`width`) the URL, REVISION, WEB and DIGEST columns are cut to fit
 * it, and on a narrow one INSTANCES, AGE, DIGEST and WEB are left out (said below the table).
 */
export function renderStatus(rows: readonly EnvironmentStatus[], style: Style, width?: number): string {
  const { header, table } = statusTable(rows, style);
  const fitted = fitTable([header, ...table], { width, shrinkable: [6, 3, 7, 2], droppable: [9, 8, 2, 7] });
  const [head = "", ...body] = fitted.lines;
  const lines = [style.bold(head), ...body];
  if (fitted.hidden.length > 0)
    lines.push(
      style.dim(`(${fitted.hidden.join(", ")} left out to fit ${width} columns; --json has every field)`),
    );
  for (const row of rows) {
    if (row.error)
      lines.push(
        style.red(`${row.environment}: ${row.error.message}`) +
          (row.error.hint ? `\n  hint: ${row.error.hint}` : ""),
      );
    if (row.split.length > 1)
      lines.push(style.yellow(`${row.environment}: traffic split ${formatTraffic(row.split)}`));
    if (row.lock)
      lines.push(
        style.yellow(
          `${row.environment}: locked by ${row.lock.holder} (pid ${row.lock.pid}) until ${row.lock.expiresAt}`,
        ),
      );
  }
  return lines.join("\n");
}

/** For $GITHUB_STEP_SUMMARY and PR comments: the same table in Markdown, then the notes under it. */
export function renderStatusMarkdown(rows: readonly EnvironmentStatus[]): string {
  const { header, table } = statusTable(rows, pc.createColors(false));
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  const lines = [
    "### echogate status",
    "",
    `| ${header.map(cell).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...table.map((cells) => `| ${cells.map(cell).join(" | ")} |`),
  ];
  const notes = rows.flatMap((row) => [
    ...(row.error ? [`- ❌ **${cell(row.environment)}**: ${cell(row.error.message)}`] : []),
    ...(row.split.length > 1
      ? [`- ⚠️ **${cell(row.environment)}**: traffic split ${cell(formatTraffic(row.split))}`]
      : []),
    ...(row.lock
      ? [
          `- 🔒 **${cell(row.environment)}**: locked by ${cell(row.lock.holder)} until ${cell(row.lock.expiresAt)}`,
        ]
      : []),
  ]);
  if (notes.length > 0) lines.push("", ...notes);
  return `${lines.join("\n")}\n`;
}

function webCell(row: EnvironmentStatus, style: Style): string {
  const web = row.web;
  if (!web) return "—";
  if (web.error) return style.red("error");
  if (!web.version) return "—";
  if (web.paired) return `${web.version.slice(0, 12)} ${style.green("paired")}`;
  return `${web.version.slice(0, 12)} ${style.yellow(web.pairedRevision ? `paired with ${web.pairedRevision}` : "unpaired")}`;
}

/** The serving revision's gate, unless part of the traffic goes to a revision that did not pass. */
function gateCell(row: EnvironmentStatus, style: Style): string {
  const ungated = row.split.filter((entry) => entry.percent > 0 && entry.gate !== "passed");
  const others = ungated.filter((entry) => entry.revision !== row.revision);
  if (others.length > 0) {
    const percent = others.reduce((sum, entry) => sum + entry.percent, 0);
    return style.red(`${percent}% ungated`);
  }
  const closed = row.access === "private" ? " (private)" : "";
  if (!row.gate) return closed ? style.yellow(`—${closed}`) : "—";
  const failedScenarios = (row.gate.scenarios ?? []).filter((s) => !s.ok).map((s) => s.name);
  if (row.gate.result !== "passed")
    return style.red(
      `failed${failedScenarios.length ? ` (scenario ${failedScenarios.join(", ")})` : ""}${closed}`,
    );
  if (closed) return style.yellow(`passed${closed}`);
  return style.green(row.gate.rolledBackAt ? "passed (rolled back)" : "passed");
}

/** Running instances per revision of the split, in the TRAFFIC column's order ("—" where unknown). */
function instancesCell(row: EnvironmentStatus): string {
  if (!row.instances || row.split.length === 0) return "—";
  return row.split.map((entry) => String(row.instances?.[entry.revision ?? ""] ?? 0)).join("/");
}
