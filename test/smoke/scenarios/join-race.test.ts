import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSmoke } from "../../../deploy/smoke/run-smoke.js";
import { type LagProxy, startLagProxy } from "../../fixtures/scenario-servers/lag-proxy.js";
import { type FixtureServer, startSocketIoChat } from "../../fixtures/scenario-servers/socket-io-chat.js";
import { startWsChat } from "../../fixtures/scenario-servers/ws-chat.js";

// A correct server that confirms no join: the default Socket.IO spec has no waitFor. Before the
// gate made a round trip after each join, the sender's message overtook the other clients'
// joins on this server in every run (they got it in the room's history instead).
describe("a join without waitFor", () => {
  let socketIo: FixtureServer;
  let ws: FixtureServer;
  let lagged: LagProxy;
  beforeAll(async () => {
    [socketIo, ws] = await Promise.all([startSocketIoChat("correct"), startWsChat("correct")]);
    lagged = await startLagProxy(socketIo.url, 25);
  });
  afterAll(() => Promise.all([lagged.close(), socketIo.close(), ws.close()]));

  it("waits for joins that travel a slower path than the sender's (20 runs, every other connection 25 ms late)", async () => {
    for (let run = 0; run < 20; run++) {
      const result = await runSmoke(lagged.url, { echo: { protocol: "socket.io", clients: 3 } });
      expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    }
  });

  it("never fails a correct Socket.IO server that confirms nothing (30 runs, 4 clients)", async () => {
    for (let run = 0; run < 30; run++) {
      const result = await runSmoke(socketIo.url, { echo: { protocol: "socket.io", clients: 4 } });
      expect(result.checks.filter((check) => !check.ok)).toEqual([]);
      expect(result.checks.find((check) => check.name === "join")?.detail).toMatch(
        /each join was read by the server before the send/,
      );
    }
  });

  it("never fails a correct ws-json server when the join's confirmation is not awaited (30 runs)", async () => {
    for (let run = 0; run < 30; run++) {
      const result = await runSmoke(ws.url, {
        echo: {
          protocol: "ws-json",
          clients: 4,
          join: { payload: { type: "join", roomId: "{{room}}" } },
          send: { payload: { type: "chat-message", roomId: "{{room}}", text: "{{nonce}}" } },
          expect: { match: { type: "chat-message", text: "{{nonce}}" } },
        },
      });
      expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    }
  });
});
