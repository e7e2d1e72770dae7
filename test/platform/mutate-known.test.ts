import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudRunAdapter, ServiceMutation } from "../../deploy/platform/cloudrun/adapter.js";
import { createCloudRunClients } from "../../deploy/platform/cloudrun/clients.js";
import { makeImage } from "../helpers/images.js";
import {
  adapterFor,
  echogate,
  promotionProject,
  startTestEmulator,
  type TestEmulator,
} from "../helpers/project.js";

// Read-modify-write from what the command last saw: the adapter writes with that etag without
// reading first, and re-reads only when someone wrote in between (Cloud Run answers ABORTED).

const STAGING = "echogate-chat-staging";
let emu: TestEmulator;
let adapter: CloudRunAdapter;
let reads = 0;

beforeAll(async () => {
  const project = await promotionProject();
  emu = await startTestEmulator(project);
  const image = await makeImage(project, { version: "0.1.0+known00" });
  const deployed = await echogate(project, emu.env, "deploy", "staging", "--image", image.digest);
  expect(deployed.exitCode, deployed.stderr).toBe(0);
  adapter = adapterFor(emu);
  const getService = adapter.getService.bind(adapter);
  adapter.getService = (name: string) => {
    reads++;
    return getService(name);
  };
}, 40_000);

afterAll(async () => {
  await adapter?.close();
  await emu?.close();
});

const annotate =
  (key: string): ServiceMutation =>
  (raw) => {
    raw.annotations = { ...(raw.annotations ?? {}), [key]: "yes" };
    return raw;
  };

describe("mutateService from a known service", () => {
  it("writes without reading when the known etag is current", async () => {
    const known = (await adapter.getService(STAGING))!;
    reads = 0;
    const written = await adapter.mutateService(STAGING, annotate("example.com/first"), known);
    expect(reads).toBe(0);
    expect(written.snapshot.annotations["example.com/first"]).toBe("yes");
    // The written service is itself a valid starting point for the next write.
    const again = await adapter.mutateService(STAGING, annotate("example.com/second"), written);
    expect(reads).toBe(0);
    expect(again.snapshot.annotations).toMatchObject({
      "example.com/first": "yes",
      "example.com/second": "yes",
    });
  });

  it("writes without reading from a service read while its rollout ran (the etag follows writes only)", async () => {
    const clients = createCloudRunClients({ kind: "emulator", apiEndpoint: emu.emulator.apiEndpoint });
    try {
      const current = (await adapter.getService(STAGING))!.raw;
      const container = { ...current.template!.containers![0]!, env: [{ name: "ROLLOUT", value: "1" }] };
      const [operation] = await clients.services.updateService({
        service: {
          name: current.name,
          template: { ...current.template, revision: "", containers: [container] },
        },
      });
      const during = (await adapter.getService(STAGING))!;
      await operation.promise();
      reads = 0;
      const written = await adapter.mutateService(STAGING, annotate("example.com/after-rollout"), during);
      expect(reads).toBe(0);
      expect(written.snapshot.annotations["example.com/after-rollout"]).toBe("yes");
    } finally {
      await clients.close();
    }
  });

  it("re-reads and loses nothing when someone wrote in between", async () => {
    const stale = (await adapter.getService(STAGING))!;
    await adapter.mutateService(STAGING, annotate("example.com/between"));
    reads = 0;
    const written = await adapter.mutateService(STAGING, annotate("example.com/after"), stale);
    expect(reads).toBe(1);
    expect(written.snapshot.annotations).toMatchObject({
      "example.com/between": "yes",
      "example.com/after": "yes",
    });
  });

  it("decides 'nothing to change' on fresh state only", async () => {
    const stale = (await adapter.getService(STAGING))!;
    await adapter.mutateService(STAGING, (raw) => {
      const { "example.com/first": _removed, ...rest } = raw.annotations ?? {};
      raw.annotations = rest;
      return raw;
    });
    reads = 0;
    // On the stale copy the annotation is already there, so the mutation would change nothing.
    const unchangedOnStale: ServiceMutation = (raw, snapshot) =>
      snapshot.annotations["example.com/first"] ? undefined : annotate("example.com/first")(raw, snapshot);
    const written = await adapter.mutateService(STAGING, unchangedOnStale, stale);
    expect(reads).toBe(1);
    expect(written.snapshot.annotations["example.com/first"]).toBe("yes");
  });

  it("decides a refusal on fresh state only (a lock the stale copy shows may be gone)", async () => {
    await adapter.mutateService(STAGING, annotate("example.com/holder"));
    const stale = (await adapter.getService(STAGING))!;
    await adapter.mutateService(STAGING, (raw) => {
      const { "example.com/holder": _released, ...rest } = raw.annotations ?? {};
      raw.annotations = rest;
      return raw;
    });
    reads = 0;
    const refuseWhileHeld: ServiceMutation = (raw, snapshot) => {
      if (snapshot.annotations["example.com/holder"]) throw new Error("held by someone else");
      return annotate("example.com/taken")(raw, snapshot);
    };
    const written = await adapter.mutateService(STAGING, refuseWhileHeld, stale);
    expect(reads).toBe(1);
    expect(written.snapshot.annotations["example.com/taken"]).toBe("yes");
    // On fresh state the refusal stands.
    await adapter.mutateService(STAGING, annotate("example.com/holder"));
    await expect(adapter.mutateService(STAGING, refuseWhileHeld, written)).rejects.toThrow(
      "held by someone else",
    );
  });
});
