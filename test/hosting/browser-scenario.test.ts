import { describe, expect, it } from "vitest";
import { hostingSchema } from "../../deploy/config/environment-schema.js";
import { appearanceVerdict, browserGateOf } from "../../deploy/hosting/browser-scenario.js";

const hosting = (gate: unknown) => hostingSchema.parse({ provider: "local", site: "chat", gate });

describe("hosting.gate.browser", () => {
  it("is off by default; true drives the reference front end's controls; an object gives the page's own", () => {
    expect(browserGateOf(hostingSchema.parse({ provider: "local", site: "chat" }))).toBeUndefined();
    expect(browserGateOf(hosting({ browser: false }))).toBeUndefined();
    expect(browserGateOf(hosting({ browser: true }))).toMatchObject({
      input: "#content",
      messages: "#messages",
      join: { fill: { "#room": "{{room}}", "#peer": "{{client}}" }, ready: "#send:not([hidden])" },
    });
    expect(browserGateOf(hosting({ browser: { input: "#m", send: "#s", messages: "#list" } }))).toEqual({
      input: "#m",
      send: "#s",
      messages: "#list",
      timeoutMs: 15_000,
    });
  });

  it("refuses an empty selector at its key", () => {
    const result = hostingSchema.safeParse({
      provider: "local",
      site: "chat",
      gate: {
        browser: {
          input: " ",
          send: "#s",
          messages: "#list",
        },
      },
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([expect.stringMatching(/^gate\.browser\.input: must be a CSS selector/)]),
    );
  });

  it("refuses an unknown template in join.fill, naming the field", () => {
    const result = hostingSchema.safeParse({
      provider: "local",
      site: "chat",
      gate: {
        browser: {
          input: "#m",
          send: "#s",
          messages: "#l",
          join: { fill: { "#room": "{{channel}}" }, submit: "#j" },
        },
      },
    });
    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toContainEqual([
      "gate.browser.join.fill.#room",
      expect.stringContaining("Can't expand {{channel}}"),
    ]);
  });
});

describe("what the two pages showing (or not) the message means", () => {
  it.each([
    [
      12,
      15,
      true,
      true,
      "the message appeared on the sending page after 12 ms",
      "appeared on the second page after 15 ms",
    ],
    [null, 15, false, true, "users don't see their own messages", "appeared on the second page after 15 ms"],
    [12, null, true, false, "appeared on the sending page after 12 ms", "other users don't receive messages"],
    [
      null,
      null,
      false,
      false,
      "appeared on neither page within 4000 ms",
      "appeared on neither page within 4000 ms",
    ],
  ] as const)(
    "sender %j ms, second page %j ms",
    (sender, other, senderOk, otherOk, senderText, otherText) => {
      const verdict = appearanceVerdict({ sender, other }, 4000);
      expect(verdict.sender[0]).toBe(senderOk);
      expect(verdict.other[0]).toBe(otherOk);
      expect(verdict.sender[1]).toContain(senderText);
      expect(verdict.other[1]).toContain(otherText);
    },
  );
});
