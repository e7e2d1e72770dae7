import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { instanceAddress } from "../../packages/emulator/src/instance-address.js";
import { freePort } from "../../packages/emulator/src/revision-process.js";
import { testdir } from "../helpers/testdir.js";
import {
  allowPublic,
  fetchJson,
  PARENT,
  serviceName,
  type TestEmulator,
  useTestEmulator,
  writeTestImage,
} from "./helpers.js";

// Cloud Run's container contract: the ingress container listens on 0.0.0.0 at the port requests are
// sent to ($PORT); a request past the revision's timeout gets 504; past maxInstances × concurrency
// a request waits up to 30 s for a slot, then 429; min instances 0 scales to zero.

/** Where this machine routes 127.0.0.2 to loopback (Linux, Windows), the address is enforced. */
const { enforced } = await instanceAddress();

async function create(t: TestEmulator, serviceId: string, template: Record<string, unknown>) {
  const [op] = await t.clients.services.createService({ parent: PARENT, serviceId, service: { template } });
  const outcome = await op.promise().then(
    ([service]) => ({ service, error: undefined }),
    (error: Error) => ({ service: undefined, error }),
  );
  const [service] = await t.clients.services.getService({ name: serviceName(serviceId) });
  const [revision] = await t.clients.revisions.getRevision({ name: service.latestCreatedRevision! });
  if (!outcome.error) await allowPublic(t.clients, serviceId);
  return { ...outcome, service, ready: revision.conditions!.find((c) => c.type === "Ready")! };
}

/** Opens a WebSocket and resolves once it is open, or with the HTTP status that refused it. */
function openSocket(url: string): Promise<{ ws: WebSocket } | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, "ws"));
    ws.once("open", () => resolve({ ws }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once("error", reject);
  });
}

function closed(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once("close", () => resolve());
    ws.close();
  });
}

describe("listening address and PORT", () => {
  const t = useTestEmulator({ startupTimeoutMs: 3_000 });

  it("a server on 0.0.0.0 at $PORT is ready, gets no HOST and is reached on an address other than 127.0.0.1", async () => {
    const image = (await writeTestImage(t.imageStoreDir, { version: "all-interfaces" })).ref;
    const { error, service } = await create(t, "contract-ok", { containers: [{ image }] });
    expect(error).toBeUndefined();
    const health = (await fetchJson(service.uri!)) as {
      env: { HOST: string | null; PORT: string };
      localAddress: string;
    };
    expect(health.env.HOST).toBeNull();
    // The template's containerPort defaults to 8080; several instances share this machine, so
    // PORT is the emulator's own choice and never containerPort (docs/emulator.md).
    expect(health.env.PORT).toMatch(/^\d+$/);
    expect(health.env.PORT).not.toBe("8080");
    if (enforced) expect(health.localAddress.replace(/^::ffff:/, "")).toBe("127.0.0.2");
  });

  it.skipIf(!enforced)(
    "a server that listens on 127.0.0.1 only never becomes ready, and the message says to listen on 0.0.0.0",
    async () => {
      const image = (await writeTestImage(t.imageStoreDir, { behavior: "loopback" })).ref;
      const { error, ready, service } = await create(t, "contract-loopback", { containers: [{ image }] });
      expect(error?.message).toContain("listen on 0.0.0.0 (all interfaces) at $PORT");
      expect(ready.state).toBe("CONDITION_FAILED");
      expect(ready.message).toMatch(/It listens on 127\.0\.0\.1:\d+ \(loopback\) only/);
      expect(ready.message).toContain("Cloud Run sets no HOST variable");
      expect(service.latestReadyRevision).toBeFalsy();
      expect(t.emulator.revisionInstances()[service.latestCreatedRevision!]).toBeUndefined();
    },
  );

  it("a revision whose port another process took before it bound it is started again on another port", async () => {
    const startsFile = join(await testdir({}), "starts");
    const image = (await writeTestImage(t.imageStoreDir, { behavior: "port-taken-once" })).ref;
    const { error, ready, service } = await create(t, "contract-port-taken", {
      containers: [{ image, env: [{ name: "STARTS_FILE", value: startsFile }] }],
    });
    expect(error).toBeUndefined();
    expect(ready.state).toBe("CONDITION_SUCCEEDED");
    expect((await readFile(startsFile, "utf8")).trim().split("\n")).toHaveLength(2);
    expect((await fetchJson(service.uri!)).revision).toBe(service.latestReadyRevision!.split("/").at(-1));
  });

  it("a server that hard-codes the containerPort instead of reading $PORT fails, told to listen on $PORT", async () => {
    const containerPort = await freePort();
    const image = (await writeTestImage(t.imageStoreDir, { behavior: "fixed-port" })).ref;
    const { error, ready } = await create(t, "contract-fixed-port", {
      containers: [
        { image, ports: [{ containerPort }], env: [{ name: "FIXED_PORT", value: String(containerPort) }] },
      ],
    });
    expect(error).toBeDefined();
    expect(ready.message).toContain(
      `Something listens on the template's containerPort ${containerPort} instead: if that is this server, make it listen on $PORT`,
    );
  });
});

