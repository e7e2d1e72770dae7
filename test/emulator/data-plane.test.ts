import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  allowPublic,
  fetchJson,
  isAlive,
  PARENT,
  serviceName,
  startTestEmulator,
  template,
  useTestEmulator,
  writeTestImage,
} from "./helpers.js";

const REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" as const;
const short = (name: string | null | undefined) => name!.split("/").at(-1)!;

/** A new connection per request, so every request is routed anew. */
async function freshFetch(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { headers: { connection: "close" } });
  return (await res.json()) as Record<string, unknown>;
}

function wsEcho(url: string, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"));
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no echo from ${url}`));
    }, 3_000);
    ws.once("open", () => ws.send(message));
    ws.once("message", (data) => {
      clearTimeout(timer);
      ws.close();
      resolve(String(data));
    });
    ws.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

describe("traffic split and tag URLs", () => {
  let stable: string;
  let candidate: string;
  let serviceUri: string;
  let tagUri: string;
  const t = useTestEmulator();
  beforeAll(async () => {
    const v1 = (await writeTestImage(t.imageStoreDir, { version: "1.0.0" })).ref;
    const v2 = (await writeTestImage(t.imageStoreDir, { version: "2.0.0" })).ref;
    const [created] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "rt",
      service: { template: template(v1) },
    });
    const [first] = await created.promise();
    await allowPublic(t.clients, "rt");
    stable = short(first.latestReadyRevision);
    // The gate's flow: deploy a named candidate with 0% and a tag, then split.
    const [current] = await t.clients.services.getService({ name: serviceName("rt") });
    const [op] = await t.clients.services.updateService({
      service: {
        ...current,
        template: { ...current.template, revision: "rt-candidate", containers: [{ image: v2 }] },
        traffic: [
          { type: REVISION, revision: stable, percent: 50 },
          { type: REVISION, revision: "rt-candidate", percent: 50, tag: "candidate" },
        ],
      },
    });
    const [updated] = await op.promise();
    candidate = "rt-candidate";
    serviceUri = updated.uri!;
    tagUri = updated.trafficStatuses!.find((s) => s.tag === "candidate")!.uri!;
  });

  it("reports trafficStatuses with a tag URI on its own loopback port", async () => {
    expect(tagUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(tagUri).not.toBe(serviceUri);
  });

  it("routes the tag URL to the tagged revision only (HTTP and WebSocket)", async () => {
    for (let i = 0; i < 5; i++) expect((await fetchJson(tagUri)).revision).toBe(candidate);
    expect(await wsEcho(tagUri, "hello")).toBe(`${candidate}:hello`);
  });

  it("splits the service URL by percent per connection (HTTP and WebSocket)", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      seen.add(String((await freshFetch(serviceUri)).revision));
    }
    expect(seen).toEqual(new Set([stable, candidate]));
    const echoes = new Set<string>();
    for (let i = 0; i < 40 && echoes.size < 2; i++)
      echoes.add((await wsEcho(serviceUri, "x")).split(":")[0]!);
    expect(echoes).toEqual(new Set([stable, candidate]));
  });

  it("moves all traffic and keeps URLs stable", async () => {
    const [current] = await t.clients.services.getService({ name: serviceName("rt") });
    const [op] = await t.clients.services.updateService({
      service: {
        ...current,
        traffic: [{ type: REVISION, revision: candidate, percent: 100, tag: "candidate" }],
      },
    });
    const [moved] = await op.promise();
    expect(moved.uri).toBe(serviceUri);
    for (let i = 0; i < 5; i++) {
      expect((await freshFetch(serviceUri)).revision).toBe(candidate);
    }
  });
});

describe("failing revisions", () => {
  const t = useTestEmulator({ startupTimeoutMs: 1_500 });

  const createAndFail = async (serviceId: string, image: string) => {
    const [op] = await t.clients.services.createService({
      parent: PARENT,
      serviceId,
      service: { template: template(image) },
    });
    const error = await op.promise().then(
      () => undefined,
      (e: Error) => e,
    );
    const [service] = await t.clients.services.getService({ name: serviceName(serviceId) });
    const [revision] = await t.clients.revisions.getRevision({ name: service.latestCreatedRevision! });
    return { error, service, ready: revision.conditions!.find((c) => c.type === "Ready")! };
  };

  it("a process that exits at once fails the revision with its stderr", async () => {
    const image = (await writeTestImage(t.imageStoreDir, { behavior: "exit" })).ref;
    const { error, service, ready } = await createAndFail("crash", image);
    expect(error?.message).toContain("failed to start and listen on the port defined provided by the PORT=");
    expect(ready.state).toBe("CONDITION_FAILED");
    expect(ready.message).toContain("exited with code 3");
    expect(ready.message).toContain("fatal: DATABASE_URL is not set");
    expect(service.terminalCondition?.state).toBe("CONDITION_FAILED");
    expect(service.latestReadyRevision).toBeFalsy();
  });

  it("a process that never listens fails after the startup budget", async () => {
    const image = (await writeTestImage(t.imageStoreDir, { behavior: "never-listen" })).ref;
    const { error, ready } = await createAndFail("mute", image);
    expect(error?.message).toMatch(/did not listen on 0\.0\.0\.0:\d+ within 1500 ms/);
    expect(ready.message).toContain("waiting for a dependency that never comes");
    expect(t.emulator.revisionPids()).toEqual([]);
  });

  it("an image digest missing from the store fails with Image '...' not found", async () => {
    const missing = `local/echogate-server@sha256:${"0".repeat(64)}`;
    const { error, ready } = await createAndFail("ghost-image", missing);
    expect(error?.message).toContain(`Image '${missing}' not found`);
    expect(ready.reason).toBe("CONTAINER_MISSING");
  });

  it("a failed rollout keeps serving the previous ready revision", async () => {
    const good = (await writeTestImage(t.imageStoreDir, { version: "ok" })).ref;
    const bad = (await writeTestImage(t.imageStoreDir, { behavior: "exit" })).ref;
    const [op] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "keep",
      service: { template: template(good) },
    });
    const [first] = await op.promise();
    await allowPublic(t.clients, "keep");
    const [current] = await t.clients.services.getService({ name: serviceName("keep") });
    const [rollout] = await t.clients.services.updateService({
      service: { ...current, template: template(bad) },
    });
    await expect(rollout.promise()).rejects.toThrow(/not ready and cannot serve traffic/);
    const [after] = await t.clients.services.getService({ name: serviceName("keep") });
    expect(after.latestReadyRevision).toBe(first.latestReadyRevision);
    expect(after.latestCreatedRevision).not.toBe(first.latestCreatedRevision);
    expect((await fetchJson(after.uri!)).version).toBe("ok");
  });

  it("stops every process on close (no orphans)", async () => {
    const local = await startTestEmulator();
    const image = (await writeTestImage(local.imageStoreDir)).ref;
    const [op] = await local.clients.services.createService({
      parent: PARENT,
      serviceId: "orph",
      service: { template: template(image) },
    });
    await op.promise();
    const pids = local.emulator.revisionPids();
    expect(pids).toHaveLength(1);
    expect(isAlive(pids[0]!)).toBe(true);
    await local.close();
    expect(pids.filter(isAlive)).toEqual([]);
    await expect(fetch(`${local.emulator.apiEndpoint}/v2/x`)).rejects.toThrow();
  });
});
