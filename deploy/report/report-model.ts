import pc from "picocolors";
import type { StepRecord } from "../core/output.js";
import type { DriftReport } from "../drift/report/drift-report.js";
import type { TrafficTarget } from "../platform/cloudrun/service-model.js";
import type { PromotionPlan } from "../promote/plan-types.js";
import type { PromotionOutcome } from "../promote/promotion-outcome.js";
import { renderPlan, renderRollbackPlan } from "../promote/render-promotion.js";
import type { RollbackPlan } from "../promote/rollback-plan.js";
import type { SmokeResult } from "../smoke/result.js";

type TrafficShare = Pick<TrafficTarget, "revision" | "percent" | "tag">;

/** One gate run: a smoke result (with its scenarios, when the spec has any) and what it checked. */
export interface ReportGate {
  title: string;
  result: SmokeResult & { target?: string; scenarios?: unknown };
}

/** Everything the HTML report shows, in one shape whatever command made it. */
export interface HtmlReport {
  title: string;
  ok: boolean;
  summary: string;
  generatedAt: string;
  toolVersion: string;
  facts: Array<[string, string]>;
  plan: string[];
  steps: readonly StepRecord[];
  gates: ReportGate[];
  traffic?: { before: TrafficShare[]; after: TrafficShare[] };
  drift?: DriftReport;
  failure?: { message: string; hint?: string };
}

/** What a command knew when it finished (or failed): the parts it reached, by command. */
export type ReportSource =
  | { kind: "promotion"; plan?: PromotionPlan; outcome?: PromotionOutcome; web?: Record<string, unknown> }
  | {
      kind: "rollback";
      plan?: RollbackPlan;
      outcome?: {
        ok: boolean;
        from?: string;
        to: string;
        version: string;
        url?: string;
        smoke: ReportGate["result"][];
      };
    }
  | { kind: "smoke"; result?: SmokeResult }
  | { kind: "drift"; report?: DriftReport };

interface ReportContext {
  command: string;
  steps: readonly StepRecord[];
  generatedAt: string;
  toolVersion: string;
  error?: { message: string; hint?: string | undefined } | undefined;
}

const plain = pc.createColors(false);

const gateTitle = (smoke: ReportGate["result"]) =>
  smoke.target === "candidate"
    ? `Gate on the candidate tag URL (${smoke.url})`
    : smoke.target === "service"
      ? `Gate on the service URL (${smoke.url})`
      : `Smoke ${smoke.url}`;

/** Pure: the report of one command from what it reached. */
export function buildHtmlReport(source: ReportSource, context: ReportContext): HtmlReport {
  const base = {
    title: context.command,
    generatedAt: context.generatedAt,
    toolVersion: context.toolVersion,
    steps: context.steps,
    ...(context.error
      ? {
          failure: {
            message: context.error.message,
            ...(context.error.hint ? { hint: context.error.hint } : {}),
          },
        }
      : {}),
  };
  const failed = context.error !== undefined;
  switch (source.kind) {
    case "promotion": {
      const { plan, outcome } = source;
      const smoke = outcome?.smoke ?? [];
      const ok = !failed && (outcome?.ok ?? true);
      return {
        ...base,
        ok,
        summary: outcome
          ? `${outcome.mode} ${outcome.version} to ${outcome.environment}: ${outcome.result}`
          : plan
            ? `${plan.mode} ${plan.environment}: ${failed ? "stopped before a change" : "plan only (dry run)"}`
            : `${context.command}: stopped before a plan`,
        facts: [
          ["environment", outcome?.environment ?? plan?.environment ?? ""],
          ["service", outcome?.service ?? plan?.service.name ?? ""],
          ["version", outcome?.version ?? plan?.artifact.version ?? ""],
          ["digest", outcome?.digest ?? plan?.artifact.digest ?? ""],
          ["revision", outcome?.revision ?? plan?.candidate.revision ?? ""],
          ["url", outcome?.url ?? plan?.service.uri ?? ""],
          ...(source.web ? ([["web", describeWeb(source.web)]] as Array<[string, string]>) : []),
        ].filter(([, value]) => value !== "") as Array<[string, string]>,
        plan: plan ? renderPlan(plan, plain).split("\n") : [],
        gates: smoke.map((result) => ({ title: gateTitle(result), result })),
        ...(plan
          ? { traffic: { before: plan.current.traffic, after: outcome?.traffic ?? plan.current.traffic } }
          : {}),
      };
    }
    case "rollback": {
      const { plan, outcome } = source;
      return {
        ...base,
        ok: !failed && (outcome?.ok ?? true),
        summary: plan
          ? `${outcome ? "rolled back" : "would roll back"} ${plan.environment}: ${plan.current.revision ?? "(none)"} → ${plan.target.revision}`
          : `${context.command}: stopped before a plan`,
        facts: plan
          ? [
              ["environment", plan.environment],
              ["service", plan.service],
              ["version", plan.target.version],
              ["digest", plan.target.digest],
              ["revision", plan.target.revision],
              ["gate passed", plan.target.at],
            ]
          : [],
        plan: plan ? renderRollbackPlan(plan, plain).split("\n") : [],
        gates: (outcome?.smoke ?? []).map((result) => ({ title: gateTitle(result), result })),
        ...(plan
          ? {
              traffic: {
                before: plan.current.split.map(({ revision, percent }) => ({ revision, percent })),
                after: outcome
                  ? plan.traffic
                  : plan.current.split.map(({ revision, percent }) => ({ revision, percent })),
              },
            }
          : {}),
      };
    }
    case "smoke": {
      const { result } = source;
      return {
        ...base,
        ok: !failed && (result?.ok ?? false),
        summary: result
          ? `smoke ${result.url}: ${result.ok ? "passed" : "failed"} (${result.checks.filter((c) => c.ok).length} of ${result.checks.length} checks passed)`
          : `${context.command}: stopped before the gate ran`,
        facts: result
          ? ([
              ["url", result.url],
              ["protocol", result.protocol],
              ["version", result.version ?? "(none)"],
              ["revision", result.revision ?? "(none)"],
              ["expected version", result.expectVersion ?? "(not checked)"],
              ["room", result.room],
              ["nonce", result.nonce],
            ] as Array<[string, string]>)
          : [],
        plan: [],
        gates: result ? [{ title: gateTitle(result), result }] : [],
      };
    }
    case "drift": {
      const { report } = source;
      return {
        ...base,
        ok: !failed && (report?.ok ?? false),
        summary: report
          ? `drift (${report.mode}): ${report.counts.errors} error(s), ${report.counts.warnings} warning(s), ${report.counts.platformErrors} unreadable service(s)`
          : `${context.command}: stopped before the facts were collected`,
        facts: report
          ? ([
              ["mode", report.mode],
              ["environments", report.matrix.columns.join(", ") || "(source facts only)"],
              ["policy", report.policyFile ?? "built-in rules"],
            ] as Array<[string, string]>)
          : [],
        plan: [],
        gates: [],
        ...(report ? { drift: report } : {}),
      };
    }
  }
}

function describeWeb(web: Record<string, unknown>): string {
  if (typeof web.skipped === "string") return `not promoted: ${web.skipped}`;
  return [web.version, web.url, web.gate === true ? "pair gate passed" : undefined]
    .filter((part) => typeof part === "string" && part !== "")
    .join(" — ");
}
