import { describe, expect, it } from "vitest";
import { defaultSmokeSpec, MAX_CLIENTS } from "../../deploy/config/smoke-spec.js";
import { expandTemplates } from "../../deploy/config/smoke-templates.js";
import { ConfigError } from "../../deploy/core/errors.js";
import { diagnoseEcho } from "../../deploy/smoke/echo/diagnose.js";
import { escapeXml } from "../../deploy/smoke/junit.js";
import { parseSmokeSpec } from "../../deploy/smoke/load-spec.js";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import { displayUrl, parseServiceUrl, urlSecrets } from "../../deploy/smoke/service-url.js";
import { subsetMatch, valueAtPath } from "../../deploy/smoke/subset-match.js";
import { backoffDelay } from "../../deploy/smoke/timing.js";

function specError(value: unknown): ConfigError {
  try {
    parseSmokeSpec(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const keyPaths = (error: ConfigError) =>
  (error.details as { diagnostics: Array<{ keyPath?: string }> }).diagnostics.map((d) => d.keyPath);

describe("spec", () => {
  it("defaults fit the reference server", () => {
    const spec = defaultSmokeSpec();
    expect(spec.health).toEqual({
      path: "/health",
      versionField: "version",
      revisionField: "revision",
      instanceField: "instance",
      timeoutMs: 30_000,
    });
    expect(spec.echo).toMatchObject({
      protocol: "ws-json",
      path: "/",
      clients: 2,
      timeoutMs: 5_000,
      senderReceivesEcho: true,
    });
    expect(spec.echo.send.payload).toMatchObject({ type: "chat-message", roomId: "{{room}}" });
    expect(parseSmokeSpec(spec)).toEqual(spec);
  });

  it("fills socket.io defaults: path and the join-room/chat-message shape", () => {
    const spec = parseSmokeSpec({ echo: { protocol: "socket.io" } });
    expect(spec.echo.path).toBe("/socket.io/");
    expect(spec.echo.transports).toEqual(["websocket"]);
    expect(spec.echo.expect).toEqual({ event: "chat-message", match: { id: "{{nonce}}" } });
  });

  it.each([
    [{ echo: { protocol: "mqtt" } }, "echo.protocol"],
    [{ echo: { clients: 1 } }, "echo.clients"],
    [{ echo: { clients: MAX_CLIENTS + 1 } }, "echo.clients"],
    [{ echo: { clients: 100_000 } }, "echo.clients"],
    [{ echo: { timeoutMs: -5 } }, "echo.timeoutMs"],
    [{ health: { timeoutMs: 0 } }, "health.timeoutMs"],
    [{ health: { versionFeld: "v" } }, "health.versionFeld"],
    [
      { echo: { send: { payload: { roomId: "{{rooom}}" } }, expect: { match: { id: "{{nonce}}" } } } },
      "echo.send.payload.roomId",
    ],
    [{ echo: { send: { payload: { a: 1 } } } }, "echo.expect"],
    [{ echo: { protocol: "socket.io", send: { payload: {} }, expect: { event: "x" } } }, "echo.send.event"],
    [{ echo: { transports: ["polling"] } }, "echo.transports"],
  ])("refuses %j at %s", (value, keyPath) => {
    const error = specError(value);
    expect(error.exitCode).toBe(2);
    expect(keyPaths(error)).toContain(keyPath);
    expect(error.message).toContain(keyPath);
  });

  it("names every undefined template", () => {
    const error = specError({
      echo: {
        join: { payload: { who: "{{ peer }}" } },
        send: { payload: { a: "{{room}}-{{nonce}}-{{client}}" } },
        expect: { match: { b: ["{{x}}"] } },
      },
    });
    expect(keyPaths(error)).toEqual(["echo.join.payload.who", "echo.expect.match.b[0]"]);
    expect(error.message).toContain("Can't expand {{peer}}");
  });

  it("lists every problem in the message, each with its key path", () => {
    const error = specError({ echo: { protocol: "mqtt", clients: 1, timeoutMs: -5 } });
    expect(error.message).not.toContain("more)");
    const lines = error.message.split("\n");
    expect(lines[0]).toBe("Can't use the smoke spec: 3 problems:");
    expect(lines.slice(1).map((line) => /\((echo\.\w+)\): /.exec(line)?.[1])).toEqual([
      "echo.protocol",
      "echo.clients",
      "echo.timeoutMs",
    ]);
  });

  it(`accepts up to ${MAX_CLIENTS} clients`, () => {
    expect(parseSmokeSpec({ echo: { clients: MAX_CLIENTS } }).echo.clients).toBe(MAX_CLIENTS);
  });

  it("runSmoke throws ConfigError for a bad spec and a bad URL before any I/O", async () => {
    await expect(runSmoke("http://127.0.0.1:1", { echo: { clients: 1 } })).rejects.toBeInstanceOf(
      ConfigError,
    );
    await expect(runSmoke("http://127.0.0.1:1/x", {})).rejects.toThrow(/has a path/);
  });
});

describe("templates and matching", () => {
  it("expands templates in strings only, deeply", () => {
    expect(
      expandTemplates(
        { a: "{{room}}", b: ["x {{ nonce }}", 3], "{{client}}": "{{client}}" },
        { room: "r", nonce: "n", client: "c" },
      ),
    ).toEqual({ a: "r", b: ["x n", 3], "{{client}}": "c" });
  });

  it("expands the same spec object afresh for each client, sharing only the parts without templates", () => {
    const fixed = { content: "no templates", tags: ["a"] };
    const step = JSON.parse('{"roomId":"{{room}}","peer":["{{client}}"],"__proto__":"{{nonce}}"}');
    step.fixed = fixed;
    const first = expandTemplates(step, { room: "r1", nonce: "n1", client: "c1" });
    const second = expandTemplates(step, { room: "r2", nonce: "n2", client: "c2" });
    expect(first).toMatchObject({ roomId: "r1", peer: ["c1"] });
    expect(second).toMatchObject({ roomId: "r2", peer: ["c2"] });
    expect(Object.getOwnPropertyDescriptor(second, "__proto__")?.value).toBe("n2");
    expect(Object.getPrototypeOf(second)).toBe(Object.prototype);
    expect(second.fixed).toBe(fixed);
    expect(second).not.toBe(step);
    expect(step.roomId).toBe("{{room}}");
  });

  it("matches deep subsets", () => {
    const message = { type: "chat-message", message: { id: "n", content: "hi", from: "a" }, tags: [1, 2] };
    expect(subsetMatch(message, { message: { id: "n" } })).toBe(true);
    expect(subsetMatch(message, { type: "chat-message", tags: [1, 2] })).toBe(true);
    expect(subsetMatch(message, { message: { id: "other" } })).toBe(false);
    expect(subsetMatch(message, { tags: [1] })).toBe(false);
    expect(subsetMatch(message, { missing: undefined })).toBe(false);
    expect(subsetMatch("text", { id: "n" })).toBe(false);
    expect(subsetMatch(null, {})).toBe(false);
  });

  it("reads dot paths", () => {
    expect(valueAtPath({ build: { version: "1" } }, "build.version")).toBe("1");
    expect(valueAtPath({ build: null }, "build.version")).toBeUndefined();
  });

  it("backs off exponentially with jitter, capped", () => {
    expect(backoffDelay(1, undefined, () => 0)).toBe(50);
    expect(backoffDelay(1, undefined, () => 1)).toBe(100);
    expect(backoffDelay(4, undefined, () => 1)).toBe(800);
    expect(backoffDelay(20, undefined, () => 1)).toBe(2_000);
    expect(backoffDelay(20, undefined, () => 0)).toBe(1_000);
  });
});

describe("echo diagnosis", () => {
  const base = { senderReceivesEcho: true, timeoutMs: 5000 };
  it("names the socket.to outage", () => {
    expect(
      diagnoseEcho({
        ...base,
        sender: { client: "smoke-1", ms: null },
        others: [{ client: "smoke-2", ms: 1 }],
      }).detail,
    ).toBe(
      "the sender (smoke-1) did not receive its own message within 5000 ms; 1 of 1 other clients did — the server broadcasts excluding the sender (socket.to(room) instead of io.to(room)?)",
    );
  });
  it("names the one other client that missed it", () => {
    const verdict = diagnoseEcho({
      ...base,
      sender: { client: "smoke-1", ms: 1 },
      others: [
        { client: "smoke-2", ms: 1 },
        { client: "smoke-3", ms: null },
      ],
    });
    expect(verdict).toEqual({
      ok: false,
      detail:
        "client smoke-3 did not receive the message within 5000 ms; the sender did and 1 of 2 other clients did",
    });
  });
  it("names a miss by join order, and a fan-out that stops at two members", () => {
    const verdict = diagnoseEcho({
      ...base,
      sender: { client: "smoke-2", ms: 1, joinRank: 2 },
      others: [
        { client: "smoke-1", ms: 1, joinRank: 1 },
        { client: "smoke-3", ms: null, joinRank: 4 },
        { client: "smoke-4", ms: null, joinRank: 3 },
      ],
    });
    expect(verdict.detail).toBe(
      "the 4th client to join (joined last; smoke-3) got nothing within 5000 ms; the 3rd client to join (smoke-4) got nothing within 5000 ms; the sender did and 1 of 3 other clients did; only the first 2 clients to join got it: does the server's fan-out stop at 2 members?",
    );
  });
  it("passes without the sender when its echo is not required", () => {
    expect(
      diagnoseEcho({
        ...base,
        senderReceivesEcho: false,
        sender: { client: "smoke-1", ms: null },
        others: [{ client: "smoke-2", ms: 2 }],
      }).ok,
    ).toBe(true);
  });
});

describe("service URL", () => {
  it.each([
    ["https://user:pa55word@chat.a.run.app", "credentials"],
    ["https://chat.a.run.app/api", "has a path (/api)"],
    ["https://chat.a.run.app?token=abc", "query string"],
    ["https://chat.a.run.app/#x", "fragment"],
    ["wss://chat.a.run.app", "scheme is wss"],
    ["chat.a.run.app", "not a valid URL"],
  ])("refuses %s", (raw, why) => {
    expect(() => parseServiceUrl(raw)).toThrow(why);
    try {
      parseServiceUrl(raw);
    } catch (error) {
      expect((error as ConfigError).message).not.toContain("pa55word");
      expect((error as ConfigError).message).not.toContain("token=abc");
      expect((error as ConfigError).details).toEqual({ keyPath: "url" });
    }
  });
  it("accepts a base URL with or without a trailing slash", () => {
    expect(parseServiceUrl("https://chat.a.run.app/").origin).toBe("https://chat.a.run.app");
    expect(parseServiceUrl("http://127.0.0.1:8080").secure).toBe(false);
  });
  it("extracts credentials for the redactor and masks them for display", () => {
    expect(urlSecrets("https://user:pa55%40word@host")).toContain("pa55@word");
    expect(displayUrl("https://user:pa55word@host/x?y=z")).toBe("https://***@host/x?***");
  });
  it("escapes XML", () => {
    expect(escapeXml(`a<b>&"c'\u0001`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
  });
});
