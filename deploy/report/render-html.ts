import { formatDuration } from "../core/duration.js";
import type { StepRecord } from "../core/output.js";
import type { DriftReport } from "../drift/report/drift-report.js";
import type { DriftMatrix } from "../drift/report/fact-matrix.js";
import { badge, escapeHtml, htmlTable } from "./html.js";
import { latencyChart } from "./latency-chart.js";
import type { HtmlReport, ReportGate } from "./report-model.js";

// One self-contained file: inline CSS and SVG, no script, no font, no URL it loads. Every value
// from the run is escaped here; the caller redacts the data before and the text after rendering.

const CSS = `
:root{color-scheme:light;--ok:#1a7f37;--fail:#cf222e;--skip:#9a6700;--line:#d0d7de;--muted:#57606a}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:24px}
header.top{padding:16px 20px;border-radius:8px;color:#fff;margin-bottom:16px}
header.top.ok{background:var(--ok)}header.top.fail{background:var(--fail)}
header.top h1{margin:0 0 4px;font-size:20px}header.top p{margin:0}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin-bottom:16px;overflow-x:auto}
h2{font-size:16px;margin:0 0 8px}h3{font-size:14px;margin:12px 0 6px}
table{border-collapse:collapse;width:100%;margin:4px 0 8px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
.num{font-variant-numeric:tabular-nums;white-space:nowrap}
table.facts thead{display:none}table.facts td:first-child{width:160px;color:var(--muted)}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;padding:8px;border-radius:6px;overflow-x:auto;margin:0}
.badge{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.badge.ok{background:var(--ok)}.badge.fail{background:var(--fail)}.badge.skip{background:var(--skip)}
.muted{color:var(--muted)}
.timeline{position:relative;height:10px;background:#eaeef2;border-radius:3px;min-width:120px}
.timeline span{position:absolute;top:0;height:10px;border-radius:3px;background:#4c78a8}
.timeline span.fail{background:var(--fail)}
.traffic{display:flex;height:22px;border-radius:4px;overflow:hidden;margin:2px 0 8px;border:1px solid var(--line)}
.traffic div{color:#fff;font-size:12px;line-height:22px;padding:0 6px;white-space:nowrap;overflow:hidden}
.chart text{font:11px system-ui,sans-serif;fill:#1f2328}.chart text.lost{fill:var(--fail);font-weight:600}
td.differs{background:#ffebe9}td.allowed{background:#fff8c5}td.flag-error{outline:2px solid var(--fail)}
td.flag-warning{outline:2px solid var(--skip)}
footer{color:var(--muted);font-size:12px;text-align:center;margin:8px 0 24px}
`;

const PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#9d755d"];

/** Pure: the report as one HTML document. */
export function renderHtmlReport(report: HtmlReport): string {
  const sections = [
    factsSection(report),
    report.failure ? failureSection(report.failure) : "",
    report.plan.length > 0
      ? `<section id="plan"><h2>Plan</h2><pre>${escapeHtml(report.plan.join("\n"))}</pre></section>`
      : "",
    stepsSection(report.steps),
    report.traffic ? trafficSection(report.traffic) : "",
    ...report.gates.map(gateSection),
    report.drift ? driftSection(report.drift) : "",
  ];
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    // No network, even by accident: a report that loaded anything would leak that it was opened.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${CSS}</style></head><body><main>`,
    `<header class="top ${report.ok ? "ok" : "fail"}"><h1>${escapeHtml(report.title)}</h1><p>${report.ok ? "✔" : "✖"} ${escapeHtml(report.summary)}</p></header>`,
    ...sections.filter(Boolean),
    `<footer>echogate ${escapeHtml(report.toolVersion)} · ${escapeHtml(report.generatedAt)}</footer>`,
    "</main></body></html>",
    "",
  ].join("\n");
}

function factsSection(report: HtmlReport): string {
  if (report.facts.length === 0) return "";
  const rows = report.facts.map(([key, value]) => [escapeHtml(key), `<code>${escapeHtml(value)}</code>`]);
  return `<section id="facts"><h2>Summary</h2>${htmlTable(["", ""], rows, "facts")}</section>`;
}

function failureSection(failure: NonNullable<HtmlReport["failure"]>): string {
  return `<section id="failure"><h2>${badge("fail", "failed")} What went wrong</h2><p>${escapeHtml(failure.message)}</p>${failure.hint ? `<p class="muted">hint: ${escapeHtml(failure.hint)}</p>` : ""}</section>`;
}

