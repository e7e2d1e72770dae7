import { formatDuration as formatMs } from "../core/duration.js";
import type { Style } from "../core/output.js";
import type { SmokeResult } from "./result.js";

/** The human rendering: a verdict line, one row per check with ms, then per-client latencies. */
export function renderSmokeReport(result: SmokeResult, style: Style): string {
  const verdict = result.ok ? style.green("smoke passed") : style.red("smoke refused");
  const lines = [`${verdict} ${result.url} ${style.dim(`(${result.protocol}, ${formatMs(result.ms)})`)}`];
  const width = Math.max(...result.checks.map((check) => check.name.length));
  const msWidth = Math.max(...result.checks.map((check) => formatMs(check.ms).length));
  for (const check of result.checks) {
    const mark =
      check.status === "passed"
        ? style.green("✔")
        : check.status === "skipped"
          ? style.dim("-")
          : style.red("✖");
    lines.push(
      `  ${mark} ${check.name.padEnd(width)}  ${formatMs(check.ms).padStart(msWidth)}  ${check.status === "failed" ? check.detail : style.dim(check.detail)}`,
    );
  }
  const echo = Object.entries(result.latencies.echoMs);
  if (echo.length > 0) {
    const cells = echo.map(([client, ms]) => `${client} ${ms === null ? style.red("none") : formatMs(ms)}`);
    lines.push(`  ${style.dim("echo latency")}  ${cells.join(" · ")}`);
  }
  const connect = Object.entries(result.latencies.connectMs);
  if (connect.length > 0) {
    lines.push(
      `  ${style.dim("connect")}       ${connect.map(([client, ms]) => `${client} ${formatMs(ms)}`).join(" · ")}`,
    );
  }
  return lines.join("\n");
}
