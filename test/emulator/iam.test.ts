import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  apiFailure,
  PARENT,
  serviceName,
  type TestEmulator,
  template,
  useTestEmulator,
  writeTestImage,
} from "./helpers.js";

const INVOKER = "roles/run.invoker";

/** Status of a WebSocket upgrade (101 when it opened), with optional headers. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"), { headers });
    ws.once("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.once("error", reject);
  });
}

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { headers: { connection: "close", ...headers } });
  await res.arrayBuffer();
  return res.status;
}

async function idToken(t: TestEmulator, audience: string): Promise<string> {
  return t.clients.identityToken(audience);
}

describe("service IAM policy and the invoker check", () => {
  let uri: string;
  let image: string;
  const t = useTestEmulator();
  beforeAll(async () => {
    image = (await writeTestImage(t.imageStoreDir, { version: "1.0.0" })).ref;
    const [op] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "iam",
      service: { template: template(image) },
    });
    const [created] = await op.promise();
    uri = created.uri!;
  });

  it("a service created through the API has no bindings: 403 over HTTP and WebSocket without a token", async () => {
    const [policy] = await t.clients.services.getIamPolicy({ resource: serviceName("iam") });
    expect(policy.bindings ?? []).toEqual([]);
    expect(policy.etag).toBeTruthy();
    expect(await status(`${uri}/health`)).toBe(403);
    expect(await upgradeStatus(uri)).toBe(403);
  });

  it("an identity token for the service URL gets in; one for another audience or forged does not", async () => {
    const token = await idToken(t, uri);
    expect(await status(`${uri}/health`, { authorization: `Bearer ${token}` })).toBe(200);
    expect(await upgradeStatus(uri, { authorization: `Bearer ${token}` })).toBe(101);
    const other = await idToken(t, "http://127.0.0.1:1");
    expect(await status(`${uri}/health`, { authorization: `Bearer ${other}` })).toBe(401);
    const [h, p] = token.split(".");
    expect(await status(`${uri}/health`, { authorization: `Bearer ${h}.${p}.forged` })).toBe(401);
  });

  it("setIamPolicy with allUsers as invoker makes it public; a stale etag is ABORTED", async () => {
    const resource = serviceName("iam");
    const [before] = await t.clients.services.getIamPolicy({ resource });
    const [after] = await t.clients.services.setIamPolicy({
      resource,
      policy: { ...before, bindings: [{ role: INVOKER, members: ["allUsers"] }] },
    });
    expect(after.bindings).toEqual([expect.objectContaining({ role: INVOKER, members: ["allUsers"] })]);
    expect(Buffer.from(after.etag as Uint8Array).equals(Buffer.from(before.etag as Uint8Array))).toBe(false);
    expect(await status(`${uri}/health`)).toBe(200);
    expect(await upgradeStatus(uri)).toBe(101);

    const stale = await apiFailure(
      t.clients.services.setIamPolicy({ resource, policy: { ...before, bindings: [] } }),
    );
    expect(stale.status).toBe("ABORTED");
    expect(await status(`${uri}/health`)).toBe(200);

    // Back to private: allUsers removed, the same policy read again for its etag.
    const [current] = await t.clients.services.getIamPolicy({ resource });
    await t.clients.services.setIamPolicy({ resource, policy: { ...current, bindings: [] } });
    expect(await status(`${uri}/health`)).toBe(403);
  });

  it("refuses malformed bindings and unknown services", async () => {
    const bad = await apiFailure(
      t.clients.services.setIamPolicy({
        resource: serviceName("iam"),
        policy: { bindings: [{ role: INVOKER, members: ["everyone"] }] },
      }),
    );
    expect(bad.status).toBe("INVALID_ARGUMENT");
    expect(bad.message).toContain("everyone");
    const missing = await apiFailure(t.clients.services.getIamPolicy({ resource: serviceName("nope") }));
    expect(missing.status).toBe("NOT_FOUND");
  });

  it("tag URLs are checked too, with the service URL as audience: a token for the tag URL is refused", async () => {
    const [current] = await t.clients.services.getService({ name: serviceName("iam") });
    const [op] = await t.clients.services.updateService({
      service: {
        ...current,
        traffic: [
          { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 100 },
          { type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent: 0, tag: "canary" },
        ],
      },
    });
    const [updated] = await op.promise();
    const tagUri = updated.trafficStatuses!.find((s) => s.tag === "canary")!.uri!;
    expect(await status(`${tagUri}/health`)).toBe(403);
    const serviceToken = await idToken(t, uri);
    expect(await status(`${tagUri}/health`, { authorization: `Bearer ${serviceToken}` })).toBe(200);
    expect(await upgradeStatus(tagUri, { authorization: `Bearer ${serviceToken}` })).toBe(101);
    const tagToken = await idToken(t, tagUri);
    expect(await status(`${tagUri}/health`, { authorization: `Bearer ${tagToken}` })).toBe(401);
    expect(await status(`${uri}/health`, { authorization: `Bearer ${tagToken}` })).toBe(401);
  });

  it("a custom audience is accepted once the service lists it, and only then", async () => {
    const audience = "https://realtime.example.com";
    const token = await idToken(t, audience);
    expect(await status(`${uri}/health`, { authorization: `Bearer ${token}` })).toBe(401);
    const [current] = await t.clients.services.getService({ name: serviceName("iam") });
    const [op] = await t.clients.services.updateService({
      service: { ...current, customAudiences: [audience] },
    });
    await op.promise();
    expect(await status(`${uri}/health`, { authorization: `Bearer ${token}` })).toBe(200);
    expect(await status(`${uri}/health`, { authorization: `Bearer ${await idToken(t, uri)}` })).toBe(200);
  });

  it("X-Serverless-Authorization is the token checked when sent; Authorization then reaches the container untouched", async () => {
    const token = await idToken(t, uri);
    const appToken = "Bearer app-own-credential";
    const res = await fetch(`${uri}/health`, {
      headers: {
        connection: "close",
        "x-serverless-authorization": `Bearer ${token}`,
        authorization: appToken,
      },
    });
    expect(res.status).toBe(200);
    const { seen } = (await res.json()) as {
      seen: { authorization: string; serverlessAuthorization: string };
    };
    expect(seen.authorization).toBe(appToken);
    expect(seen.serverlessAuthorization).toMatch(/\.SIGNATURE_REMOVED_BY_GOOGLE$/);
    expect(seen.serverlessAuthorization.startsWith(`Bearer ${token.split(".").slice(0, 2).join(".")}.`)).toBe(
      true,
    );
    // A valid Authorization does not rescue a bad X-Serverless-Authorization: only the latter is read.
    expect(
      await status(`${uri}/health`, {
        "x-serverless-authorization": "Bearer a.b.c",
        authorization: `Bearer ${token}`,
      }),
    ).toBe(401);
    expect(await upgradeStatus(uri, { "x-serverless-authorization": `Bearer ${token}` })).toBe(101);
  });

  it("services stored before policies were kept stay public after a restart", async () => {
    const [op] = await t.clients.services.createService({
      parent: PARENT,
      serviceId: "legacy",
      service: { template: template(image) },
    });
    const [created] = await op.promise();
    expect(await status(`${created.uri}/health`)).toBe(403);
    await t.emulator.close();
    const file = path.join(t.stateDir, "state.json");
    const state = JSON.parse(await readFile(file, "utf8")) as {
      services: Record<string, { iamPolicy?: unknown }>;
    };
    for (const service of Object.values(state.services)) delete service.iamPolicy;
    await writeFile(file, JSON.stringify(state));
    await t.restart().catch(() => undefined);
    const [reread] = await t.clients.services.getService({ name: serviceName("legacy") });
    const [policy] = await t.clients.services.getIamPolicy({ resource: serviceName("legacy") });
    expect(policy.bindings).toEqual([expect.objectContaining({ role: INVOKER, members: ["allUsers"] })]);
    expect(await status(`${reread.uri}/health`)).toBe(200);
  });
});
