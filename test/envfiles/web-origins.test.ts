import { describe, expect, it } from "vitest";
import { hostingSchema } from "../../deploy/config/environment-schema.js";
import { isLoopbackHost, webOriginsOf } from "../../deploy/envfiles/web-origins.js";

const hosting = (input: Record<string, unknown>) => hostingSchema.parse(input);

describe("webOriginsOf", () => {
  it("derives both Firebase domains for a live site, plus configured origins", () => {
    expect(
      webOriginsOf(hosting({ provider: "firebase", site: "demo", origins: ["https://chat.example.com"] })),
    ).toEqual({
      required: ["https://demo.web.app", "https://chat.example.com"],
      recommended: ["https://demo.firebaseapp.com"],
      patterns: [],
      deployTime: false,
    });
  });

  it("gives a pattern for a preview channel, whose hash is unknown before deploy", () => {
    const { patterns } = webOriginsOf(hosting({ provider: "firebase", site: "demo", channel: "pr-42" }))!;
    expect(patterns[0]!.pattern.test("https://demo--pr-42-x9y8z7w6.web.app")).toBe(true);
    expect(patterns[0]!.pattern.test("https://demo--pr-43-x9y8z7w6.web.app")).toBe(false);
    expect(patterns[0]!.pattern.test("https://evil.com/https://demo--pr-42-a.web.app")).toBe(false);
  });

  it("uses local hosting's configured origins, or marks the origin as known at deploy", () => {
    expect(
      webOriginsOf(hosting({ provider: "local", site: "s", origins: ["http://localhost:5173"] }))!.required,
    ).toEqual(["http://localhost:5173"]);
    expect(webOriginsOf(hosting({ provider: "local", site: "s" }))!.deployTime).toBe(true);
    expect(webOriginsOf(undefined)).toBeUndefined();
  });

  it("refuses hosting origins with a path", () => {
    expect(
      hostingSchema.safeParse({ provider: "local", site: "s", origins: ["http://localhost:5173/app"] })
        .success,
    ).toBe(false);
  });

  it("knows loopback hosts", () => {
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]", "0.0.0.0", "app.localhost"])
      expect(isLoopbackHost(host), host).toBe(true);
    expect(isLoopbackHost("example.com")).toBe(false);
  });
});
