import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { fanOutWarning } from "../../../deploy/config/fan-out-proof.js";
import { smokeSpecSchema } from "../../../deploy/config/smoke-spec.js";
import { renderJunit } from "../../../deploy/smoke/junit.js";
import { parseSmokeSpec } from "../../../deploy/smoke/load-spec.js";
import type { SmokeResult } from "../../../deploy/smoke/result.js";
import { analyzeBurst, describeBurst } from "../../../deploy/smoke/scenario/burst-analysis.js";
import { diagnoseMiss } from "../../../deploy/smoke/scenario/diagnose.js";
import { explainMismatch } from "../../../deploy/smoke/scenario/mismatch.js";
import { subsetMatch } from "../../../deploy/smoke/subset-match.js";

describe("match operators", () => {
  it.each([
    [{ tags: ["a", { id: 2 }] }, { tags: { $contains: { id: 2 } } }, true],
    [{ tags: ["a"] }, { tags: { $contains: "b" } }, false],
    [{ seq: 5 }, { seq: { $gt: 4, $lte: 5 } }, true],
    [{ seq: 5 }, { seq: { $gte: 6 } }, false],
    [{ seq: "5" }, { seq: { $lt: 6 } }, false],
    [{ id: "x" }, { id: { $exists: true } }, true],
    [{}, { id: { $exists: false } }, true],
    [{ id: null }, { id: { $exists: false } }, false],
  ])("%j against %j is %s", (actual, expected, result) => {
    expect(subsetMatch(actual, expected)).toBe(result);
  });

  it("explains the first place that differs", () => {
    expect(explainMismatch({ messages: [] }, { messages: { $contains: { text: "hi" } } })).toBe(
      'messages has no element matching {"text":"hi"} (it has 0)',
    );
    expect(explainMismatch({ seq: 3 }, { seq: { $gt: 5 } })).toBe("seq is 3, not > 5");
    expect(explainMismatch({ a: { b: "x" } }, { a: { b: "y" } })).toBe("a.b is x, not y");
    expect(explainMismatch({}, { id: { $exists: true } })).toBe("id is missing");
    expect(explainMismatch({ id: 1 }, { id: 1 })).toBeUndefined();
  });
});

describe("burst analysis", () => {
  const label = (i: number) => `m${i}`;
  const arrivals = (indexes: number[]) => indexes.map((index) => ({ index }));
  it("names what is missing, duplicated and out of order", () => {
    const all = Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 7 && i !== 12);
    expect(describeBurst("carol", analyzeBurst(arrivals(all), 20, "arrival"), 20, label)).toBe(
      "carol got 18 of 20: missing m7, m12",
    );
    expect(describeBurst("bob", analyzeBurst(arrivals([0, 1, 2, 3, 4, 6, 5]), 7, "arrival"), 7, label)).toBe(
      "bob got them out of order at m5 after m6",
    );
    expect(describeBurst("bob", analyzeBurst(arrivals([0, 1, 1, 2]), 3, "arrival"), 3, label)).toBe(
      "bob got m1 more than once",
    );
    expect(analyzeBurst(arrivals([2, 0, 1]), 3, "none").ok).toBe(true);
  });
  it("orders by a field when asked", () => {
    const verdict = analyzeBurst(
      [
        { index: 1, field: 1 },
        { index: 0, field: 2 },
        { index: 2, field: 2 },
      ],
      3,
      "field",
    );
    expect(describeBurst("alice", verdict, 3, label, "seq")).toBe(
      "alice got them out of order at m2 after m0 (seq 2 after 2)",
    );
  });
});

describe("miss diagnosis", () => {
  it("says the live message never reached the new socket after a reconnect", () => {
    expect(
      diagnoseMiss({
        step: 7,
        client: "bob",
        awaited: '"dm" matching {"text":"hi"}',
        timeoutMs: 3000,
        reconnectedAt: 5,
        previous: { how: "closed", atStep: 5 },
        lastSent: { step: 6, what: '"register" {"userId":"bob"}' },
        takenBy: [],
        onOldSocket: 0,
        elsewhere: [],
      }),
    ).toBe(
      'bob reconnected at step 5 and sent "register" {"userId":"bob"} at step 6; "dm" matching {"text":"hi"} never arrived live on bob\'s new socket within 3000 ms (it arrived 0 times; bob\'s old socket was closed at step 5)',
    );
  });
});

