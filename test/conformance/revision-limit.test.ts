import { MAX_REVISIONS_PER_SERVICE } from "@echogate/common/cloud-run-limits";
import { describe, expect, it } from "vitest";
import {
  applyRevisionOutcome,
  createService,
  type MutationContext,
  updateService,
} from "../../packages/emulator/src/service-logic.js";
import { emptyState, serviceKey } from "../../packages/emulator/src/state-types.js";

// Past 1,000 revisions Cloud Run deletes the oldest unused ones instead of refusing the
// deploy. Checked on the emulator's state transitions (on Google it would take 1,000 deploys).

describe("revision limit", () => {
  it("prunes the oldest revisions that serve nothing once a service passes 1,000", () => {
    const state = emptyState();
    const ref = { project: "p", location: "l", service: "busy" };
    const key = serviceKey(ref.project, ref.location, ref.service);
    let tick = 0;
    const ctx = (): MutationContext => ({
      now: new Date(Date.UTC(2026, 0, 1) + tick++ * 1000).toISOString(),
      random: () => 0.5,
      uuid: () => `u${tick}-${Math.random()}`,
    });
    const body = (n: number, traffic?: unknown) => ({
      template: { containers: [{ image: "img", env: [{ name: "N", value: String(n) }] }] },
      ...(traffic ? { traffic } : {}),
    });
    const ready = () => {
      const latest = state.services[key]!.latestCreatedRevision;
      applyRevisionOutcome(state, key, latest, { ok: true }, ctx().now);
      return latest;
    };
    createService(state, ref, body(0), { validateOnly: false }, ctx());
    const first = ready();
    // The first revision keeps a tag: it must survive pruning.
    const pinned = [
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 },
      { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: first, percent: 0, tag: "pinned" },
    ];
    const update = (n: number) =>
      updateService(
        state,
        ref,
        body(n, pinned),
        { validateOnly: false, allowMissing: false, updateMask: [] },
        ctx(),
      );
    update(1);
    const second = ready();
    for (let n = 2; n < MAX_REVISIONS_PER_SERVICE + 5; n++) {
      update(n);
      ready();
    }
    const names = Object.keys(state.revisions[key]!);
    expect(names).toHaveLength(MAX_REVISIONS_PER_SERVICE);
    expect(names).toContain(first);
    expect(names).not.toContain(second);
    expect(names).toContain(state.services[key]!.latestCreatedRevision);
  });
});
