import { afterEach, describe, expect, it } from "vitest";
import { defaultSmokeSpec } from "../../deploy/config/smoke-spec.js";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import type { RunningServer } from "../../server/src/start-server.js";
import { fastSpec, leakedHandles, startReference, VERSION } from "./helpers.js";

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function health(url: string): Promise<{ connections: number; rooms: number }> {
  return (await fetch(`${url}/health`, { headers: { connection: "close" } }).then((r) => r.json())) as {
    connections: number;
    rooms: number;
  };
}

describe("runSmoke against the reference server (ws-json)", () => {
  it("passes with the default spec: sender and the other client receive the echo", async () => {
    server = await startReference({ K_REVISION: "chat-00002-abc" });
    const result = await runSmoke(server.url, defaultSmokeSpec(), {
      expectVersion: VERSION,
      expectRevision: "chat-00002-abc",
    });
    expect(result.ok, JSON.stringify(result.checks)).toBe(true);
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ["health", "passed"],
      ["connect", "passed"],
      ["join", "passed"],
      ["echo", "passed"],
    ]);
    expect(result.version).toBe(VERSION);
    expect(result.revision).toBe("chat-00002-abc");
    expect(Object.keys(result.latencies.echoMs)).toEqual(["smoke-1", "smoke-2"]);
    for (const ms of Object.values(result.latencies.echoMs)) expect(ms).toBeGreaterThanOrEqual(0);
    expect(result.latencies.healthMs).toBeGreaterThan(0);
    expect(result.checks.find((c) => c.name === "health")!.detail).toContain(
      `version ${VERSION} as expected`,
    );
  });

  it("passes with 4 clients and names them smoke-1..4", async () => {
    server = await startReference();
    const result = await runSmoke(server.url, fastSpec({ clients: 4 }), { expectVersion: VERSION });
    expect(result.ok).toBe(true);
    expect(Object.keys(result.latencies.echoMs)).toEqual(["smoke-1", "smoke-2", "smoke-3", "smoke-4"]);
  });

  it("refuses the seeds' outage (ECHOGATE_FAULT=exclude-sender) naming the sender", async () => {
    server = await startReference({ ECHOGATE_FAULT: "exclude-sender" });
    const result = await runSmoke(server.url, fastSpec({ timeoutMs: 300 }), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    const echo = result.checks.find((c) => c.name === "echo")!;
    expect(echo.status).toBe("failed");
    expect(echo.detail).toMatch(
      /^the sender \(smoke-1\) did not receive its own message within 300 ms; 1 of 1 other clients did — the server broadcasts excluding the sender \(socket\.to/,
    );
    expect(result.latencies.echoMs["smoke-1"]).toBeNull();
    expect(result.latencies.echoMs["smoke-2"]).not.toBeNull();
    expect(echo.ms).toBeLessThan(1_000);
  });

  it("passes the outage server when the spec says the sender gets no echo", async () => {
    server = await startReference({ ECHOGATE_FAULT: "exclude-sender" });
    const result = await runSmoke(server.url, fastSpec({ senderReceivesEcho: false }), {
      expectVersion: VERSION,
    });
    expect(result.ok).toBe(true);
    expect(result.checks.find((c) => c.name === "echo")!.ms).toBeLessThan(500);
  });

  it("refuses another version and names both", async () => {
    server = await startReference({ APP_VERSION: "1.3.9+0000000" });
    const result = await runSmoke(server.url, fastSpec(), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    const health = result.checks[0]!;
    expect(health.detail).toContain("1.3.9+0000000");
    expect(health.detail).toContain(VERSION);
    expect(result.version).toBe("1.3.9+0000000");
    expect(result.checks.slice(1).every((c) => c.status === "skipped")).toBe(true);
  });

  it("refuses a revision mismatch (talking to an old instance)", async () => {
    server = await startReference({ K_REVISION: "chat-00001-old" });
    const result = await runSmoke(server.url, fastSpec(), {
      expectVersion: VERSION,
      expectRevision: "chat-00002-abc",
    });
    expect(result.ok).toBe(false);
    expect(result.checks[0]!.detail).toMatch(/revision mismatch: .*chat-00001-old, expected chat-00002-abc/);
  });

  it("passes with a notice when the server reports no revision (optional in the contract); a wrong one is refused above", async () => {
    server = await startReference();
    const result = await runSmoke(server.url, fastSpec(), {
      expectVersion: VERSION,
      expectRevision: "chat-00002-abc",
    });
    expect(result.ok, JSON.stringify(result.checks)).toBe(true);
    expect(result.revision).toBeNull();
    expect(result.checks[0]!.detail).toBe(
      `version ${VERSION} as expected; no "revision" field, revision not checked`,
    );
    expect(result.notices).toEqual([
      expect.stringMatching(
        /^\/health reports no "revision" \(health\.revisionField\), so the gate can't confirm it talked to revision chat-00002-abc/,
      ),
    ]);
  });

  it("ignores non-matching messages: an expect that never matches refuses", async () => {
    server = await startReference();
    const result = await runSmoke(
      server.url,
      fastSpec({
        timeoutMs: 200,
        send: {
          payload: { type: "chat-message", roomId: "{{room}}", message: { id: "{{nonce}}", content: "x" } },
        },
        expect: { match: { type: "chat-message", message: { id: "{{nonce}}", content: "something else" } } },
      }),
      { expectVersion: VERSION },
    );
    expect(result.ok).toBe(false);
    expect(result.checks.at(-1)!.detail).toMatch(
      /^no client received the message within 200 ms, the sender included/,
    );
  });

  it("reports the server's error when the send is refused (not in the room)", async () => {
    server = await startReference();
    const result = await runSmoke(
      server.url,
      fastSpec({
        timeoutMs: 200,
        join: { payload: { type: "join", roomId: "other-{{room}}", peerId: "{{client}}" } },
        send: {
          payload: { type: "chat-message", roomId: "{{room}}", message: { id: "{{nonce}}", content: "x" } },
        },
        expect: { match: { type: "chat-message", message: { id: "{{nonce}}" } } },
      }),
      { expectVersion: VERSION },
    );
    expect(result.ok).toBe(false);
    expect(result.checks.at(-1)!.detail).toContain("not-in-room");
  });

  it("closes every connection and timer it opened", async () => {
    server = await startReference();
    await runSmoke(server.url, fastSpec(), { expectVersion: VERSION }); // warm up module-level state
    const before = process.getActiveResourcesInfo();
    const result = await runSmoke(server.url, fastSpec(), { expectVersion: VERSION });
    expect(result.ok).toBe(true);
    expect(await leakedHandles(before)).toEqual([]);
    const after = await health(server.url);
    expect(after.connections).toBe(0);
    expect(after.rooms).toBe(0);
  });

  it("closes everything when a failing run ends (outage server)", async () => {
    server = await startReference({ ECHOGATE_FAULT: "exclude-sender" });
    const before = process.getActiveResourcesInfo();
    const result = await runSmoke(server.url, fastSpec({ timeoutMs: 100 }), { expectVersion: VERSION });
    expect(result.ok).toBe(false);
    expect(await leakedHandles(before)).toEqual([]);
    expect((await health(server.url)).connections).toBe(0);
  });

  it("is cancellable: aborting mid-echo rejects promptly and closes the sockets", async () => {
    server = await startReference({ ECHOGATE_FAULT: "exclude-sender" });
    const before = process.getActiveResourcesInfo();
    const controller = new AbortController();
    const started = performance.now();
    const running = runSmoke(server.url, fastSpec({ timeoutMs: 5_000 }), {
      expectVersion: VERSION,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === "check.start" && event.check === "echo")
          setTimeout(() => controller.abort(new Error("stop")), 20);
      },
    });
    await expect(running).rejects.toThrow("stop");
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await leakedHandles(before)).toEqual([]);
    expect((await health(server.url)).connections).toBe(0);
  });
});
