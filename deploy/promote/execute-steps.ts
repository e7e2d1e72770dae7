import { PlatformError } from "../core/errors.js";
import { CANDIDATE_TAG } from "../model/name-limits.js";
import { toRevisionTemplate } from "../platform/cloudrun/revision-template.js";
import {
  formatTraffic,
  type IService,
  type RevisionSnapshot,
  toWireTraffic,
} from "../platform/cloudrun/service-model.js";
import { smokeUrls } from "./canary-peers.js";
import { type Execution, GateFailure, setTraffic } from "./execution.js";
import type { PlanAction, PlannedSmoke } from "./plan-types.js";
import { applyServiceMetadata } from "./service-metadata.js";
import type { GateAuth, PromotionSmoke } from "./smoke-types.js";

// One function per kind of plan action; each is one step line of the promotion.

export async function applyAction(run: Execution, action: PlanAction): Promise<void> {
  run.throwIfInterrupted();
  switch (action.kind) {
    case "create-service":
      return createService(run, action);
    case "create-revision":
    case "tag-candidate":
      return createCandidate(run, action);
    case "smoke":
      return gate(run, action.check);
    case "shift":
      return shift(run, action);
    case "make-public":
      return makePublic(run);
    case "await-regions":
      return awaitRegions(run, action);
    case "finish":
      return finish(run);
  }
}

/** A first deploy: the service is created with the candidate as its only revision, private, locked by us. */
async function createService(run: Execution, action: Extract<PlanAction, { kind: "create-service" }>) {
  const plan = run.promotion;
  const created = await run.step(
    `Create service ${run.name} with revision ${run.candidate} (tag ${plan.candidate.tag})`,
    async () => {
      const body: IService = {
        labels: { "managed-by": "echogate" },
        annotations: {},
        template: toRevisionTemplate(plan.candidate.template),
        traffic: toWireTraffic(action.traffic),
      };
      applyServiceMetadata(body, plan.service.metadata);
      run.lockNewService(body);
      try {
        return await run.adapter.createService(run.name, body);
      } catch (error) {
        return await startFailure(run, error);
      }
    },
    (loaded) => loaded.snapshot.uri ?? "",
  );
  run.known = created;
}

/** The candidate revision at 0% with its tag: created from the template, or an existing one tagged. */
async function createCandidate(
  run: Execution,
  action: Extract<PlanAction, { kind: "create-revision" | "tag-candidate" }>,
) {
  const plan = run.promotion;
  const title =
    action.kind === "create-revision"
      ? `Create revision ${run.candidate} (0% traffic, tag ${plan.candidate.tag})`
      : `Tag existing revision ${run.candidate} as ${plan.candidate.tag} (0% traffic)`;
  await run.step(title, async () => {
    try {
      await run.write((raw) => {
        if (action.kind === "create-revision") raw.template = toRevisionTemplate(plan.candidate.template);
        setTraffic(raw, action.traffic);
      });
    } catch (error) {
      await startFailure(run, error);
    }
    if (action.kind === "tag-candidate")
      throwIfFailedToStart(run, await run.adapter.getRevision(run.name, run.candidate));
  });
}

