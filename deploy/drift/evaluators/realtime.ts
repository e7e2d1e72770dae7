import { declaredOf, targetFinding } from "../fact-values.js";
import type { RawFinding, RuleEvaluator, RuleKind } from "../rules.js";
import { targetsFor } from "./scope.js";

export const evaluateMinTimeout: RuleEvaluator<Extract<RuleKind, { kind: "min-timeout" }>> = (rule, input) =>
  targetsFor(rule, input.facts).flatMap((target): RawFinding[] => {
    const timeout = target.settings?.timeoutSeconds;
    if (timeout == null || timeout >= rule.min) return [];
    return [
      targetFinding(input.facts, target, "requestTimeoutS", {
        fact: "settings.timeoutSeconds",
        message: `Request timeout is ${timeout} s on ${target.column}: Cloud Run closes every WebSocket after ${timeout} s, so clients drop and reconnect.`,
        hint: `Set service.requestTimeoutS to at least ${rule.min} (up to 3600) in environments/${target.environment}.yaml and redeploy.`,
      }),
    ];
  });

export const evaluateAffinityWithPolling: RuleEvaluator<
  Extract<RuleKind, { kind: "affinity-with-polling" }>
> = (rule, input) =>
  targetsFor(rule, input.facts).flatMap((target): RawFinding[] => {
    if (!target.settings || target.settings.sessionAffinity) return [];
    const declared = declaredOf(input.facts, target.environment);
    const why = target.pollingEnv
      ? `env ${target.pollingEnv} allows polling`
      : declared?.pollingAllowed
        ? (declared.pollingReason ?? "polling is allowed")
        : undefined;
    if (!why) return [];
    return [
      targetFinding(input.facts, target, "sessionAffinity", {
        fact: "settings.sessionAffinity",
        message: `Session affinity is off on ${target.column} while Socket.IO may use long-polling (${why}): polling requests land on other instances and fail with "Session ID unknown".`,
        hint: `Set service.sessionAffinity: true in environments/${target.environment}.yaml, or allow only the websocket transport.`,
      }),
    ];
  });

export const evaluateBroadcastAdapter: RuleEvaluator<Extract<RuleKind, { kind: "broadcast-adapter" }>> = (
  rule,
  input,
) =>
  targetsFor(rule, input.facts).flatMap((target): RawFinding[] => {
    const max = target.settings?.maxInstances;
    if (max == null || max <= 1) return [];
    if ((target.env ?? []).some((entry) => rule.envKeys.includes(entry.key))) return [];
    if (declaredOf(input.facts, target.environment)?.backplane === "redis") return [];
    const declared = input.policy.broadcast;
    if (declared && (!declared.environments || declared.environments.includes(target.environment))) return [];
    return [
      targetFinding(input.facts, target, "maxInstances", {
        fact: "settings.maxInstances",
        message: `${target.column} may run ${max} instances with no cross-instance broadcast: messages will not reach clients on other instances.`,
        hint: `Share the broadcast through a backplane (e.g. Redis, with ${rule.envKeys[0]} set) and set service.backplane: redis in environments/${target.environment}.yaml, or set service.maxInstances: 1.`,
      }),
    ];
  });
