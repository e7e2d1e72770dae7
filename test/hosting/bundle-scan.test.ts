import { describe, expect, it } from "vitest";
import {
  forbiddenFromUrls,
  formatFinding,
  isServiceHost,
  type ScanFacts,
  scanBundle,
} from "../../deploy/hosting/bundle-scan.js";

const file = (path: string, text: string) => ({ path, content: Buffer.from(text) });
const production = forbiddenFromUrls("production's server", ["wss://chat-prod-abc.example.com/socket"]);

/** Scanning production's build; staging and a preview environment exist beside it. */
function facts(overrides: Partial<ScanFacts> = {}): ScanFacts {
  return {
    environment: "production",
    ownHosts: ["chat-production-qwertyuiop-uc.a.run.app"],
    ownServiceName: "chat-production",
    allowOwnServer: true,
    others: [
      {
        name: "staging",
        liveHosts: ["127.0.0.1:41234", "candidate---chat-staging-hfttiarlja-uc.a.run.app"],
        serviceName: "chat-staging",
        perBranch: false,
      },
      { name: "preview", liveHosts: [], serviceName: "chat-preview", perBranch: true },
    ],
    forbidden: [],
    allowLoopback: false,
    strict: false,
    ...overrides,
  };
}
const errorsOf = (text: string, overrides: Partial<ScanFacts> = {}, path = "/assets/index-3f2a.js") =>
  scanBundle([file(path, text)], facts(overrides)).map((f) => ({
    match: f.match,
    label: f.label,
    severity: f.severity,
  }));