describe("scenario spec", () => {
  const base = { echo: { protocol: "socket.io" as const } };
  const problems = (scenarios: unknown[]) => {
    const parsed = smokeSpecSchema.safeParse({ ...base, scenarios });
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  it("accepts the contract's steps and fills defaults", () => {
    const spec = parseSmokeSpec({
      ...base,
      scenarios: [
        {
          name: "dm",
          clients: { alice: { auth: { userId: "a-{{nonce}}" } } },
          steps: [{ connect: "alice" }, { http: { path: "/x/{{room}}" } }],
        },
      ],
    });
    expect(spec.scenarios[0]).toMatchObject({ timeoutMs: 30000, steps: [{}, { http: { method: "GET" } }] });
  });
  it("refuses unknown clients, wrong-protocol steps, two kinds in a step and unknown templates", () => {
    expect(
      problems([
        {
          name: "x",
          clients: { alice: {} },
          steps: [{ connect: "alice", drop: "alice" }],
        },
      ]),
    ).toEqual(["scenarios.0.steps.0: one kind per step: split connect and drop into separate steps"]);
    expect(
      problems([
        {
          name: "x",
          clients: { alice: {} },
          steps: [
            { connect: "bob" },
            { send: { client: "alice", payload: {} } },
            { emit: { client: "alice", event: "e", payload: "{{later}}" } },
            { expect: { client: "alice", event: "e", capture: { later: "id" } } },
            {
              burst: {
                count: 3,
                from: { client: "alice", event: "e" },
                receivers: ["alice"],
                expect: { event: "e", match: { text: "same" } },
              },
            },
          ],
        },
      ]),
    ).toEqual([
      'scenarios.0.steps.0.connect: no client "bob" in this scenario\'s clients (alice)',
      "scenarios.0.steps.1.send: send is ws-json's; with socket.io use emit (an event and its payload)",
      "scenarios.0.steps.2.emit.payload: Can't expand {{later}}: known here are {{room}}, {{nonce}}, {{client}} (a variable must be captured by an earlier step)",
      "scenarios.0.steps.4.burst.expect.match: must use {{i}} so the messages of the burst can be told apart",
    ]);
  });
  it("warns when fan-out is proven with two clients only", () => {
    expect(fanOutWarning(parseSmokeSpec({}))).toMatch(/fan-out is proven with 2 clients only/);
    expect(fanOutWarning(parseSmokeSpec({ echo: { clients: 3 } }))).toBeUndefined();
  });
});

describe("JUnit", () => {
  it("has one testcase per scenario step", () => {
    const result = {
      ok: false,
      url: "http://127.0.0.1:1",
      protocol: "socket.io",
      version: null,
      revision: null,
      expectVersion: null,
      expectRevision: null,
      room: "r",
      nonce: "n",
      ms: 10,
      checks: [
        { name: "health", ok: true, status: "passed", ms: 1, detail: "ok" },
        { name: "scenario dm", ok: false, status: "failed", ms: 5, detail: "step 2 (expect bob): …" },
      ],
      scenarios: [
        {
          name: "dm",
          description: null,
          ok: false,
          ms: 5,
          nonce: "n-s1",
          room: "r-dm",
          diagnosis: "step 2 (expect bob): …",
          steps: [
            {
              index: 1,
              kind: "connect",
              client: "bob",
              name: "dm/1 connect bob",
              status: "passed",
              ms: 1,
              detail: "bob connected",
            },
            {
              index: 2,
              kind: "expect",
              client: "bob",
              name: "dm/2 expect bob",
              status: "failed",
              ms: 4,
              detail: "bob got no <dm>",
            },
          ],
        },
      ],
      latencies: { healthMs: 1, connectMs: {}, joinMs: {}, echoMs: {} },
      notices: [],
    } satisfies SmokeResult;
    const xml = renderJunit(result);
    expect(xml).toContain('tests="3" failures="1"');
    expect(xml).toContain('<testcase classname="echogate.smoke.scenario.dm" name="dm/2 expect bob"');
    expect(xml).toContain('type="smoke.scenario.expect">bob got no &lt;dm&gt;</failure>');
  });
});

describe("docs/reference.md", () => {
  it("has worked scenario examples that the schema accepts", () => {
    const docs = readFileSync(new URL("../../../docs/reference.md", import.meta.url), "utf8");
    const section = docs.slice(
      docs.indexOf("#### Worked examples"),
      docs.indexOf("## environments/env.schema.yaml"),
    );
    const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]!) as unknown[]);
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    for (const scenarios of blocks) {
      expect(() => parseSmokeSpec({ echo: { protocol: "socket.io", clients: 3 }, scenarios })).not.toThrow();
    }
  });
});
