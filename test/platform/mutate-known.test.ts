import { beforeAll, describe, expect, it } from "vitest";
import type { ServiceMutation } from "../../deploy/platform/cloudrun/adapter.js";
import { createCloudRunClients } from "../../deploy/platform/cloudrun/clients.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";

// Read-modify-write from what the command last saw: the adapter writes with that etag without
// reading first, and re-reads only when someone wrote in between (Cloud Run answers ABORTED).

const STAGING = "echogate-chat-staging";
let reads = 0;

const project = useEmulatedProject();
beforeAll(async () => {
  const image = await makeImage(project.dir, { version: "0.1.0+known00" });
  const deployed = await project.echogate("deploy", "staging", "--image", image.digest);
  expect(deployed.exitCode, deployed.stderr).toBe(0);
  const getService = project.adapter.getService.bind(project.adapter);
  project.adapter.getService = (name: string) => {
    reads++;
    return getService(name);
  };
}, 40_000);

const annotate =
  (key: string): ServiceMutation =>
  (raw) => {
    raw.annotations = { ...(raw.annotations ?? {}), [key]: "yes" };
    return raw;
  };

describe("mutateService from a known service", () => {
  it("writes without reading when the known etag is current", async () => {
    const known = (await project.adapter.getService(STAGING))!;
    reads = 0;
    const written = await project.adapter.mutateService(STAGING, annotate("example.com/first"), known);
    expect(reads).toBe(0);
    expect(written.snapshot.annotations["example.com/first"]).toBe("yes");
    // The written service is itself a valid starting point for the next write.
    const again = await project.adapter.mutateService(STAGING, annotate("example.com/second"), written);
    expect(reads).toBe(0);
    expect(again.snapshot.annotations).toMatchObject({
      "example.com/first": "yes",
      "example.com/second": "yes",
    });
  });

  it("writes without reading from a service read while its rollout ran (the etag follows writes only)", async () => {
    const clients = createCloudRunClients({
      kind: "emulator",
      apiEndpoint: project.emu.emulator.apiEndpoint,
    });
    try {
      const current = (await project.adapter.getService(STAGING))!.raw;
      const container = { ...current.template!.containers![0]!, env: [{ name: "ROLLOUT", value: "1" }] };
      const [operation] = await clients.services.updateService({
        service: {
          name: current.name,
          template: { ...current.template, revision: "", containers: [container] },
        },
      });
      const during = (await project.adapter.getService(STAGING))!;
      await operation.promise();
      reads = 0;
      const written = await project.adapter.mutateService(
        STAGING,
        annotate("example.com/after-rollout"),
        during,
      );
      expect(reads).toBe(0);
      expect(written.snapshot.annotations["example.com/after-rollout"]).toBe("yes");
    } finally {
      await clients.close();
    }
  });

  it("re-reads and loses nothing when someone wrote in between", async () => {
    const stale = (await project.adapter.getService(STAGING))!;
    await project.adapter.mutateService(STAGING, annotate("example.com/between"));
    reads = 0;
    const written = await project.adapter.mutateService(STAGING, annotate("example.com/after"), stale);
    expect(reads).toBe(1);
    expect(written.snapshot.annotations).toMatchObject({
      "example.com/between": "yes",
      "example.com/after": "yes",
    });
  });

  it("decides 'nothing to change' on fresh state only", async () => {
    const stale = (await project.adapter.getService(STAGING))!;
    await project.adapter.mutateService(STAGING, (raw) => {
      const { "example.com/first": _removed, ...rest } = raw.annotations ?? {};
      raw.annotations = rest;
      return raw;
    });
    reads = 0;
    // On the stale copy the annotation is already there, so the mutation would change nothing.
    const unchangedOnStale: ServiceMutation = (raw, snapshot) =>
      snapshot.annotations["example.com/first"] ? undefined : annotate("example.com/first")(raw, snapshot);
    const written = await project.adapter.mutateService(STAGING, unchangedOnStale, stale);
    expect(reads).toBe(1);
    expect(written.snapshot.annotations["example.com/first"]).toBe("yes");
  });

  it("decides a refusal on fresh state only (a lock the stale copy shows may be gone)", async () => {
    await project.adapter.mutateService(STAGING, annotate("example.com/holder"));
    const stale = (await project.adapter.getService(STAGING))!;
    await project.adapter.mutateService(STAGING, (raw) => {
      const { "example.com/holder": _released, ...rest } = raw.annotations ?? {};
      raw.annotations = rest;
      return raw;
    });
    reads = 0;
    const refuseWhileHeld: ServiceMutation = (raw, snapshot) => {
      if (snapshot.annotations["example.com/holder"]) throw new Error("held by someone else");
      return annotate("example.com/taken")(raw, snapshot);
    };
    const written = await project.adapter.mutateService(STAGING, refuseWhileHeld, stale);
    expect(reads).toBe(1);
    expect(written.snapshot.annotations["example.com/taken"]).toBe("yes");
    // On fresh state the refusal stands.
    await project.adapter.mutateService(STAGING, annotate("example.com/holder"));
    await expect(project.adapter.mutateService(STAGING, refuseWhileHeld, written)).rejects.toThrow(
      "held by someone else",
    );
  });
});
