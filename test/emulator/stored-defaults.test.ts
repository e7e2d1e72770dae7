import { describe, expect, it } from "vitest";
import {
  createService,
  type MutationContext,
  updateService,
} from "../../packages/emulator/src/service-logic.js";
import { emptyState, serviceKey } from "../../packages/emulator/src/state-types.js";

// A service stored before the emulator filled in Cloud Run's template defaults (startup probe,
// service account) must not get a new revision, or be refused as a renamed one, on its next
// update that changes nothing in the template.

describe("templates stored before today's defaults", () => {
  it("updates labels without a new revision, even under an explicit revision name", () => {
    const state = emptyState();
    const ref = { project: "demo-project", location: "europe-west1", service: "chat" };
    const key = serviceKey(ref.project, ref.location, ref.service);
    let tick = 0;
    const ctx = (): MutationContext => ({
      now: new Date(Date.UTC(2026, 0, 1) + tick++ * 1000).toISOString(),
      random: () => 0.5,
      uuid: () => `u${tick}`,
    });
    const template = { revision: "chat-named", containers: [{ image: "img" }] };
    createService(state, ref, { template }, { validateOnly: false }, ctx());
    // As an older emulator stored it: no probe, no service account.
    const stored = state.services[key]!;
    delete stored.template.serviceAccount;
    for (const container of stored.template.containers) delete container.startupProbe;

    const options = { validateOnly: false, allowMissing: false, updateMask: [["labels"]] };
    updateService(state, ref, { labels: { team: "chat" } }, options, ctx());
    expect(state.services[key]!.latestCreatedRevision).toBe("chat-named");
    expect(Object.keys(state.revisions[key]!)).toEqual(["chat-named"]);

    const full = { validateOnly: false, allowMissing: false, updateMask: [] };
    updateService(state, ref, { template, labels: { team: "chat" } }, full, ctx());
    expect(Object.keys(state.revisions[key]!)).toEqual(["chat-named"]);
  });
});
