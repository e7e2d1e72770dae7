import { describe, expect, it } from "vitest";
import { serviceFacts, servingRevision } from "../../deploy/drift/collect/service-facts.js";
import type { IService } from "../../deploy/platform/cloudrun/service-model.js";
import { emulatorShapedService, googleShapedService } from "./google-shapes.js";

// Drift reads what Google answers: the serving revision of a LATEST status that names none, and
// no drift from the defaults Cloud Run fills in (startup probe, cpuIdle, service account, URLs).

const facts = (service: IService) =>
  serviceFacts(service, servingRevision(service), service.template ?? {}, new Set());

describe("drift on a Google-shaped service", () => {
  it("finds the serving revision of a LATEST status without a revision name", () => {
    expect(servingRevision(googleShapedService())).toEqual({
      revision: "chat-00002-xyz",
      percent: 100,
      templateServes: true,
    });
  });

  it("collects the same facts as for the emulator's shape, apart from the URL", () => {
    const { uri: googleUri, ...google } = facts(googleShapedService());
    const { uri: emulatorUri, ...emulator } = facts(emulatorShapedService());
    expect(googleUri).toBe("https://chat-abcdefghij-ew.a.run.app");
    expect(emulatorUri).toBe("http://127.0.0.1:40001");
    expect(google).toEqual(emulator);
    expect(google.servingRevision).toBe("chat-00002-xyz");
  });
});
