import type { DeclaredEnvironment, DriftFacts, TargetFacts } from "../facts.js";
import type { RuleSpec } from "../rules.js";

/** Live targets the rule looks at: read successfully, in the rule's environments. */
export function targetsFor(rule: RuleSpec, facts: DriftFacts): TargetFacts[] {
  return facts.targets.filter(
    (target) =>
      target.status === "ok" && (!rule.environments || rule.environments.includes(target.environment)),
  );
}

export function environmentsFor(rule: RuleSpec, facts: DriftFacts): DeclaredEnvironment[] {
  return facts.environments.filter((env) => !rule.environments || rule.environments.includes(env.name));
}

export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

export function short(value: string, max = 40): string {
  const digest = /sha256:([0-9a-f]{64})/.exec(value);
  if (digest) return value.replace(digest[0], `sha256:${digest[1]!.slice(0, 12)}`);
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