/** A smoke on the candidate's tag URL, the service URL, or (a canary step) both revisions' tag URLs. */
async function gate(run: Execution, check: PlannedSmoke) {
  const { options } = run;
  const resolved = smokeUrls(check, run.latest, CANDIDATE_TAG, run.subject.uri);
  const url = resolved.url;
  const where = check.target === "candidate" ? "the candidate tag URL" : "the service URL";
  if (!url) {
    throw new PlatformError(
      "promote.no-url",
      `Failed to find the ${check.target === "candidate" ? "candidate tag" : "service"} URL of ${run.name}.`,
      { hint: "Run `echogate status` to see the service; the platform did not report a URL for it." },
    );
  }
  const title =
    check.target === "candidate" ? `Smoke candidate ${run.candidate} at ${url}` : `Smoke service at ${url}`;
  await run.step(
    title,
    async () => {
      let result: PromotionSmoke;
      try {
        const auth = check.identityToken ? await identityFor(run) : undefined;
        result = await options.smoke(url, resolved.check, options.signal, auth);
      } catch (error) {
        run.throwIfInterrupted();
        throw error;
      }
      run.outcome.smoke.push(result);
      run.throwIfInterrupted();
      if (!result.ok) {
        const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail ?? "failed"}`);
        throw new GateFailure(
          check.target,
          `Smoke failed on ${where}: ${failed.join("; ") || "no passing checks"}`,
        );
      }
      return result;
    },
    (r) => `${r.checks.length} checks passed`,
  );
}

/**
 * Traffic moves (a canary share or all of it). A promotion's first move carries the passed gate
 * record in the same update; a rollback's marks the revision it leaves as rolled back from.
 */
async function shift(run: Execution, action: Extract<PlanAction, { kind: "shift" }>) {
  await run.step(`Shift traffic: ${formatTraffic(action.traffic)}`, async () => {
    await run.write((raw, snapshot) => {
      setTraffic(raw, action.traffic);
      if (run.plan.kind === "rollback") {
        if (action.rolledBackFrom) run.recordRolledBackFrom(raw, snapshot, action.rolledBackFrom);
      } else if (!run.shifted) run.recordGate(raw, snapshot, { result: "passed", stage: "candidate" });
    });
    run.shifted = true;
  });
}

/** This region's smoke passed: it waits for the others' before anything else happens. */
async function awaitRegions(run: Execution, action: Extract<PlanAction, { kind: "await-regions" }>) {
  const { lockstep } = run.options;
  if (!lockstep)
    throw new Error("A multi-region plan runs with its regions' barrier (ExecuteOptions.lockstep).");
  const { barrier, region } = lockstep;
  await run.step(
    `Wait for smoke ${action.index + 1} in ${action.regions.filter((other) => other !== region).join(", ")}`,
    async () => {
      barrier.report(region, action.index, true, "");
      const blocker = await barrier.wait(region, action.index);
      run.throwIfInterrupted();
      if (blocker) throw new GateFailure(action.target, `held back: ${blocker}`);
    },
    () => "passed",
  );
}

async function makePublic(run: Execution) {
  await run.step(`Make ${run.name} public (allUsers gets roles/run.invoker)`, () =>
    run.adapter.setPublicInvoker(run.name, true),
  );
}

/**
 * The check on the service URL passed: a promotion records it, and the lock is released in the
 * same update (a rollback's target passed its gate before: only the lock goes).
 */
async function finish(run: Execution) {
  if (run.plan.kind === "rollback") {
    await run.step("Release the lock", () => run.write(() => undefined, "release"));
    return;
  }
  await run.step("Record gate result", async () => {
    await run.write(
      (raw, snapshot) => run.recordGate(raw, snapshot, { result: "passed", stage: "service" }),
      "release",
    );
  });
}

/**
 * A token for the service: Cloud Run accepts its own URL (or a custom audience) as audience on the
 * service URL and on every tag URL, never the tag URL itself
 * (https://cloud.google.com/run/docs/configuring/custom-audiences).
 */
async function identityFor(run: Execution): Promise<GateAuth> {
  const serviceUrl = run.latest?.uri ?? run.subject.uri;
  if (!serviceUrl) {
    throw new PlatformError(
      "promote.no-url",
      `Failed to find the service URL of ${run.name} to get an identity token for.`,
      {
        hint: "Run `echogate status` to see the service; the platform did not report a URL for it.",
      },
    );
  }
  return { authorization: `Bearer ${await run.adapter.identityToken(serviceUrl)}` };
}

/** A write that failed because the revision never started is a failed gate, not a platform error. */
async function startFailure(run: Execution, error: unknown): Promise<never> {
  throwIfFailedToStart(run, await run.adapter.getRevision(run.name, run.candidate).catch(() => undefined));
  throw error;
}

function throwIfFailedToStart(run: Execution, revision: RevisionSnapshot | undefined): void {
  if (revision?.ready === "failed") {
    throw new GateFailure(
      "start",
      `Revision ${run.candidate} failed to start: ${revision.readyMessage ?? "not ready"}`,
    );
  }
}
