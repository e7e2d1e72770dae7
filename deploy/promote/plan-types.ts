import type { InvokerAccess } from "../platform/cloudrun/invoker-access.js";
import type { RevisionSnapshot, TrafficTarget } from "../platform/cloudrun/service-model.js";
import type { Artifact } from "./artifact-types.js";
import type { CandidateTemplate } from "./candidate-template.js";
import type { FailurePolicy, FailureStage } from "./failure-policy.js";
import type { RollbackPlan } from "./rollback-plan.js";
import type { ServiceMetadata } from "./service-metadata.js";
import type { PlanWarning, SplitEntry } from "./traffic-analysis.js";

/** `candidate`: the tag URL before any traffic; `service`: the main URL after a shift. */
export type SmokeTarget = "candidate" | "service";

/** A smoke the plan will run: on which URL, expecting what (its result is a `PromotionSmoke`). */
export interface PlannedSmoke {
  target: SmokeTarget;
  expectVersion?: string;
  expectRevision?: string;
  /** The service is not public yet: the smoke calls it with an identity token. */
  identityToken?: boolean;
  /**
   * A partial rollout step: clients are split between the candidate's tag URL and this tag of the
   * previous revision (`url` is filled in by the executor), and the message must cross revisions.
   */
  peer?: { tag: string; revision: string; url?: string };
}

export type PlanAction =
  | { kind: "create-service"; revision: string; traffic: TrafficTarget[] }
  | { kind: "create-revision"; revision: string; traffic: TrafficTarget[] }
  | { kind: "tag-candidate"; revision: string; traffic: TrafficTarget[] }
  | { kind: "smoke"; check: PlannedSmoke }
  /**
   * Traffic moves. A promotion's first shift records the candidate's passed gate in the same update;
   * a rollback's marks the gate record of the revision it leaves as rolled back from.
   */
  | { kind: "shift"; percent: number; traffic: TrafficTarget[]; rolledBackFrom?: string }
  /** Grant allUsers the invoker role: only after the gate passed on the revision taking all traffic. */
  | { kind: "make-public" }
  /**
   * A multi-region promotion: the region waits until every region passed its `index`-th smoke (or
   * finished); another region's failure fails this gate too, so no region moves traffic alone.
   */
  | { kind: "await-regions"; index: number; target: SmokeTarget; regions: string[] }
  | { kind: "finish" };

/** Everything a promotion will do, decided before it does anything; printable and diffable. */
export interface PromotionPlan {
  kind: "promotion";
  environment: string;
  mode: "deploy" | "promote";
  service: {
    name: string;
    project: string;
    region: string;
    endpoint: "local" | "google";
    exists: boolean;
    etag: string | undefined;
    uri: string | undefined;
    /** Who may invoke it now; a service this promotion creates starts private. */
    access: InvokerAccess;
    /** Caller labels/annotations set on the service with every write. */
    metadata?: ServiceMetadata;
  };
  artifact: Artifact;
  candidate: {
    revision: string;
    tag: string;
    exists: boolean;
    state: RevisionSnapshot["ready"] | "new";
    template: CandidateTemplate;
    envKeys: string[];
  };
  current: { split: SplitEntry[]; traffic: TrafficTarget[] };
  /** Keeps the rest of the traffic during steps and gets it all back if the gate fails after a shift. */
  previousRevision: string | undefined;
  rollbackTraffic: TrafficTarget[];
  /** Where traffic goes when the gate fails: only to revisions that passed theirs. */
  onFailure: FailurePolicy;
  /** That policy per step: what a failed gate or an interruption at each step leaves behind. */
  recovery: FailureStage[];
  finalTraffic: TrafficTarget[];
  /** The candidate already serves 100% with a passed gate: only the service URL is checked again. */
  alreadyServing: boolean;
  actions: PlanAction[];
  warnings: PlanWarning[];
}

/** What the executor applies: a promotion's or a rollback's actions, each failure answered by its recovery. */
export type ExecutablePlan = PromotionPlan | RollbackPlan;
