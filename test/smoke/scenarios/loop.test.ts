import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSmoke } from "../../../deploy/smoke/run-smoke.js";
import { socketIoScenarios, wsScenarios } from "../../fixtures/scenario-servers/scenarios.js";
import { type FixtureServer, startSocketIoChat } from "../../fixtures/scenario-servers/socket-io-chat.js";
import { startWsChat } from "../../fixtures/scenario-servers/ws-chat.js";

// No scenario may fail a correct server by chance: every step that sends is followed by a round
// trip the server answers in order, and every wait is for a message, never for time. Ten runs
// here (~5 s); `npm run bench` runs 50 and reports any failure.
describe("a correct server never fails a scenario", () => {
  let socketIo: FixtureServer;
  let ws: FixtureServer;
  beforeAll(async () => {
    [socketIo, ws] = await Promise.all([startSocketIoChat("correct"), startWsChat("correct")]);
  });
  afterAll(() => Promise.all([socketIo.close(), ws.close()]));

  it("in 10 consecutive runs of every scenario (socket.io and ws-json)", { timeout: 60_000 }, async () => {
    const failures: string[] = [];
    for (let run = 0; run < 10; run++) {
      const [a, b] = await Promise.all([
        runSmoke(socketIo.url, { echo: { protocol: "socket.io", clients: 3 }, scenarios: socketIoScenarios }),
        runSmoke(ws.url, { echo: { protocol: "ws-json", clients: 3 }, scenarios: wsScenarios }),
      ]);
      for (const result of [a, b])
        failures.push(...result.checks.filter((c) => !c.ok).map((c) => `run ${run}: ${c.name}: ${c.detail}`));
    }
    expect(failures).toEqual([]);
  });
});
