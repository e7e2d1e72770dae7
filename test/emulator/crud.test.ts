import { beforeAll, describe, expect, it } from "vitest";
import {
  allowPublic,
  apiFailure,
  fetchJson,
  PARENT,
  serviceName,
  template,
  useTestEmulator,
  writeTestImage,
} from "./helpers.js";

describe("services CRUD through the real @google-cloud/run client", () => {
  let image: string;
  const t = useTestEmulator();
  beforeAll(async () => {
    image = (await writeTestImage(t.imageStoreDir)).ref;
  });

  it("creates a service through a long-running operation and serves it", async () => {
    const [operation] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "hello",
      service: {
        template: template(image, { containers: [{ image, env: [{ name: "GREETING", value: "hi" }] }] }),
        labels: { team: "rt" },
      },
    });
    expect(operation.name).toMatch(
      /^projects\/demo-project\/locations\/europe-west1\/operations\/[0-9a-f-]{36}$/,
    );
    const [service] = await operation.promise();
    await allowPublic(t.clients, "hello");
    expect(service.name).toBe(serviceName("hello"));
    // LRO results are decoded protobuf messages: int64 arrives as Long.
    expect(String(service.generation)).toBe("1");
    expect(String(service.observedGeneration)).toBe("1");
    expect(service.reconciling).toBe(false);
    expect(service.latestReadyRevision).toMatch(/\/revisions\/hello-00001-[a-z]{3}$/);
    // Enums in LRO results are numbers (decoded protobuf); 4 is CONDITION_SUCCEEDED.
    expect(service.terminalCondition?.state).toBe(4);
    expect(service.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetchJson(service.uri!);
    expect(health).toMatchObject({ service: "hello", version: "0.1.0+test", greeting: "hi" });
    expect(health.revision).toBe(service.latestReadyRevision!.split("/").at(-1));
  });

  it("gets and lists services", async () => {
    const [service] = await t.clients.services.getService({ name: serviceName("hello") });
    expect(service.labels).toEqual({ team: "rt" });
    const [services] = await t.clients.services.listServices({ parent: PARENT });
    expect(services.map((s) => s.name)).toEqual([serviceName("hello")]);
  });
});

