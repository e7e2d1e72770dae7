import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  allowPublic,
  apiFailure,
  fetchJson,
  isAlive,
  PARENT,
  serviceName,
  template,
  useTestEmulator,
  writeTestImage,
} from "./helpers.js";

describe("persistence and concurrency", () => {
  const t = useTestEmulator();
  beforeAll(async () => {
    const image = (await writeTestImage(t.imageStoreDir)).ref;
    const [op] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "keep",
      service: {
        template: template(image),
        traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100, tag: "current" }],
      },
    });
    await op.promise();
    await allowPublic(t.clients, "keep");
  });

  it("serializes 50 concurrent updates: each bumps generation once, state stays valid JSON", async () => {
    const [before] = await t.clients.services.getService({ name: serviceName("keep") });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.clients.services.updateService({ service: { ...before, etag: "", labels: { n: String(i) } } }),
      ),
    );
    await Promise.all(results.map(([op]) => op.promise()));
    const [after] = await t.clients.services.getService({ name: serviceName("keep") });
    expect(Number(after.generation)).toBe(Number(before.generation) + 50);
    expect(after.observedGeneration).toBe(after.generation);
    expect(after.latestCreatedRevision).toBe(before.latestCreatedRevision);
    const raw = await readFile(path.join(t.stateDir, "state.json"), "utf8");
    expect(JSON.parse(raw).services[serviceName("keep")].generation).toBe(Number(after.generation));
    expect((await readdir(t.stateDir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("lets exactly one of 20 concurrent updates with the same etag win; the others get ABORTED", async () => {
    const [before] = await t.clients.services.getService({ name: serviceName("keep") });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.clients.services.updateService({ service: { ...before, labels: { race: String(i) } } }).then(
          () => "ok",
          async (e: unknown) => (await apiFailure(Promise.reject(e))).status,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "ABORTED")).toHaveLength(19);
  });

  it("survives a restart: services, revisions, traffic, URLs; processes are restarted", async () => {
    const [before] = await t.clients.services.getService({ name: serviceName("keep") });
    const tagUri = before.trafficStatuses!.find((s) => s.tag === "current")!.uri!;
    const oldPids = t.emulator.revisionPids();
    await t.restart();
    expect(oldPids.filter(isAlive)).toEqual([]);
    const [after] = await t.clients.services.getService({ name: serviceName("keep") });
    expect(after.generation).toBe(before.generation);
    expect(after.latestReadyRevision).toBe(before.latestReadyRevision);
    expect(after.traffic).toEqual(before.traffic);
    expect(after.uri).toBe(before.uri);
    expect(after.trafficStatuses!.find((s) => s.tag === "current")!.uri).toBe(tagUri);
    const [revisions] = await t.clients.revisions.listRevisions({ parent: serviceName("keep") });
    expect(revisions).toHaveLength(1);
    expect((await fetchJson(after.uri!)).revision).toBe(after.latestReadyRevision!.split("/").at(-1));
    expect((await fetchJson(tagUri)).service).toBe("keep");
  });
});