function stepsSection(steps: readonly StepRecord[]): string {
  if (steps.length === 0) return "";
  const end = Math.max(1, ...steps.map((step) => step.startedMs + step.ms));
  const rows = [...steps]
    .sort((a, b) => a.startedMs - b.startedMs)
    .map((step) => {
      const left = (step.startedMs / end) * 100;
      const width = Math.max(0.5, (step.ms / end) * 100);
      return [
        step.ok ? badge("ok", "✔") : badge("fail", "✖"),
        escapeHtml(step.name),
        `<span class="num">${escapeHtml(formatDuration(step.ms))}</span>`,
        `<div class="timeline"><span class="${step.ok ? "" : "fail"}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></span></div>`,
        `<span class="muted">${escapeHtml(step.detail ?? "")}</span>`,
      ];
    });
  return `<section id="steps"><h2>Steps</h2>${htmlTable(["", "step", "time", "timeline", "detail"], rows)}</section>`;
}

type Share = NonNullable<HtmlReport["traffic"]>["before"][number];

function trafficSection(traffic: NonNullable<HtmlReport["traffic"]>): string {
  const revisions = [...new Set([...traffic.before, ...traffic.after].map((t) => t.revision ?? "LATEST"))];
  const colour = (revision: string) => PALETTE[revisions.indexOf(revision) % PALETTE.length]!;
  const bar = (shares: readonly Share[]) => {
    const shown = shares.filter((share) => share.percent > 0);
    if (shown.length === 0) return `<p class="muted">no traffic (the service did not exist)</p>`;
    return `<div class="traffic">${shown
      .map((share) => {
        const revision = share.revision ?? "LATEST";
        return `<div style="width:${share.percent}%;background:${colour(revision)}" title="${escapeHtml(`${revision} ${share.percent}%`)}">${escapeHtml(`${revision} ${share.percent}%`)}</div>`;
      })
      .join("")}</div>`;
  };
  const rows = revisions.map((revision) => {
    const of = (shares: readonly Share[]) => shares.find((s) => (s.revision ?? "LATEST") === revision);
    const tags = [...traffic.before, ...traffic.after]
      .filter((s) => (s.revision ?? "LATEST") === revision && s.tag)
      .map((s) => s.tag!);
    return [
      `<code>${escapeHtml(revision)}</code>`,
      `<span class="num">${of(traffic.before)?.percent ?? 0}%</span>`,
      `<span class="num">${of(traffic.after)?.percent ?? 0}%</span>`,
      escapeHtml([...new Set(tags)].join(", ")),
    ];
  });
  return `<section id="traffic"><h2>Traffic</h2><h3>Before</h3>${bar(traffic.before)}<h3>After</h3>${bar(traffic.after)}${htmlTable(["revision", "before", "after", "tags"], rows)}</section>`;
}

function gateSection(gate: ReportGate, index: number): string {
  const { result } = gate;
  const checks = result.checks.map((check) => [
    check.status === "passed"
      ? badge("ok", "passed")
      : check.status === "skipped"
        ? badge("skip", "skipped")
        : badge("fail", "failed"),
    `<strong>${escapeHtml(check.name)}</strong>`,
    `<span class="num">${escapeHtml(formatDuration(check.ms))}</span>`,
    escapeHtml(check.detail),
  ]);
  const clients = clientRows(result);
  const expected = [
    result.expectVersion ? `version ${result.expectVersion}` : undefined,
    result.expectRevision ? `revision ${result.expectRevision}` : undefined,
  ].filter(Boolean);
  return [
    `<section class="gate" id="gate-${index + 1}"><h2>${result.ok ? badge("ok", "passed") : badge("fail", "failed")} ${escapeHtml(gate.title)}</h2>`,
    `<p class="muted">${escapeHtml(result.protocol)} · /health reported version <code>${escapeHtml(result.version ?? "(none)")}</code> on revision <code>${escapeHtml(result.revision ?? "(none)")}</code>${expected.length ? ` · expected ${escapeHtml(expected.join(", "))}` : ""} · room <code>${escapeHtml(result.room)}</code> · ${escapeHtml(formatDuration(result.ms))}</p>`,
    htmlTable(["", "check", "time", "detail"], checks),
    clients.length > 0
      ? `<h3>Clients: what each sent and received</h3>${htmlTable(
          ["client", "connect", "sent", "join", "received", "echo"],
          clients.map((c) => [
            `<code>${escapeHtml(c.client)}</code>`,
            ms(c.connectMs),
            escapeHtml(c.sent),
            ms(c.joinMs),
            c.echoMs === null ? badge("fail", "never received") : escapeHtml(c.received),
            ms(c.echoMs),
          ]),
        )}${latencyChart(clients, `Latency per client, ${gate.title}`)}`
      : "",
    scenariosHtml(result.scenarios),
    "</section>",
  ].join("\n");
}

