import { pathToFileURL } from "node:url";
import { afterEach, expect, it } from "vitest";
import { WebSocket } from "ws";
import { REPO_ROOT, startTestServer, TestClient, type TestServer } from "./helpers.js";
import { CuttableProxy } from "./tcp-proxy.js";

interface SessionEvent {
  type: string;
  state?: string;
  message?: { id: string; seq: number; from: string };
  peerId?: string;
  code?: string;
}
interface ChatSession {
  send(content: string, id?: string): boolean;
  close(): void;
}
// The web page's own module (plain JS, loaded as the browser loads it), driven by a real ws client.
const { createChatSession, backoffDelay } = (await import(
  pathToFileURL(`${REPO_ROOT}/web/public/chat-session.js`).href
)) as {
  createChatSession(options: {
    url: string;
    roomId: string;
    peerId: string;
    WebSocket: unknown;
    onEvent: (event: SessionEvent) => void;
    backoff?: { initialMs?: number; maxMs?: number };
  }): ChatSession;
  backoffDelay(attempt: number, options?: object, random?: () => number): number;
};

let server: TestServer | undefined;
let proxy: CuttableProxy | undefined;
const cleanups: Array<() => void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await proxy?.close();
  await server?.close();
});

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it("a cut client reconnects with backoff, rejoins as the same peer and gets exactly the messages it missed", async () => {
  server = await startTestServer();
  proxy = await CuttableProxy.start(server.port);
  const events: SessionEvent[] = [];
  const session = createChatSession({
    url: proxy.url,
    roomId: "room",
    peerId: "alice",
    WebSocket,
    onEvent: (event) => events.push(event),
    backoff: { initialMs: 50, maxMs: 200 },
  });
  cleanups.push(() => session.close());
  const joinedCount = () => events.filter((e) => e.state === "joined").length;
  const received = () => events.filter((e) => e.type === "message").map((e) => e.message!.id);
  await until(() => joinedCount() === 1, "the first join");

  const bob = await TestClient.connect(server.wsUrl);
  cleanups.push(() => bob.close());
  await bob.join("room", "bob");
  const say = async (id: string) => {
    bob.send({ type: "chat-message", roomId: "room", message: { id, content: id } });
    await bob.next((m) => m.type === "message-delivered" && m.id === id);
  };
  await say("before-cut");
  await until(() => received().includes("before-cut"), "the live message");

  proxy.refusing = true;
  proxy.cut();
  expect(await bob.next("peer-left")).toMatchObject({ peerId: "alice" });
  await say("missed-1");
  await say("missed-2");
  await until(
    () => events.filter((e) => e.state === "reconnecting").length >= 2,
    "a refused reconnect attempt",
  );
  proxy.refusing = false;

  await until(() => joinedCount() === 2, "the rejoin");
  expect(received()).toEqual(["before-cut", "missed-1", "missed-2"]);
  expect(await bob.next("peer-joined")).toMatchObject({ peerId: "alice" });

  expect(session.send("after", "after")).toBe(true);
  const fromAlice = await bob.next(
    (m) => m.type === "chat-message" && (m.message as { id: string }).id === "after",
  );
  expect(fromAlice).toMatchObject({ message: { from: "alice" } });
  await until(() => received().includes("after"), "the own echo after the rejoin");
  expect(received()).toEqual(["before-cut", "missed-1", "missed-2", "after"]);
});

it("backs off exponentially up to the cap, with bounded jitter", () => {
  const options = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.2 };
  expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, options, () => 0.5))).toEqual([
    100, 200, 400, 800, 1_000,
  ]);
  expect(backoffDelay(0, options, () => 0)).toBe(80);
  expect(backoffDelay(10, options, () => 1)).toBe(1_200);
});
