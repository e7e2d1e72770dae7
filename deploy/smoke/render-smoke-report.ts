import { formatDuration } from "../core/duration.js";
import type { Style } from "../core/output.js";
import type { SmokeCheck, SmokeResult } from "./result.js";
import type { ScenarioStepResult } from "./scenario/result.js";

/** The human rendering: a verdict line, one row per check with ms, then per-client latencies. */
export function renderSmokeReport(result: SmokeResult, style: Style): string {
  const verdict = result.ok ? style.green("smoke passed") : style.red("smoke refused");
  const lines = [
    `${verdict} ${result.url} ${style.dim(`(${result.protocol}, ${formatDuration(result.ms)})`)}`,
  ];
  lines.push(...renderSmokeChecks(result.checks, style, "  "));
  for (const scenario of result.scenarios.filter((s) => !s.ok)) {
    lines.push(`  ${style.dim(`scenario ${scenario.name} (room ${scenario.room}):`)}`);
    lines.push(...renderSmokeChecks(scenario.steps.map(asCheck), style, "    "));
  }
  const echo = Object.entries(result.latencies.echoMs);
  if (echo.length > 0) {
    const cells = echo.map(
      ([client, ms]) => `${client} ${ms === null ? style.red("none") : formatDuration(ms)}`,
    );
    lines.push(`  ${style.dim("echo latency")}  ${cells.join(" · ")}`);
  }
  const connect = Object.entries(result.latencies.connectMs);
  if (connect.length > 0) {
    lines.push(
      `  ${style.dim("connect")}       ${connect.map(([client, ms]) => `${client} ${formatDuration(ms)}`).join(" · ")}`,
    );
  }
  for (const notice of result.notices ?? []) lines.push(`  ${style.yellow("notice")} ${notice}`);
  return lines.join("\n");
}

/** One row per check: mark, name, ms, detail; names and times aligned. */
export function renderSmokeChecks(checks: readonly SmokeCheck[], style: Style, indent: string): string[] {
  const width = Math.max(...checks.map((check) => check.name.length));
  const msWidth = Math.max(...checks.map((check) => formatDuration(check.ms).length));
  return checks.map((check) => {
    const mark =
      check.status === "passed"
        ? style.green("✔")
        : check.status === "skipped"
          ? style.dim("-")
          : style.red("✖");
    return `${indent}${mark} ${check.name.padEnd(width)}  ${formatDuration(check.ms).padStart(msWidth)}  ${check.status === "failed" ? check.detail : style.dim(check.detail)}`;
  });
}

function asCheck(step: ScenarioStepResult): SmokeCheck {
  return {
    name: step.name,
    ok: step.status === "passed",
    status: step.status,
    ms: step.ms,
    detail: step.detail,
  };
}