const ms = (value: number | null | undefined) =>
  `<span class="num">${typeof value === "number" ? escapeHtml(`${value} ms`) : "—"}</span>`;

/** Per client, from the smoke's latencies: the first client (smoke-1) is the sender of the one message. */
function clientRows(result: ReportGate["result"]) {
  const { connectMs, joinMs, echoMs } = result.latencies;
  const names = [
    ...new Set([...Object.keys(connectMs), ...Object.keys(joinMs), ...Object.keys(echoMs)]),
  ].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return names.map((client, index) => ({
    client,
    connectMs: connectMs[client],
    joinMs: joinMs[client],
    echoMs: echoMs[client],
    sent:
      index === 0
        ? `join room ${result.room}, then the message carrying nonce ${result.nonce}`
        : `join room ${result.room}`,
    received: `the message with nonce ${result.nonce}`,
  }));
}

/**
 * Scenario steps, when the smoke result has them: each scenario's steps as a table of whatever
 * fields they carry (names, clients, what was sent and received, times), every value escaped.
 */
function scenariosHtml(scenarios: unknown): string {
  if (!Array.isArray(scenarios) || scenarios.length === 0) return "";
  const parts = scenarios.map((scenario, index) => {
    const record = (scenario ?? {}) as Record<string, unknown>;
    const name = String(record.name ?? record.title ?? `scenario ${index + 1}`);
    const ok = record.ok;
    const steps = Array.isArray(record.steps) ? (record.steps as unknown[]) : [];
    const keys = [
      ...new Set(steps.flatMap((step) => (step && typeof step === "object" ? Object.keys(step) : []))),
    ];
    const rows = steps.map((step) =>
      keys.map((key) => {
        const value = (step as Record<string, unknown>)[key];
        if (key === "ok" && typeof value === "boolean")
          return value ? badge("ok", "ok") : badge("fail", "failed");
        return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
          ? escapeHtml(value)
          : value === undefined || value === null
            ? ""
            : `<code>${escapeHtml(JSON.stringify(value))}</code>`;
      }),
    );
    const head = `<h3>${typeof ok === "boolean" ? (ok ? badge("ok", "passed") : badge("fail", "failed")) : ""} Scenario ${escapeHtml(name)}</h3>`;
    return steps.length > 0 ? `${head}${htmlTable(keys, rows)}` : head;
  });
  return parts.join("\n");
}

function driftSection(report: DriftReport): string {
  const findings =
    report.findings.length === 0
      ? `<p>${badge("ok", "clean")} No findings: every rule passed.</p>`
      : htmlTable(
          ["", "rule", "finding"],
          report.findings.map((finding) => [
            finding.severity === "error" ? badge("fail", "error") : badge("skip", "warning"),
            `<code>${escapeHtml(finding.rule)}</code>`,
            escapeHtml(finding.message),
          ]),
        );
  const source = htmlTable(
    ["server entry", "file", "where"],
    report.source.map((row) => [
      escapeHtml(row.source),
      `<code>${escapeHtml(row.entry)}</code>`,
      escapeHtml(row.where),
    ]),
  );
  return [
    `<section id="drift"><h2>Drift</h2>`,
    report.matrix.columns.length > 0 ? `<h3>Live services</h3>${matrixHtml(report.matrix)}` : "",
    report.envFiles.columns.length > 0 ? `<h3>Env file keys</h3>${matrixHtml(report.envFiles)}` : "",
    `<h3>Server entry</h3>${source}`,
    `<h3>Findings</h3>${findings}`,
    `<p class="muted">red: differs and a rule fired · yellow: differs, allowed · outlined: named by a finding</p>`,
    "</section>",
  ].join("\n");
}

function matrixHtml(matrix: DriftMatrix): string {
  const rows = matrix.rows.map((row) => [
    `${escapeHtml(row.label)}${row.state === "differs" ? " ≠" : row.state === "allowed" ? " ~" : ""}`,
    ...row.cells.map((cell) => ({
      html: `<code>${escapeHtml(cell.text)}</code>`,
      classes: [row.state !== "equal" ? row.state : "", cell.flag ? `flag-${cell.flag}` : ""].filter(Boolean),
    })),
  ]);
  return htmlTable(["fact", ...matrix.columns], rows, "matrix");
}
