import type { FirebaseHostingAdapter } from "../platform/hosting/firebase-adapter.js";
import type { PreviewRow } from "./model.js";
import type { PreviewServices } from "./preview-services.js";

export type StepOutcome = "deleted" | "absent" | { failed: string };

export interface CleanupOutcome {
  id: string;
  branch: string;
  service: StepOutcome;
  channel: StepOutcome;
}

interface CleanupReport {
  outcomes: CleanupOutcome[];
  /** Previews with something left behind after a failure: run cleanup again for these. */
  remaining: string[];
}

/** Deletes each preview's service, then its channel; one failure never stops the rest. */
export async function runCleanup(
  rows: readonly PreviewRow[],
  targets: {
    services: PreviewServices;
    hosting: FirebaseHostingAdapter | undefined;
    site: string | undefined;
  },
  onOutcome?: (outcome: CleanupOutcome) => void,
): Promise<CleanupReport> {
  const outcomes: CleanupOutcome[] = [];
  for (const row of rows) {
    const service = row.service
      ? await attempt(() => targets.services.deleteService(row.service!))
      : "absent";
    const channel =
      row.channel !== undefined && targets.hosting && targets.site
        ? await attempt(() => targets.hosting!.deleteChannel(targets.site!, row.channel!))
        : "absent";
    const outcome: CleanupOutcome = { id: row.id, branch: row.branch, service, channel };
    outcomes.push(outcome);
    onOutcome?.(outcome);
  }
  const remaining = outcomes
    .filter((o) => typeof o.service === "object" || typeof o.channel === "object")
    .map((o) => o.id);
  return { outcomes, remaining };
}

async function attempt(action: () => Promise<unknown>): Promise<StepOutcome> {
  try {
    await action();
    return "deleted";
  } catch (error) {
    return { failed: (error as Error).message };
  }
}
