import { groupBy } from "../../core/group-by.js";
import { declaredOf, targetFinding } from "../fact-values.js";
import type { RawFinding, RuleEvaluator, RuleKind } from "../rules.js";
import { targetsFor } from "./scope.js";

export const evaluateHealthReachable: RuleEvaluator<Extract<RuleKind, { kind: "health-reachable" }>> = (
  rule,
  input,
) =>
  targetsFor(rule, input.facts).flatMap((target): RawFinding[] => {
    const health = target.health;
    if (!health || health.status === "ok") return [];
    return [
      {
        fact: "version",
        columns: [target.column],
        message: `${health.url} on ${target.column} ${health.status === "unreachable" ? "is unreachable" : "failed"}: ${health.detail ?? "no answer"}.`,
        hint: "Check the service's logs; drift compares versions only when /health answers.",
      },
    ];
  });

export const evaluateHealthVersion: RuleEvaluator<Extract<RuleKind, { kind: "health-version" }>> = (
  rule,
  input,
) =>
  targetsFor(rule, input.facts).flatMap((target): RawFinding[] => {
    const reported = target.health?.status === "ok" ? target.health.version : undefined;
    if (!reported || !target.recordedVersion || reported === target.recordedVersion) return [];
    return [
      targetFinding(input.facts, target, "name", {
        fact: "version",
        message: `/health on ${target.column} reports ${reported}, but ${target.servingRevision ?? "the serving revision"} was deployed as ${target.recordedVersion}.`,
        hint: "Something other than the recorded artifact answers: check the traffic split and the image's baked version.",
      }),
    ];
  });

export const evaluateWebServerUrl: RuleEvaluator<Extract<RuleKind, { kind: "web-server-url" }>> = (
  rule,
  input,
) => {
  const targets = targetsFor(rule, input.facts);
  const owners = new Map<string, string>();
  for (const target of input.facts.targets) {
    const host = hostOf(target.uri);
    if (host) owners.set(host, target.environment);
  }
  return targets.flatMap((target): RawFinding[] => {
    const web = target.web;
    const host = hostOf(web?.serverUrl);
    if (web?.status !== "ok" || !host) return [];
    const owner = owners.get(host);
    if (owner === target.environment) return [];
    if (!owner && host === hostOf(target.uri)) return [];
    return [
      {
        fact: "web.serverUrl",
        columns: [target.column],
        message: owner
          ? `The web front end of ${target.environment} (${web.url}) connects to ${owner}'s server ${web.serverUrl}.`
          : `The web front end of ${target.environment} (${web.url}) connects to ${web.serverUrl}, not to its service ${target.uri ?? ""}.`,
        hint: `Redeploy the web runtime config for ${target.environment} (it is written at deploy time from the service URL).`,
      },
    ];
  });
};

/** A web config drift couldn't read leaves its server URL unknown: say so rather than pass silently. */
export const evaluateWebReachable: RuleEvaluator<Extract<RuleKind, { kind: "web-reachable" }>> = (
  rule,
  input,
) => {
  // One web front end per environment, whatever its number of regions: one finding each.
  const byEnvironment = groupBy(targetsFor(rule, input.facts), (t) => t.environment);
  return [...byEnvironment].flatMap(([environment, targets]): RawFinding[] => {
    const web = targets[0]!.web;
    if (!web || web.status === "ok") return [];
    const declared = declaredOf(input.facts, environment);
    return [
      {
        fact: "web.serverUrl",
        columns: targets.map((t) => t.column),
        message: `Can't tell which server the web front end of ${environment} connects to: ${web.detail ?? web.status} (${web.url}).`,
        hint: `Deploy it with \`echogate web deploy ${environment}\`, or check \`hosting\` in environments/${environment}.yaml.`,
        ...(declared ? { location: { file: declared.file } } : {}),
      },
    ];
  });
};

function hostOf(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return undefined;
  return new URL(url).host;
}
