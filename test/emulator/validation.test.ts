import { checkServiceName, checkTrafficTag } from "@echogate/common/cloud-run-limits";
import { beforeAll, describe, expect, it } from "vitest";
import { apiFailure, PARENT, serviceName, template, useTestEmulator, writeTestImage } from "./helpers.js";

describe("Cloud Run limits as pure checks", () => {
  it("checks service names", () => {
    expect(checkServiceName("a".repeat(49))).toEqual({ ok: true });
    expect(checkServiceName("a".repeat(50))).toMatchObject({
      ok: false,
      message: expect.stringContaining("fewer than 50"),
    });
    expect(checkServiceName("1abc")).toMatchObject({
      ok: false,
      message: expect.stringContaining("start with"),
    });
    expect(checkServiceName("ab_c")).toMatchObject({
      ok: false,
      message: expect.stringContaining("[a-z0-9-]"),
    });
    expect(checkServiceName("abc-")).toMatchObject({
      ok: false,
      message: expect.stringContaining("end with a dash"),
    });
  });

  it("checks traffic tags", () => {
    expect(checkTrafficTag("canary", "svc")).toEqual({ ok: true });
    expect(checkTrafficTag("ab", "svc")).toMatchObject({
      ok: false,
      message: expect.stringContaining("at least 3"),
    });
    expect(checkTrafficTag("my_tag", "svc")).toMatchObject({
      ok: false,
      message: expect.stringContaining("underscores"),
    });
    const service = "s".repeat(40);
    expect(checkTrafficTag("abcdef", service)).toEqual({ ok: true });
    expect(checkTrafficTag("abcdefg", service)).toMatchObject({
      ok: false,
      message: expect.stringContaining("46 characters"),
    });
  });
});

describe("validation errors through the API", () => {
  let image: string;
  const t = useTestEmulator();
  beforeAll(async () => {
    image = (await writeTestImage(t.imageStoreDir)).ref;
    const [op] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "svc",
      service: { template: template(image) },
    });
    await op.promise();
  });

  const update = async (traffic: object[]) => {
    const [current] = await t.clients.services.getService({ name: serviceName("svc") });
    return t.clients.services.updateService({ service: { ...current, traffic } });
  };

  it("refuses bad service ids with INVALID_ARGUMENT and a BadRequest detail", async () => {
    const failure = await apiFailure(
      t.clients.services.createService({
        parent: PARENT,
        serviceId: "Bad_Name",
        service: { template: template(image) },
      }),
    );
    expect(failure).toMatchObject({
      httpStatus: 400,
      status: "INVALID_ARGUMENT",
      message: expect.stringContaining("start with a lowercase letter"),
    });
    expect(failure.details[0]).toMatchObject({ "@type": "type.googleapis.com/google.rpc.BadRequest" });
    expect(
      await apiFailure(
        t.clients.services.createService({
          parent: PARENT,
          serviceId: "x".repeat(50),
          service: { template: template(image) },
        }),
      ),
    ).toMatchObject({ status: "INVALID_ARGUMENT", message: expect.stringContaining("fewer than 50") });
  });

  it("answers ALREADY_EXISTS (409) for a duplicate service", async () => {
    expect(
      await apiFailure(
        t.clients.services.createService({
          parent: PARENT,
          serviceId: "svc",
          service: { template: template(image) },
        }),
      ),
    ).toMatchObject({ httpStatus: 409, status: "ALREADY_EXISTS" });
  });

  it("refuses bad traffic", async () => {
    const [svc] = await t.clients.services.getService({ name: serviceName("svc") });
    const revision = svc.latestReadyRevision!.split("/").at(-1)!;
    const REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" as const;
    const LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" as const;
    expect(await apiFailure(update([{ type: REVISION, revision, percent: 90 }]))).toMatchObject({
      status: "INVALID_ARGUMENT",
      message: expect.stringContaining("sum to 100"),
    });
    expect(
      await apiFailure(update([{ type: REVISION, revision: "svc-99999-zzz", percent: 100 }])),
    ).toMatchObject({
      message: expect.stringContaining("'svc-99999-zzz' referenced in traffic does not exist"),
    });
    expect(
      await apiFailure(
        update([
          { type: LATEST, percent: 100, tag: "same" },
          { type: REVISION, revision, percent: 0, tag: "same" },
        ]),
      ),
    ).toMatchObject({ message: expect.stringContaining("used more than once") });
    expect(await apiFailure(update([{ type: LATEST, percent: 100, tag: "my_tag" }]))).toMatchObject({
      message: expect.stringContaining("underscores"),
    });
    expect(await apiFailure(update([{ type: LATEST, percent: 100, tag: "ab" }]))).toMatchObject({
      message: expect.stringContaining("at least 3 characters"),
    });
    expect(await apiFailure(update([{ type: LATEST, percent: 100, tag: "t".repeat(44) }]))).toMatchObject({
      message: expect.stringContaining("cannot exceed 46 characters"),
    });
  });

  it("refuses reserved env names", async () => {
    const [current] = await t.clients.services.getService({ name: serviceName("svc") });
    expect(
      await apiFailure(
        t.clients.services.updateService({
          service: { ...current, template: { containers: [{ image, env: [{ name: "PORT", value: "1" }] }] } },
        }),
      ),
    ).toMatchObject({
      status: "INVALID_ARGUMENT",
      message: expect.stringContaining("reserved env names were provided: PORT"),
    });
  });
});
