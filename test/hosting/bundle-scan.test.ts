import { describe, expect, it } from "vitest";
import { forbiddenFromUrls, formatFinding, scanBundle } from "../../deploy/hosting/bundle-scan.js";

const file = (path: string, text: string) => ({ path, content: Buffer.from(text) });
const production = forbiddenFromUrls("production's server", ["wss://chat-prod-abc.a.run.app/socket"]);

describe("bundle scan", () => {
  it("names file, line, column and byte offset of another environment's server", () => {
    const findings = scanBundle(
      [file("/app.js", "const a = 1;\nconst url = 'wss://CHAT-PROD-abc.a.run.app';\n")],
      { forbidden: production, allowLoopback: false },
    );
    expect(findings).toEqual([
      {
        file: "/app.js",
        offset: 32,
        line: 2,
        column: 20,
        match: "chat-prod-abc.a.run.app",
        label: "production's server",
      },
    ]);
    expect(formatFinding(findings[0]!)).toBe(
      '/app.js:2:20 (byte 32): contains production\'s server "chat-prod-abc.a.run.app"',
    );
  });

  it("refuses localhost and 127.0.0.1 outside local environments", () => {
    const files = [file("/a.js", "fetch('http://localhost:8080')"), file("/b.js", "x='ws://127.0.0.1:9'")];
    expect(scanBundle(files, { forbidden: [], allowLoopback: false }).map((f) => f.match)).toEqual([
      "localhost",
      "127.0.0.1",
    ]);
    expect(scanBundle(files, { forbidden: [], allowLoopback: true })).toEqual([]);
  });

  it("passes a clean build and finds every occurrence", () => {
    expect(
      scanBundle([file("/index.html", "<script src=/app.js></script>")], {
        forbidden: production,
        allowLoopback: false,
      }),
    ).toEqual([]);
    const twice = scanBundle([file("/x.js", "chat-prod-abc.a.run.app chat-prod-abc.a.run.app")], {
      forbidden: production,
      allowLoopback: false,
    });
    expect(twice.map((f) => f.offset)).toEqual([0, 24]);
  });

  it("scans binary files by bytes and ignores unparsable or loopback URLs in settings", () => {
    const binary = {
      path: "/img.png",
      content: Buffer.concat([Buffer.from([0, 255, 10]), Buffer.from("localhost")]),
    };
    expect(scanBundle([binary], { forbidden: [], allowLoopback: false })[0]).toMatchObject({
      offset: 3,
      line: 2,
      column: 1,
    });
    expect(forbiddenFromUrls("x", ["not a url", "http://127.0.0.1:8080", "https://a.example.com/x"])).toEqual(
      [{ label: "x", needle: "a.example.com" }],
    );
  });
});