describe("request timeout, maxInstances × concurrency, scale to zero", () => {
  const t = useTestEmulator({ instanceIdleMs: 300, pendingTimeoutMs: 2_000 });

  it("answers 504 to a request that outlives the revision's timeout, and keeps serving", async () => {
    const image = (await writeTestImage(t.imageStoreDir, { version: "timeout" })).ref;
    const { service } = await create(t, "contract-timeout", {
      containers: [{ image }],
      timeout: { seconds: 1 },
      scaling: { minInstanceCount: 1 },
    });
    const started = Date.now();
    const res = await fetch(`${service.uri}/hang`);
    expect(res.status).toBe(504);
    expect(await res.text()).toBe("upstream request timeout");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await fetch(service.uri!)).status).toBe(200);
  });

  it("answers 429 past maxInstances × concurrency (a WebSocket holds its slot), and serves once a slot frees", async () => {
    const image = (await writeTestImage(t.imageStoreDir, { version: "full" })).ref;
    const { service } = await create(t, "contract-full", {
      containers: [{ image }],
      scaling: { minInstanceCount: 1, maxInstanceCount: 1 },
      maxInstanceRequestConcurrency: 1,
    });
    const held = await openSocket(service.uri!);
    if (!("ws" in held)) throw new Error(`the first WebSocket was refused: ${held.status}`);
    const refused = await fetch(service.uri!);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain("no available instance");
    expect(await openSocket(service.uri!)).toMatchObject({ status: 429 });
    // A request pending for a slot gets the one the WebSocket frees.
    const pending = fetch(service.uri!);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await closed(held.ws);
    expect((await pending).status).toBe(200);
  });

  it("with min instances 0 scales to zero when idle and starts an instance for the next request", async () => {
    const image = (await writeTestImage(t.imageStoreDir, { version: "zero" })).ref;
    // Created first, so its idle timer fires before the min-0 service's: it had its chance to scale in.
    const { service: warm } = await create(t, "contract-warm", {
      containers: [{ image }],
      scaling: { minInstanceCount: 1 },
    });
    const { service } = await create(t, "contract-zero", { containers: [{ image }] });
    const revision = service.latestReadyRevision!;
    const count = () => t.emulator.revisionInstances()[revision]?.length;
    // The pid that answers now (whether or not the instance had already idled out).
    const first = (await fetchJson(service.uri!)) as { pid: number };
    for (let i = 0; i < 100 && count() !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(count()).toBe(0);
    expect(t.emulator.revisionInstances()[warm.latestReadyRevision!]).toHaveLength(1);
    const health = (await fetchJson(service.uri!)) as { pid: number; revision: string };
    expect(health.revision).toBe(revision.split("/").at(-1));
    expect(health.pid).not.toBe(first.pid);
    expect(count()).toBe(1);
  });
});
