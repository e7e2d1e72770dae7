import type { StepKind } from "../../config/scenario-spec.js";

/** One step as reports, JUnit and JSON show it. */
export interface ScenarioStepResult {
  /** 1-based, as people count steps in the spec. */
  index: number;
  kind: StepKind;
  /** The client the step acts on (the first, for a list); null for http. */
  client: string | null;
  /** `scenario/index kind client`, e.g. `offline-dm/4 expect bob`. */
  name: string;
  status: "passed" | "failed" | "skipped";
  ms: number;
  /** What happened; on failure the diagnosis in words. */
  detail: string;
}

/** One scenario run: its own nonce and room, its steps, and why it failed. */
export interface ScenarioResult {
  name: string;
  description: string | null;
  ok: boolean;
  ms: number;
  nonce: string;
  room: string;
  steps: ScenarioStepResult[];
  /** The failed step's detail, prefixed with where it failed; null when the scenario passed. */
  diagnosis: string | null;
}
