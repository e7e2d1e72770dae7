import { promotionCommand } from "../../config/promotion-command.js";
import { groupBy } from "../../core/group-by.js";
import { declaredOf, locationOf, targetFinding } from "../fact-values.js";
import type { RawFinding, RuleEvaluator, RuleKind } from "../rules.js";
import { environmentsFor, listNames, short, targetsFor } from "./scope.js";

/** Production may only run a digest that passed the gate in the environment it promotes from. */
export const evaluatePromotedDigest: RuleEvaluator<Extract<RuleKind, { kind: "promoted-digest" }>> = (
  rule,
  input,
) => {
  const { facts } = input;
  const live = facts.targets.filter((t) => t.status === "ok");
  const findings: RawFinding[] = [];
  for (const env of environmentsFor(rule, facts)) {
    if (!env.promotesFrom) continue;
    const upstream = live.filter((t) => t.environment === env.promotesFrom);
    if (upstream.length === 0) continue;
    const recorded = upstream.some((t) => (t.passedDigests ?? []).length > 0);
    // Services deployed outside echogate carry no gate records: then "passed" can only mean "runs there now".
    const allowed = new Set(
      recorded
        ? upstream.flatMap((t) => t.passedDigests ?? [])
        : upstream.flatMap((t) => (t.digest ? [t.digest] : [])),
    );
    for (const target of live.filter((t) => t.environment === env.name)) {
      if (!target.digest || allowed.has(target.digest)) continue;
      const current = [...groupBy(upstream, (t) => t.digest ?? t.image ?? "?").keys()].map((d) => short(d));
      findings.push({
        fact: "digest",
        columns: [target.column],
        message: recorded
          ? `${target.column} runs ${short(target.digest)}, which never passed the gate in ${env.promotesFrom} (it runs ${listNames(current)}).`
          : `${target.column} runs ${short(target.digest)}, but ${env.promotesFrom} runs ${listNames(current)} (no gate records there to prove another digest passed).`,
        hint: `Promote what passed instead: \`echogate promote ${env.name}\` takes the digest that passed in ${env.promotesFrom}.`,
        ...(locationOf(facts, env.name, "name") ? { location: locationOf(facts, env.name, "name")! } : {}),
      });
    }
  }
  return findings;
};

export const evaluateGatePassed: RuleEvaluator<Extract<RuleKind, { kind: "gate-passed" }>> = (rule, input) =>
  targetsFor(rule, input.facts).flatMap((target): RawFinding[] => {
    const gate = target.gate;
    if (!gate) return [];
    const kind = declaredOf(input.facts, target.environment)?.kind;
    if (kind === "local" || kind === "preview") return [];
    const hint = `Deploy through the gate: \`echogate deploy ${target.environment}\` (or \`echogate promote ${target.environment}\`).`;
    const findings: RawFinding[] = [];
    if (gate.result !== "passed") {
      const revision = target.servingRevision ?? "the serving revision";
      findings.push({
        fact: "gate",
        columns: [target.column],
        message:
          gate.result === "failed"
            ? `${target.column} serves ${revision}, whose smoke gate failed${gate.at ? ` at ${gate.at}` : ""}.`
            : `${target.column} serves ${revision}, which has no gate record: it was not deployed through echogate's gate.`,
        hint,
      });
    }
    for (const share of gate.ungatedShares ?? []) {
      findings.push({
        fact: "gate",
        columns: [target.column],
        message: `${target.column} sends ${share.percent}% of its traffic to ${share.revision}, ${share.result === "failed" ? "whose smoke gate failed" : "which has no gate record"}.`,
        hint: `Move that traffic back with \`echogate rollback ${target.environment}\`, or ${hint[0]!.toLowerCase()}${hint.slice(1)}`,
      });
    }
    return findings;
  });

export const evaluateServiceDeployed: RuleEvaluator<Extract<RuleKind, { kind: "service-deployed" }>> = (
  rule,
  input,
) =>
  input.facts.targets
    .filter(
      (t) => t.status === "missing" && (!rule.environments || rule.environments.includes(t.environment)),
    )
    .map((target) =>
      targetFinding(input.facts, target, "name", {
        fact: "service",
        message: `Service ${target.service} does not exist in ${target.region} (${target.environment}).`,
        hint: `Deploy it with \`${promotionCommand(target.environment, declaredOf(input.facts, target.environment)?.promotesFrom)}\`, or check service.name and service.regions.`,
      }),
    );
