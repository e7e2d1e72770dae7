import { describe, expect, it } from "vitest";
import { resolveBuildInfo } from "../../server/src/build-info.js";
import { ConfigError, loadConfig } from "../../server/src/config.js";
import { isOriginAllowed } from "../../server/src/origin-policy.js";
import { parseClientMessage } from "../../server/src/protocol.js";

describe("parseClientMessage", () => {
  it("accepts the three client messages", () => {
    expect(parseClientMessage('{"type":"leave","roomId":"r"}')).toEqual({
      ok: true,
      message: { type: "leave", roomId: "r" },
    });
    expect(
      parseClientMessage(
        JSON.stringify({ type: "chat-message", roomId: "r", message: { id: "1", content: "" } }),
      ).ok,
    ).toBe(true);
  });
  it("names the offending field", () => {
    const result = parseClientMessage(
      JSON.stringify({ type: "chat-message", roomId: "r", message: { id: "1" } }),
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: "invalid-message", message: expect.stringMatching(/message\.content/) },
    });
  });
});

describe("since", () => {
  it("takes an integer or its digits as a string (a templated or query-string client), nothing else", () => {
    const since = (value: unknown) =>
      parseClientMessage(JSON.stringify({ type: "register", userId: "u", since: value }));
    expect(since(1760000000000001)).toMatchObject({ ok: true, message: { since: 1760000000000001 } });
    expect(since("1760000000000001")).toMatchObject({ ok: true, message: { since: 1760000000000001 } });
    for (const bad of [-1, 1.5, "12a", "", "1e3"]) expect(since(bad)).toMatchObject({ ok: false });
  });
});

describe("config and build info", () => {
  it("defaults for Cloud Run and validates numbers", () => {
    expect(loadConfig({})).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      historyLimit: 50,
      heartbeatIntervalMs: 25_000,
      fault: null,
    });
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(ConfigError);
  });
  it("prefers APP_VERSION over the package version", () => {
    expect(resolveBuildInfo({ APP_VERSION: "2.0.0-abc" }, "1.0.0").version).toBe("2.0.0-abc");
    expect(resolveBuildInfo({}, "1.0.0")).toEqual({ version: "1.0.0+dev", revision: null });
  });
  it("reads ALLOWED_ORIGINS: unset allows any origin, set but empty allows none (fails closed)", () => {
    expect(loadConfig({}).allowedOrigins).toEqual(["*"]);
    expect(loadConfig({ ALLOWED_ORIGINS: "" }).allowedOrigins).toEqual([]);
    expect(loadConfig({ ALLOWED_ORIGINS: " , " }).allowedOrigins).toEqual([]);
    expect(loadConfig({ ALLOWED_ORIGINS: "https://a/, https://b" }).allowedOrigins).toEqual([
      "https://a",
      "https://b",
    ]);
  });
  it("allows listed origins and a missing Origin; an empty list refuses every browser origin", () => {
    expect(isOriginAllowed(undefined, ["https://a"])).toBe(true);
    expect(isOriginAllowed("https://a/", ["https://a"])).toBe(true);
    expect(isOriginAllowed("https://b", ["https://a"])).toBe(false);
    expect(isOriginAllowed("https://b", [])).toBe(false);
    expect(isOriginAllowed("https://b", ["*"])).toBe(true);
  });
});
