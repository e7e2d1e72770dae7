import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "../emulator/helpers.js";
import { type CloudRunDriver, failure, type Json, waitDone } from "./cloud-run-drivers.js";
import { type CloudRunTarget, cloudRunTarget, onGoogle } from "./target.js";

// Cloud Run Admin API v2 behaviours that the emulator must share with Google, run through one client per test file. Each row names the reference it follows.

export function cloudRunConformance(
  makeDriver: (target: CloudRunTarget) => CloudRunDriver,
  client: { passesUnknownFields: boolean },
): void {
  let target: CloudRunTarget;
  let driver: CloudRunDriver;
  const created = new Set<string>();
  const container = () => ({ image: target.goodImage });

  /** Creates a service and waits for its rollout; returns the service as read back. */
  async function deployed(name: string, service: Json = {}): Promise<Json> {
    const id = target.id(name);
    const op = await driver.create(id, { template: { containers: [container()] }, ...service });
    created.add(id);
    const done = await waitDone(driver, String(op.name));
    expect(done.error, JSON.stringify(done.error)).toBeUndefined();
    return driver.get(id);
  }

  beforeAll(async () => {
    target = await cloudRunTarget();
    driver = makeDriver(target);
  });
  afterAll(async () => {
    if (onGoogle) await Promise.allSettled([...created].map((id) => driver.remove(id)));
    await driver?.close();
    const emulator = target?.emulator;
    const pids = emulator?.emulator.revisionPids() ?? [];
    await target?.close();
    // The suite leaves nothing behind: its revision processes have ended, its folder is gone.
    if (emulator) {
      expect(pids.length).toBeGreaterThan(0);
      expect(pids.filter(isAlive)).toEqual([]);
      expect(existsSync(emulator.dir)).toBe(false);
    }
  });

  describe("request validation", () => {
    it("refuses an unknown field with Google's 'Unknown name' 400 (a client that sends it as written)", async () => {
      const id = target.id("unknown-field");
      const body = { template: { containers: [{ ...container(), imagee: "typo" }] }, descripton: "typo" };
      if (!driver.passesUnknownFields) {
        // @google-cloud/run drops unknown fields while encoding: nothing unknown reaches the API.
        const op = await driver.create(id, body, { validateOnly: true });
        expect(op.name).toBeTruthy();
        return;
      }
      const error = await failure(driver.create(id, body));
      expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
      expect(error.message).toContain(
        "Invalid JSON payload received. Unknown name \"descripton\" at 'service'",
      );
      expect(error.message).toContain("Unknown name \"imagee\" at 'service.template.containers[0]'");
    });

    it("refuses an enum value the reference does not define (ingress)", async () => {
      const id = target.id("bad-enum");
      const body = { ingress: "INGRESS_TRAFFIC_EVERYWHERE", template: { containers: [container()] } };
      if (!driver.passesUnknownFields) {
        const op = await driver.create(id, body, { validateOnly: true });
        expect(op.name).toBeTruthy();
        return;
      }
      const error = await failure(driver.create(id, body));
      expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
      expect(error.message).toContain("INGRESS_TRAFFIC_EVERYWHERE");
    });

    // @google-cloud/run builds its query string from the request message: it can't send one.
    it.skipIf(!client.passesUnknownFields)("refuses a query parameter the method does not bind", async () => {
      await deployed("query");
      const error = await failure(driver.get(target.id("query"), { validate_onlyy: "true" }));
      expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
      expect(error.message).toContain('Unknown name "validate_onlyy": Cannot bind query parameter');
    });

    it("refuses labels and annotations in the run.googleapis.com/ namespace", async () => {
      for (const field of ["labels", "annotations"]) {
        const error = await failure(
          driver.create(target.id(`reserved-${field}`), {
            [field]: { "run.googleapis.com/ingress": "all" },
            template: { containers: [container()] },
          }),
        );
        expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
        expect(error.message).toContain("run.googleapis.com");
      }
      const error = await failure(
        driver.create(target.id("reserved-template"), {
          template: { labels: { "run.googleapis.com/x": "y" }, containers: [container()] },
        }),
      );
      expect(error.httpStatus).toBe(400);
    });

    it("refuses a description longer than 512 characters; 512 is fine", async () => {
      const error = await failure(
        driver.create(target.id("long-desc"), {
          description: "d".repeat(513),
          template: { containers: [container()] },
        }),
      );
      expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
      const ok = await driver.create(
        target.id("desc-512"),
        { description: "d".repeat(512), template: { containers: [container()] } },
        { validateOnly: true },
      );
      expect(ok.name).toBeTruthy();
    });

    it("refuses an update mask naming a field Service does not have", async () => {
      const id = target.id("mask");
      await deployed("mask");
      const error = await failure(
        driver.update(id, { labels: { a: "b" } }, { updateMask: ["labels", "templat"] }),
      );
      expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
      expect(error.message).toContain("templat");
      expect((await driver.get(id)).labels ?? {}).toEqual({});
    });
  });

  it("a failed first rollout reports no serving state (observedGeneration, trafficStatuses, uri)", async () => {
    const id = target.id("first-fails");
    const op = await driver.create(id, { template: { containers: [target.failingContainer] } });
    created.add(id);
    const done = await waitDone(driver, String(op.name));
    expect(done.error).toBeDefined();
    const service = await driver.get(id);
    expect(service.reconciling).toBeFalsy();
    expect(String(service.observedGeneration ?? "0")).not.toBe(String(service.generation));
    expect((service.trafficStatuses as unknown[] | undefined) ?? []).toEqual([]);
    expect(service.uri ?? "").toBe("");
    expect((service.terminalCondition as Json).state).toBe("CONDITION_FAILED");
  });

  it("a failed update keeps the last serving state: observedGeneration, latestReadyRevision, traffic", async () => {
    const id = target.id("update-fails");
    const before = await deployed("update-fails");
    const op = await driver.update(id, { template: { containers: [target.failingContainer] } });
    expect((await waitDone(driver, String(op.name))).error).toBeDefined();
    const after = await driver.get(id);
    expect(after.generation).not.toBe(before.generation);
    expect(after.observedGeneration).toBe(before.observedGeneration);
    expect(after.latestReadyRevision).toBe(before.latestReadyRevision);
    expect(after.latestCreatedRevision).not.toBe(before.latestCreatedRevision);
    const revisions = (statuses: unknown) => ((statuses as Json[] | undefined) ?? []).map((t) => t.revision);
    expect(revisions(after.trafficStatuses)).toEqual(revisions(before.trafficStatuses));
    expect(after.uri).toBe(before.uri);
  });

  describe("ListServices", () => {
    it("refuses the '-' location wildcard", async () => {
      const error = await failure(driver.list("-"));
      expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
    });

    it("lists newest first", async () => {
      await deployed("older");
      await deployed("newer");
      const names = (await driver.list(target.location)).items.map((s) => String(s.name).split("/").at(-1));
      const older = names.indexOf(target.id("older"));
      const newer = names.indexOf(target.id("newer"));
      expect(older).toBeGreaterThanOrEqual(0);
      expect(newer).toBeLessThan(older);
    });
  });

  describe("service-level fields", () => {
    it("stores and returns ingress, scaling, launchStage and invokerIamDisabled", async () => {
      const service = await deployed("settings", {
        ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
        launchStage: "BETA",
        invokerIamDisabled: true,
        scaling: { maxInstanceCount: 3 },
      });
      expect(service).toMatchObject({
        ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
        launchStage: "BETA",
        invokerIamDisabled: true,
        scaling: { maxInstanceCount: 3 },
      });
    });

    it.skipIf(onGoogle)(
      "refuses requests from outside on an internal-only service's URL (emulator data plane)",
      async () => {
        const open = await deployed("ingress-all");
        // A service created through the API is private until allUsers may invoke it (as on Google).
        const resource = `${target.apiEndpoint}/v2/${target.parent}/services/${target.id("ingress-all")}`;
        const policy = (await (await fetch(`${resource}:getIamPolicy`)).json()) as Json;
        const granted = await fetch(`${resource}:setIamPolicy`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            policy: { ...policy, bindings: [{ role: "roles/run.invoker", members: ["allUsers"] }] },
          }),
        });
        expect(granted.status).toBe(200);
        const closed = await deployed("ingress-internal", { ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY" });
        expect((await fetch(String(open.uri))).status).toBe(200);
        expect((await fetch(String(closed.uri))).status).toBe(404);
      },
    );
  });

  it("a nested update mask (template.containers) replaces that field only", async () => {
    const id = target.id("nested-mask");
    await deployed("nested-mask", {
      template: { maxInstanceRequestConcurrency: 42, labels: { keep: "yes" }, containers: [container()] },
    });
    const op = await driver.update(
      id,
      { template: { containers: [{ ...container(), env: [{ name: "GREETING", value: "hi" }] }] } },
      { updateMask: ["template.containers"] },
    );
    expect((await waitDone(driver, String(op.name))).error).toBeUndefined();
    const template = (await driver.get(id)).template as Json;
    expect(template.maxInstanceRequestConcurrency).toBe(42);
    expect(template.labels).toEqual({ keep: "yes" });
    expect((template.containers as Json[])[0]!.env).toMatchObject([{ name: "GREETING", value: "hi" }]);
  });

  describe("operations, revisions, etags", () => {
    it("keeps a service's in-flight operation readable after the service is deleted", async () => {
      const id = target.id("inflight");
      const op = await driver.create(id, { template: { containers: [container()] } });
      const removal = await driver.remove(id);
      await waitDone(driver, String(removal.name));
      const first = await waitDone(driver, String(op.name));
      expect(first.name).toBe(op.name);
      expect(first.done).toBe(true);
    });

    it("lists the revisions of every service with service '-'", async () => {
      await deployed("rev-a");
      await deployed("rev-b");
      const services = new Set(
        (await driver.listRevisions("-")).items.map((r) => String(r.service).split("/").at(-1)),
      );
      expect(services).toContain(target.id("rev-a"));
      expect(services).toContain(target.id("rev-b"));
    });

    it("quotes etags (AIP-154) and refuses a stale one with 409 ABORTED", async () => {
      const id = target.id("etag");
      const before = await deployed("etag");
      expect(String(before.etag)).toMatch(/^(W\/)?".+"$/);
      const op = await driver.update(id, {
        ...pick(before, ["template"]),
        labels: { n: "1" },
        etag: before.etag,
      });
      await waitDone(driver, String(op.name));
      const error = await failure(
        driver.update(id, { ...pick(before, ["template"]), labels: { n: "2" }, etag: before.etag }),
      );
      expect(error).toMatchObject({ httpStatus: 409, status: "ABORTED" });
    });

    it("pages ListOperations by pageSize", async () => {
      await deployed("ops-a");
      await deployed("ops-b");
      const page = await driver.listOperations(1);
      expect(page.items).toHaveLength(1);
      expect(page.nextPageToken).toBeTruthy();
    });
  });
  describe("shapes as Cloud Run answers them", () => {
    it("a LATEST traffic status names no revision; latestReadyRevision says which it is", async () => {
      const service = await deployed("shape-latest");
      const statuses = service.trafficStatuses as Json[];
      expect(statuses).toHaveLength(1);
      expect(statuses[0]).toMatchObject({ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 });
      expect(statuses[0]!.revision ?? "").toBe("");
      expect(String(service.latestReadyRevision)).toMatch(/\/revisions\/.+/);
    });

    it("lists two URLs in urls, uri among them", async () => {
      const service = await deployed("shape-urls");
      const urls = service.urls as string[];
      expect(urls).toHaveLength(2);
      expect(new Set(urls).size).toBe(2);
      expect(urls).toContain(service.uri);
    });

    it("fills in the template defaults: TCP startup probe, cpuIdle, the default compute service account", async () => {
      const service = await deployed("shape-defaults");
      const template = service.template as Json;
      const [first] = template.containers as Json[];
      expect(first!.startupProbe).toMatchObject({
        timeoutSeconds: 240,
        periodSeconds: 240,
        failureThreshold: 1,
        tcpSocket: { port: 8080 },
      });
      expect(first!.resources).toMatchObject({ cpuIdle: true });
      expect(String(template.serviceAccount)).toMatch(/^\d+-compute@developer\.gserviceaccount\.com$/);
    });

    it("leaves cpuIdle unset when the request sets resources without it (ResourceRequirements.cpu_idle)", async () => {
      const service = await deployed("shape-resources", {
        template: { containers: [{ ...container(), resources: { limits: { cpu: "1", memory: "512Mi" } } }] },
      });
      const [first] = (service.template as Json).containers as Json[];
      expect((first!.resources as Json).cpuIdle ?? false).toBe(false);
    });

    it("keeps the etag when a rollout finishes; a write changes it (etag from updateTime)", async () => {
      const id = target.id("shape-etag");
      const op = await driver.create(id, { template: { containers: [container()] } });
      created.add(id);
      const during = await driver.get(id);
      expect((await waitDone(driver, String(op.name))).error).toBeUndefined();
      const after = await driver.get(id);
      expect(after.etag).toBe(during.etag);
      expect(after.updateTime).toEqual(during.updateTime);
      const update = await driver.update(id, { ...pick(after, ["template"]), labels: { n: "1" } });
      await waitDone(driver, String(update.name));
      expect((await driver.get(id)).etag).not.toBe(after.etag);
    });
  });

  describe("refusals Cloud Run makes", () => {
    it("refuses labels outside lowercase letters, digits, '_' and '-', or longer than 63 characters", async () => {
      const bad: Json[] = [
        { labels: { Team: "chat" } },
        { labels: { team: "Chat" } },
        { labels: { "1team": "chat" } },
        { labels: { team: "a b" } },
        { labels: { ["k".repeat(64)]: "v" } },
        { labels: { k: "v".repeat(64) } },
        { template: { labels: { Team: "chat" }, containers: [container()] } },
      ];
      for (const [i, fields] of bad.entries()) {
        const id = target.id(`bad-label-${i}`);
        created.add(id);
        const error = await failure(
          driver.create(id, { template: { containers: [container()] }, ...fields }),
        );
        expect(error, JSON.stringify(fields)).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
      }
      const ok = await driver.create(
        target.id("good-labels"),
        {
          labels: { team_1: "chat-a", ["k".repeat(63)]: "v".repeat(63), empty: "" },
          template: { containers: [container()] },
        },
        { validateOnly: true },
      );
      expect(ok.name).toBeTruthy();
    });

    it("refuses a parent with an invalid project id, or a location Cloud Run does not run in", async () => {
      const project = await failure(driver.list(target.location, undefined, "Not_A_Project"));
      expect(project).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
      const location = await failure(driver.list("europe-west99"));
      expect([400, 404]).toContain(location.httpStatus);
      expect(location.message).toContain("europe-west99");
    });

    it("refuses a negative pageSize (AIP-158)", async () => {
      const error = await failure(driver.list(target.location, -1));
      expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
    });

    // Raw REST on the emulator: neither client lets a caller add a query parameter to an IAM call.
    it.skipIf(onGoogle)("refuses a query parameter the IAM methods do not bind", async () => {
      await deployed("iam-query");
      const resource = `${target.apiEndpoint}/v2/${target.parent}/services/${target.id("iam-query")}`;
      const known = await fetch(`${resource}:getIamPolicy?options.requestedPolicyVersion=3`);
      expect(known.status).toBe(200);
      const unknown = await fetch(`${resource}:getIamPolicy?requestedPolicyVersion=3`);
      expect(unknown.status).toBe(400);
      expect(await unknown.text()).toContain("Cannot bind query parameter");
    });

    it("refuses wildcard permissions in testIamPermissions; answers the ones asked", async () => {
      const id = target.id("perms");
      await deployed("perms");
      const error = await failure(driver.testIamPermissions(id, ["run.services.*"]));
      expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
      expect(await driver.testIamPermissions(id, ["run.services.get"])).toEqual(["run.services.get"]);
    });

    it("refuses an unknown field in a setIamPolicy body (a client that sends it as written)", async () => {
      const id = target.id("iam-body");
      await deployed("iam-body");
      const policy = await driver.getIamPolicy(id);
      const body = { policy: { ...policy, bindingz: [] }, updateMaskk: "bindings" };
      if (!driver.passesUnknownFields) {
        // @google-cloud/run drops unknown fields while encoding: nothing unknown reaches the API.
        expect((await driver.setIamPolicy(id, body)).etag).toBeTruthy();
        return;
      }
      const error = await failure(driver.setIamPolicy(id, body));
      expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
      expect(error.message).toContain('Unknown name "updateMaskk"');
      expect(error.message).toContain('Unknown name "bindingz"');
    });

    // @google-cloud/run's operations client has no WaitOperation call.
    it.skipIf(!client.passesUnknownFields)(
      "refuses an unknown field in an operations:wait body",
      async () => {
        const id = target.id("wait-body");
        const op = await driver.create(id, { template: { containers: [container()] } });
        created.add(id);
        const error = await failure(driver.waitOperation!(String(op.name), { timeout: "1s", deadline: "x" }));
        expect(error).toMatchObject({ httpStatus: 400, status: "INVALID_ARGUMENT" });
        expect(error.message).toContain('Unknown name "deadline"');
        const waited = await driver.waitOperation!(String(op.name), { timeout: "30s" });
        expect(waited.name).toBe(op.name);
      },
    );
  });

  it("takes updateMask '*' as a full replacement (AIP-134)", async () => {
    const id = target.id("mask-star");
    await deployed("mask-star", { labels: { old: "x" } });
    const op = await driver.update(
      id,
      { labels: { fresh: "y" }, template: { containers: [container()] } },
      { updateMask: ["*"] },
    );
    expect((await waitDone(driver, String(op.name))).error).toBeUndefined();
    expect((await driver.get(id)).labels).toEqual({ fresh: "y" });
  });
}

function pick(source: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}