describe("updates, etags, revisions and deletes", () => {
  let image: string;
  let image2: string;
  const t = useTestEmulator();
  beforeAll(async () => {
    image = (await writeTestImage(t.imageStoreDir)).ref;
    image2 = (await writeTestImage(t.imageStoreDir, { version: "0.2.0+test" })).ref;
    const [op] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "app",
      service: { template: template(image) },
    });
    await op.promise();
    await allowPublic(t.clients, "app");
  });

  it("bumps generation and etag; a label change creates no revision", async () => {
    const [before] = await t.clients.services.getService({ name: serviceName("app") });
    const [op] = await t.clients.services.updateService({ service: { ...before, labels: { a: "b" } } });
    await op.promise();
    const [after] = await t.clients.services.getService({ name: serviceName("app") });
    expect(after.generation).toBe("2");
    expect(after.observedGeneration).toBe("2");
    expect(after.etag).not.toBe(before.etag);
    expect(after.latestCreatedRevision).toBe(before.latestCreatedRevision);
  });

  it("answers ABORTED (409) to a stale etag on update and delete", async () => {
    const [current] = await t.clients.services.getService({ name: serviceName("app") });
    const stale = { ...current, etag: "stale-etag" };
    expect(await apiFailure(t.clients.services.updateService({ service: stale }))).toMatchObject({
      status: "ABORTED",
      message: expect.stringContaining("stale"),
    });
    expect(
      await apiFailure(t.clients.services.deleteService({ name: serviceName("app"), etag: "stale-etag" })),
    ).toMatchObject({ status: "ABORTED" });
  });

  it("creates a new revision when the template changes, named <service>-<5 digits>-<3 letters>", async () => {
    const [current] = await t.clients.services.getService({ name: serviceName("app") });
    const [op] = await t.clients.services.updateService({
      service: {
        ...current,
        template: { ...current.template, containers: [{ image: image2, args: ["--flag"] }] },
      },
    });
    const [updated] = await op.promise();
    expect(updated.latestCreatedRevision).toMatch(/\/revisions\/app-00002-[a-z]{3}$/);
    expect(updated.latestReadyRevision).toBe(updated.latestCreatedRevision);
    const health = await fetchJson(updated.uri!);
    expect(health).toMatchObject({ version: "0.2.0+test", argv: ["--flag"] });
    const [revisions] = await t.clients.revisions.listRevisions({ parent: serviceName("app") });
    expect(revisions.map((r) => r.name!.split("/").at(-1))).toEqual([
      updated.latestCreatedRevision!.split("/").at(-1),
      expect.stringMatching(/^app-00001-[a-z]{3}$/),
    ]);
    const [revision] = await t.clients.revisions.getRevision({ name: updated.latestCreatedRevision! });
    expect(revision.service).toBe(serviceName("app"));
    expect(revision.containers?.[0]?.image).toBe(image2);
    expect(revision.conditions?.find((c) => c.type === "Ready")?.state).toBe("CONDITION_SUCCEEDED");
  });

  it("uses template.revision as the revision name and refuses names without the service prefix", async () => {
    const [current] = await t.clients.services.getService({ name: serviceName("app") });
    const [op] = await t.clients.services.updateService({
      service: { ...current, template: { ...current.template, revision: "app-candidate-1" } },
    });
    const [updated] = await op.promise();
    expect(updated.latestCreatedRevision).toBe(`${serviceName("app")}/revisions/app-candidate-1`);
    expect(
      await apiFailure(
        t.clients.services.updateService({
          service: { ...updated, etag: "", template: { ...updated.template, revision: "other-1" } },
        }),
      ),
    ).toMatchObject({
      status: "INVALID_ARGUMENT",
      message: expect.stringContaining("prefixed by the service name"),
    });
  });

  it("refuses to delete a serving revision and deletes an unused one", async () => {
    const [service] = await t.clients.services.getService({ name: serviceName("app") });
    expect(
      await apiFailure(t.clients.revisions.deleteRevision({ name: service.latestReadyRevision! })),
    ).toMatchObject({ status: "FAILED_PRECONDITION" });
    const [revisions] = await t.clients.revisions.listRevisions({ parent: serviceName("app") });
    const oldest = revisions.at(-1)!.name!;
    const [op] = await t.clients.revisions.deleteRevision({ name: oldest });
    const [deleted] = await op.promise();
    expect(deleted.name).toBe(oldest);
    expect(await apiFailure(t.clients.revisions.getRevision({ name: oldest }))).toMatchObject({
      status: "NOT_FOUND",
    });
  });

  it("validateOnly changes nothing; allowMissing creates; delete removes", async () => {
    const [op] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "dry",
      validateOnly: true,
      service: { template: template(image) },
    });
    expect(op.done).toBe(true);
    expect(await apiFailure(t.clients.services.getService({ name: serviceName("dry") }))).toMatchObject({
      status: "NOT_FOUND",
    });

    expect(
      await apiFailure(
        t.clients.services.updateService({
          service: { name: serviceName("ghost"), template: template(image) },
        }),
      ),
    ).toMatchObject({ status: "NOT_FOUND", message: expect.stringContaining("does not exist") });
    const [created] = await t.clients.services.updateService({
      allowMissing: true,
      service: { name: serviceName("ghost"), template: template(image) },
    });
    const [ghost] = await created.promise();
    expect(String(ghost.generation)).toBe("1");

    const [del] = await t.clients.services.deleteService({ name: serviceName("ghost") });
    const [gone] = await del.promise();
    expect(gone.name).toBe(serviceName("ghost"));
    expect(await apiFailure(t.clients.services.getService({ name: serviceName("ghost") }))).toMatchObject({
      status: "NOT_FOUND",
    });
  });

  it("pages through services", async () => {
    for (const id of ["page-a", "page-b", "page-c"]) {
      await t.clients.services.createService({
        parent: PARENT,
        serviceId: id,
        service: { template: template(image) },
      });
    }
    const [first, next] = await t.clients.services.listServices(
      { parent: PARENT, pageSize: 2 },
      { autoPaginate: false },
    );
    expect(first).toHaveLength(2);
    expect(next?.pageToken).toBeTruthy();
    const [all] = await t.clients.services.listServices({ parent: PARENT });
    expect(all.length).toBe(4);
  });
});
