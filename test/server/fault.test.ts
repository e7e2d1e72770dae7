import { expect, it } from "vitest";
import { ConfigError } from "../../server/src/config.js";
import { startServer } from "../../server/src/start-server.js";
import { TestClient, type TestServer, useTestServers } from "./helpers.js";

const servers = useTestServers();
const clients = servers.clients;
let server: TestServer | undefined;

it("ECHOGATE_FAULT=exclude-sender reproduces socket.to(room): the sender never sees its own message", async () => {
  server = await servers.start({ ECHOGATE_FAULT: "exclude-sender" });
  expect(server.logs[0]).toMatchObject({
    severity: "WARNING",
    message: expect.stringMatching(/FAULT INJECTION ACTIVE/),
  });
  const alice = await TestClient.connect(server.wsUrl);
  const bob = await TestClient.connect(server.wsUrl);
  clients.push(alice, bob);
  await alice.join("r1", "alice");
  await bob.join("r1", "bob");

  alice.send({ type: "chat-message", roomId: "r1", message: { id: "m1", content: "hello" } });
  expect(await bob.next("chat-message")).toMatchObject({ message: { id: "m1", from: "alice" } });
  expect(await alice.next("message-delivered")).toMatchObject({ id: "m1", recipients: 1 });
  await alice.roundTrip();
  expect(alice.received("chat-message")).toEqual([]);

  const warning = server.logs.find((l) => l.message.includes("broadcast skipped the sender"));
  expect(warning).toMatchObject({
    severity: "WARNING",
    fields: { fault: "exclude-sender", messageId: "m1" },
  });
  const health = (await (await fetch(`${server.url}/health`)).json()) as { fault?: string };
  expect(health.fault).toBe("exclude-sender");
});

it("is off by default and reports no fault", async () => {
  server = await servers.start();
  const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, unknown>;
  expect(health).not.toHaveProperty("fault");
  expect(server.logs.some((l) => l.severity === "WARNING")).toBe(false);
});

it("refuses to start with an unknown fault", async () => {
  await expect(
    startServer({ port: 0, host: "127.0.0.1", env: { ECHOGATE_FAULT: "drop-everything" } }),
  ).rejects.toBeInstanceOf(ConfigError);
});
