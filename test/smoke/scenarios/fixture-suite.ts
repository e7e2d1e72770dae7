import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SmokeProtocol } from "../../../deploy/config/smoke-spec.js";
import { runSmoke } from "../../../deploy/smoke/run-smoke.js";
import type { ChatMode } from "../../fixtures/scenario-servers/chat-core.js";
import { socketIoScenarios, wsScenarios } from "../../fixtures/scenario-servers/scenarios.js";
import { type FixtureServer, startSocketIoChat } from "../../fixtures/scenario-servers/socket-io-chat.js";
import { startWsChat } from "../../fixtures/scenario-servers/ws-chat.js";

const kinds = {
  "socket.io": { protocol: "socket.io" as const, start: startSocketIoChat, scenarios: socketIoScenarios },
  "ws-json": { protocol: "ws-json" as const, start: startWsChat, scenarios: wsScenarios },
};

/** Absence is proven by waiting out a step's budget: short here, since loopback delivers in ~1 ms. */
const REFUSAL_STEP_MS = 400;

/** Each broken mode, the scenario that must refuse it, and words its diagnosis must hold. */
const refusals: Array<{ mode: ChatMode; scenario: string; words: RegExp[]; protocols?: string[] }> = [
  { mode: "offline-dropped", scenario: "offline-dm", words: [/step 6/, /messages has no element matching/] },
  {
    mode: "no-confirmation",
    scenario: "offline-dm",
    words: [/step 4/, /alice got no ("message_sent"|message matching \{"type":"message_sent")/],
  },
  {
    mode: "stale-socket",
    scenario: "reconnect-live",
    words: [
      /bob reconnected at step 2/,
      /never arrived live on bob's new socket/,
      /old socket was closed at step 2/,
    ],
  },
  {
    mode: "stale-socket",
    scenario: "reconnect-stale",
    words: [
      /old socket was left open at step 2, and one arrived there: the server sends to the stale socket/,
    ],
    protocols: ["socket.io"],
  },
  {
    mode: "fanout-two",
    scenario: "group-history",
    words: [/step 8 \(expect carol\)/, /reached alice, bob but not carol/],
  },
  {
    mode: "empty-history",
    scenario: "group-history",
    words: [/dave got instead: .*history/, /messages has no element matching/],
  },
  {
    mode: "burst-drop",
    scenario: "burst",
    words: [/alice got 18 of 20: missing m6, m13/, /carol got 18 of 20/],
  },
  { mode: "burst-reorder", scenario: "burst", words: [/out of order at m1 after m2/] },
  {
    mode: "resume-nothing",
    scenario: "resume",
    words: [/bob reconnected at step 8 and sent .*resume/, /old socket was dropped at step 6/],
  },
];

/** The suite for one protocol: every correct scenario passes, every broken mode is refused with its cause. */
export function describeFixtureScenarios(protocol: SmokeProtocol): void {
  const kind = kinds[protocol];
  describe(`scenarios over ${kind.protocol}`, () => {
    let correct: FixtureServer;
    beforeAll(async () => {
      correct = await kind.start("correct");
    });
    afterAll(() => correct.close());

    it("a correct server passes every scenario", async () => {
      const result = await runSmoke(correct.url, {
        echo: { protocol: kind.protocol },
        scenarios: kind.scenarios,
      });
      expect(result.checks.filter((c) => !c.ok)).toEqual([]);
      expect(result.scenarios.map((s) => [s.name, s.ok])).toEqual(kind.scenarios.map((s) => [s.name, true]));
      expect(result.ok).toBe(true);
    });

    it("ends the running step when the scenario's budget runs out, and names a client used after its disconnect", async () => {
      const never = kind.protocol === "socket.io" ? { event: "never" } : { match: { type: "never" } };
      const say =
        kind.protocol === "socket.io"
          ? { emit: { client: "alice", event: "chat-message", payload: { roomId: "{{room}}", text: "x" } } }
          : { send: { client: "alice", payload: { type: "chat-message", roomId: "{{room}}", text: "x" } } };
      const started = performance.now();
      const result = await runSmoke(correct.url, {
        echo: { protocol: kind.protocol },
        scenarios: [
          {
            name: "budget",
            timeoutMs: 300,
            stepTimeoutMs: 10_000,
            clients: { alice: {} },
            steps: [{ connect: "alice" }, { expect: { client: "alice", ...never } }],
          },
          {
            name: "gone",
            clients: { alice: {} },
            steps: [{ connect: "alice" }, { disconnect: "alice" }, say],
          },
          {
            name: "token",
            clients: { alice: { headers: { authorization: "Bearer {{token}}" } } },
            steps: [{ connect: "alice" }, { http: { path: "/health", capture: { token: "version" } } }],
          },
          {
            name: "token-captured",
            clients: { alice: { headers: { authorization: "Bearer {{token}}" } } },
            steps: [{ http: { path: "/health", capture: { token: "version" } } }, { connect: "alice" }],
          },
        ],
      });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(result.scenarios.map((s) => s.diagnosis)).toEqual([
        "step 2 (expect alice): the scenario's 300 ms budget ran out during this step",
        `step 3 (${kind.protocol === "socket.io" ? "emit" : "send"} alice): alice is not connected at step 3 (closed at step 2): add a reconnect step before it`,
        "step 1 (connect alice): alice's identity uses {{token}}, which no step before 1 captured",
        null,
      ]);
    });

    for (const refusal of refusals.filter((r) => !r.protocols || r.protocols.includes(protocol))) {
      it(`refuses ${refusal.mode}, naming the cause`, async () => {
        const server = await kind.start(refusal.mode);
        try {
          const scenarios = kind.scenarios.filter((s) => s.name.includes(refusal.scenario));
          const result = await runSmoke(server.url, {
            echo: { protocol: kind.protocol },
            scenarios: scenarios.map((s) => ({ ...s, stepTimeoutMs: REFUSAL_STEP_MS })),
          });
          expect(result.ok).toBe(false);
          const failed = result.scenarios.find((s) => !s.ok);
          expect(failed?.name).toContain(refusal.scenario);
          for (const words of refusal.words) expect(failed?.diagnosis).toMatch(words);
        } finally {
          await server.close();
        }
      });
    }
  });
}