describe("bundle scan on resolved facts", () => {
  it("refuses both Cloud Run URL shapes of another environment's service, tagged or not", () => {
    for (const host of [
      "chat-staging-hfttiarlja-uc.a.run.app",
      "chat-staging-123456789012.us-central1.run.app",
      "candidate---chat-staging-zzzzzzzzzz-ew.a.run.app",
      "chat-preview-feature-x-abcdefghij-uc.a.run.app",
    ]) {
      const [finding] = errorsOf(`const u="wss://${host.toUpperCase()}/socket";`);
      expect(finding, host).toMatchObject({ match: host, severity: "error" });
      expect(finding!.label).toMatch(
        /^(staging|preview)'s server \(Cloud Run service chat-(staging|preview)\)$/,
      );
    }
  });

  it("refuses another environment's live emulator URL (loopback with its port), even where loopback is allowed", () => {
    expect(errorsOf('fetch("http://127.0.0.1:41234/health")', { allowLoopback: true })).toEqual([
      { match: "127.0.0.1:41234", label: "staging's live server", severity: "error" },
    ]);
    // This environment's own loopback server is allowed in a build-time mode, not another port.
    expect(errorsOf('x="ws://127.0.0.1:5000"', { ownHosts: ["127.0.0.1:5000"] })).toEqual([]);
    expect(errorsOf('x="ws://127.0.0.1:5001"', { ownHosts: ["127.0.0.1:5000"] })).toEqual([
      { match: "127.0.0.1:5001", label: "a loopback address in a URL", severity: "error" },
    ]);
  });

  it("allows its own server in build-time modes and refuses it in runtime-config builds", () => {
    const text = 'new WebSocket("wss://chat-production-qwertyuiop-uc.a.run.app")';
    expect(errorsOf(text)).toEqual([]);
    expect(errorsOf(text, { allowOwnServer: false })[0]?.label).toMatch(/^production's own server/);
    // Another shape of its own service name counts as its own too.
    expect(errorsOf('"chat-production-987654321012.us-central1.run.app"')).toEqual([]);
  });

  it("warns about an unknown *.run.app host, and refuses it with strict", () => {
    const text = '"https://someone-else-abcdefghij-uc.a.run.app"';
    expect(errorsOf(text)).toEqual([
      {
        match: "someone-else-abcdefghij-uc.a.run.app",
        label: "a Cloud Run host that is not production's",
        severity: "warning",
      },
    ]);
    expect(errorsOf(text, { strict: true })[0]?.severity).toBe("error");
  });

  it("refuses localhost and private addresses outside local environments, in JSON and source maps too", () => {
    const map = '{"sourcesContent":["const u = \\"http:\\/\\/localhost:3000\\" || \\"ws://10.0.0.7:80\\""]}';
    expect(errorsOf(map, {}, "/assets/index.js.map").map((f) => `${f.match} ${f.label}`)).toEqual([
      "localhost:3000 a loopback address in a URL",
      "10.0.0.7:80 a private address in a URL",
    ]);
    expect(errorsOf('<a href="http://192.168.1.20/">', {}, "/index.html")[0]?.label).toBe(
      "a private address in a URL",
    );
    expect(errorsOf('x="ws://[::1]:9000"; y="http://0.0.0.0"')).toHaveLength(2);
    expect(errorsOf("v1.2.3.4 and 8.8.8.8 and 127.0.0.1.5")).toEqual([]);
    expect(errorsOf("fetch('http://localhost:8080')", { allowLoopback: true })).toEqual([]);
  });

  it("knows the private ranges to their edges: 10/8, 172.16/12 (172.16–172.31), 192.168/16, 169.254/16", () => {
    const label = (host: string) => errorsOf(`const api = "http://${host}:8080/socket";`)[0]?.label;
    for (const host of [
      "10.255.0.1",
      "172.16.0.1",
      "172.20.5.5",
      "172.31.255.254",
      "192.168.0.1",
      "169.254.169.254",
    ])
      expect(label(host), host).toBe("a private address in a URL");
    for (const host of ["172.15.255.1", "172.32.0.1", "192.169.0.1", "11.0.0.1"])
      expect(label(host), host).toBeUndefined();
  });

  it("names file, line, column and byte offset; literal needles from env files still count", () => {
    const findings = scanBundle(
      [file("/app.js", "const a = 1;\nconst url = 'wss://CHAT-PROD-abc.example.com';\n")],
      facts({ forbidden: production }),
    );
    expect(findings).toEqual([
      {
        file: "/app.js",
        offset: 32,
        line: 2,
        column: 20,
        match: "chat-prod-abc.example.com",
        label: "production's server",
        severity: "error",
        kind: "other-environment",
      },
    ]);
    expect(formatFinding(findings[0]!)).toBe(
      '/app.js:2:20 (byte 32): contains production\'s server "chat-prod-abc.example.com"',
    );
  });

  it("passes a clean build, finds every occurrence, scans binary files by bytes", () => {
    expect(scanBundle([file("/index.html", "<script src=/app.js></script>")], facts())).toEqual([]);
    const twice = scanBundle(
      [file("/x.js", "chat-staging-hfttiarlja-uc.a.run.app chat-staging-hfttiarlja-uc.a.run.app")],
      facts(),
    );
    expect(twice.map((f) => f.offset)).toEqual([0, 37]);
    const binary = {
      path: "/img.png",
      content: Buffer.concat([Buffer.from([0, 255, 10]), Buffer.from('"http://localhost"')]),
    };
    expect(scanBundle([binary], facts())[0]).toMatchObject({ offset: 11, line: 2, column: 9 });
    expect(forbiddenFromUrls("x", ["not a url", "http://127.0.0.1:8080", "https://a.example.com/x"])).toEqual(
      [{ label: "x", needle: "a.example.com" }],
    );
  });

  it("tells one service's URL shapes from a longer service name that starts the same", () => {
    expect(isServiceHost("chat-production-abcdefghij-uc.a.run.app", "chat", false)).toBe(false);
    expect(isServiceHost("chat-abcdefghij-uc.a.run.app", "chat", false)).toBe(true);
    expect(isServiceHost("chat-feature-x-abcdefghij-uc.a.run.app", "chat", true)).toBe(true);
  });
});

describe("loopback and private addresses: connection targets, not words", () => {
  const found = (text: string) => errorsOf(text).map((f) => `${f.match} ${f.label}`);

  it("finds dev fallbacks the page would connect to, in every shape a bundler writes them", () => {
    for (const text of [
      'let u=o.env.NEXT_PUBLIC_SERVER_URL||"http://localhost:3001";',
      "let u=r.env.REACT_APP_API||'http://localhost:3001'",
      "fetch(`http://localhost:3001/api/rooms/${id}/messages`)",
      'new WebSocket("ws://localhost:3001/ws")',
      'new EventSource("http://localhost:3001/events")',
      '(0,n.io)("http://localhost:3001/chat",{transports:["websocket"]})',
      '{baseURL:"http://localhost:3001/api"}',
      'return"http://localhost:3001"+"/api/upload/"+e',
      "return`${window.location.protocol}//localhost:3001/${e}`",
      'self.__next_f.push([1,"{"serverUrl":"http://localhost:3001"}"])',
      '{"url":"http://localhost:3001"}',
      '"//localhost:3001/socket.io"',
    ])
      expect(found(text), text).toEqual(["localhost:3001 a loopback address in a URL"]);
  });

  it("finds a bare host handed to a connecting call, or joined to a scheme literal", () => {
    expect(found('(0,s.io)("localhost:3001")')).toEqual([
      "localhost:3001 a loopback address passed to a connecting call",
    ]);
    expect(found('fetch( "192.168.1.20:8080" )')).toEqual([
      "192.168.1.20:8080 a private address passed to a connecting call",
    ]);
    expect(found('let u="ws://"+"10.0.0.7:3001"')).toEqual(["10.0.0.7:3001 a private address in a URL"]);
  });

  it("ignores comparisons, log text and lists of local addresses", () => {
    for (const text of [
      '"localhost"===window.location.hostname',
      'window.location.hostname==="localhost"',
      '"127.0.0.1"===e||"::1"===e||"localhost"===e',
      '"http://localhost:3000"===window.location.origin',
      'e.origin!=="http://localhost:3000"',
      'return e.startsWith("http://localhost")',
      'console.log("[chat] connected to local server on localhost")',
      'console.warn("Server URL not set, falling back to http://localhost:3001 for development")',
      '"Could not reach the server at localhost:3001 ("+e+")"',
      'let i=["localhost","127.0.0.1","0.0.0.0","192.168.1.1","10.0.0.1","172.16.0.1"]',
      "const hostname = typeof location !== 'undefined' ? location.hostname : 'localhost'",
      "/^(10|127|192\\.168)\\./.test(e)",
      "<p>Run the server on http://localhost:3001 first.</p>",
      "// see http://localhost:3001/docs",
      'x="localhost:3001"',
    ])
      expect(found(text), text).toEqual([]);
  });
});
