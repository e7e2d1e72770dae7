import type { RuleEvaluator, RuleKind } from "../rules.js";
import { evaluateEqual } from "./equal.js";
import {
  evaluateHealthReachable,
  evaluateHealthVersion,
  evaluateWebReachable,
  evaluateWebServerUrl,
} from "./health.js";
import { evaluateGatePassed, evaluatePromotedDigest, evaluateServiceDeployed } from "./promotion.js";
import { evaluateAffinityWithPolling, evaluateBroadcastAdapter, evaluateMinTimeout } from "./realtime.js";
import {
  evaluateDeploysThroughGate,
  evaluateEnvFileKeysEqual,
  evaluateListenAllInterfaces,
  evaluateNativeDepsBuildable,
  evaluateSharedBackend,
  evaluateSourceEntryEqual,
  evaluateSourceEntryKnown,
} from "./source.js";

/** The evaluator of each rule kind; a rule spec names its kind in `kind`. */
export const evaluators: { [K in RuleKind["kind"]]: RuleEvaluator<Extract<RuleKind, { kind: K }>> } = {
  equal: evaluateEqual,
  "promoted-digest": evaluatePromotedDigest,
  "gate-passed": evaluateGatePassed,
  "service-deployed": evaluateServiceDeployed,
  "min-timeout": evaluateMinTimeout,
  "affinity-with-polling": evaluateAffinityWithPolling,
  "broadcast-adapter": evaluateBroadcastAdapter,
  "health-reachable": evaluateHealthReachable,
  "health-version": evaluateHealthVersion,
  "web-server-url": evaluateWebServerUrl,
  "web-reachable": evaluateWebReachable,
  "source-entry-equal": evaluateSourceEntryEqual,
  "source-entry-known": evaluateSourceEntryKnown,
  "env-file-keys-equal": evaluateEnvFileKeysEqual,
  "native-deps-buildable": evaluateNativeDepsBuildable,
  "listen-all-interfaces": evaluateListenAllInterfaces,
  "deploys-through-gate": evaluateDeploysThroughGate,
  "shared-backend": evaluateSharedBackend,
};
