import type { CheckFn, RuleCheck } from "../rules.js";
import { checkEqual } from "./equal.js";
import { checkHealthReachable, checkHealthVersion, checkWebReachable, checkWebServerUrl } from "./health.js";
import { checkGatePassed, checkPromotedDigest, checkServiceDeployed } from "./promotion.js";
import { checkAffinityWithPolling, checkBroadcastAdapter, checkMinTimeout } from "./realtime.js";
import {
  checkDeploysThroughGate,
  checkEnvFileKeysEqual,
  checkListenAllInterfaces,
  checkNativeDepsBuildable,
  checkSharedBackend,
  checkSourceEntryEqual,
  checkSourceEntryKnown,
} from "./source.js";

/** The interpreter of each rule kind; a rule spec names its kind in `check`. */
export const checks: { [K in RuleCheck["check"]]: CheckFn<Extract<RuleCheck, { check: K }>> } = {
  equal: checkEqual,
  "promoted-digest": checkPromotedDigest,
  "gate-passed": checkGatePassed,
  "service-deployed": checkServiceDeployed,
  "min-timeout": checkMinTimeout,
  "affinity-with-polling": checkAffinityWithPolling,
  "broadcast-adapter": checkBroadcastAdapter,
  "health-reachable": checkHealthReachable,
  "health-version": checkHealthVersion,
  "web-server-url": checkWebServerUrl,
  "web-reachable": checkWebReachable,
  "source-entry-equal": checkSourceEntryEqual,
  "source-entry-known": checkSourceEntryKnown,
  "env-file-keys-equal": checkEnvFileKeysEqual,
  "native-deps-buildable": checkNativeDepsBuildable,
  "listen-all-interfaces": checkListenAllInterfaces,
  "deploys-through-gate": checkDeploysThroughGate,
  "shared-backend": checkSharedBackend,
};
