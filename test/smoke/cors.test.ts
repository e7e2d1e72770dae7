import { describe, expect, it } from "vitest";
import { preflightHeaderNames, preflightProblems, requestProblems } from "../../deploy/smoke/cors-verdict.js";
import { parseSmokeSpec } from "../../deploy/smoke/load-spec.js";
import { ORIGIN_CHECK } from "../../deploy/smoke/origin-check.js";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import {
  attachWsJsonChat,
  fastSpec,
  healthHandler,
  socketIoSpec,
  startHttp,
  startSocketIoChat,
} from "./helpers.js";

const SITE = "https://chat.example.com";

/** Runs the gate as a page on SITE against a Socket.IO chat server built with `options`; returns its checks. */
async function gateSocketIo(
  options: Omit<Parameters<typeof startSocketIoChat>[0], "includeSender">,
  echo: Record<string, unknown> = {},
  transports: Array<"polling" | "websocket"> = ["polling", "websocket"],
) {
  const server = await startSocketIoChat({ includeSender: true, ...options });
  const methods: string[] = [];
  server.server.prependListener("request", (req) => methods.push(req.method ?? ""));
  try {
    const result = await runSmoke(server.url, socketIoSpec(transports, echo), { origin: SITE });
    const byName = (name: string) => result.checks.find((check) => check.name === name);
    return { result, cors: byName("cors"), origin: byName(ORIGIN_CHECK), methods };
  } finally {
    await server.close();
  }
}

describe("the gate judges CORS as a browser on the site would", () => {
  it("refuses a Socket.IO server whose polling answers leave the site's origin out, and passes it once allowed", async () => {
    for (const [corsOrigins, ok] of [
      [undefined, false],
      [["https://other.example.com"], false],
      [[SITE], true],
    ] as const) {
      const { result, cors } = await gateSocketIo(corsOrigins ? { corsOrigins: [...corsOrigins] } : {});
      expect(cors?.ok, `${corsOrigins}: ${cors?.detail}`).toBe(ok);
      expect(result.ok).toBe(ok);
      if (!ok) {
        expect(cors?.detail).toContain(`a browser on ${SITE} can't use the server's polling transport`);
        expect(cors?.detail).toContain(`allow ${SITE} in the server's CORS settings`);
      }
      if (!corsOrigins) expect(cors?.detail).toContain("no Access-Control-Allow-Origin");
      // Node's client ignores CORS: the echo itself gets through either way.
      expect(result.checks.find((check) => check.name === "echo")?.ok).toBe(true);
    }
  });

  it("makes the requests a browser's polling client makes: no preflight for a plain client (its POST is a simple request)", async () => {
    const { cors, methods } = await gateSocketIo({ corsOrigins: [SITE] });
    expect(cors?.ok, cors?.detail).toBe(true);
    expect(cors?.detail).toBe(`polling GET and POST allow ${SITE} (Access-Control-Allow-Origin: ${SITE})`);
    expect(methods).toContain("POST");
    expect(methods).not.toContain("OPTIONS");
  });

  it("refuses a server that names the origin on the handshake only: the client's POSTs are unreadable", async () => {
    const server = await startSocketIoChat({ includeSender: true });
    // initial_headers reach the handshake answer alone, as a hand-rolled CORS on one route would.
    server.io.engine.on("initial_headers", (headers: Record<string, string>) => {
      headers["Access-Control-Allow-Origin"] = SITE;
    });
    try {
      const result = await runSmoke(server.url, socketIoSpec(["polling", "websocket"]), { origin: SITE });
      const cors = result.checks.find((check) => check.name === "cors");
      expect(cors?.ok).toBe(false);
      expect(cors?.detail).toContain("a POST (what the client sends): no Access-Control-Allow-Origin");
    } finally {
      await server.close();
    }
  });

  it("with withCredentials: true, needs the exact origin and Access-Control-Allow-Credentials: true", async () => {
    const credentials = { withCredentials: true };
    const star = await gateSocketIo({ cors: { origin: "*" } }, credentials);
    expect(star.cors?.ok).toBe(false);
    expect(star.cors?.detail).toContain("Access-Control-Allow-Origin is * but the client sends credentials");
    const noFlag = await gateSocketIo({ cors: { origin: SITE } }, credentials);
    expect(noFlag.cors?.ok).toBe(false);
    expect(noFlag.cors?.detail).toContain("no Access-Control-Allow-Credentials: true");
    expect(noFlag.cors?.detail).toContain("credentials: true");
    const right = await gateSocketIo({ cors: { origin: SITE, credentials: true } }, credentials);
    expect(right.cors?.ok, right.cors?.detail).toBe(true);
    expect(right.cors?.detail).toContain("with credentials");
    // The same `*` server is fine for a client without credentials.
    expect((await gateSocketIo({ cors: { origin: "*" } })).cors?.ok).toBe(true);
  });

  it("sends the preflight a browser sends for extraHeaders, and refuses a server that does not allow them", async () => {
    const headers = { extraHeaders: { "X-Session": "abc", accept: "*/*" } };
    const refused = await gateSocketIo({ cors: { origin: SITE, allowedHeaders: ["content-type"] } }, headers);
    expect(refused.methods).toContain("OPTIONS");
    expect(refused.cors?.ok).toBe(false);
    expect(refused.cors?.detail).toContain("the preflight (OPTIONS) before the handshake GET, for x-session");
    expect(refused.cors?.detail).toContain("does not allow x-session");
    expect(refused.cors?.detail).toContain('allowedHeaders: ["x-session"]');
    const allowed = await gateSocketIo({ cors: { origin: SITE, allowedHeaders: ["x-session"] } }, headers);
    expect(allowed.cors?.ok, allowed.cors?.detail).toBe(true);
    expect(allowed.cors?.detail).toContain("preflight allows x-session");
    expect(allowed.methods.filter((method) => method === "OPTIONS")).toHaveLength(2);
  });

  it("does not apply without a page origin, or to a WebSocket-only client", async () => {
    const server = await startSocketIoChat({ includeSender: true });
    try {
      const cli = await runSmoke(server.url, socketIoSpec(["polling", "websocket"]));
      const websocket = await runSmoke(server.url, socketIoSpec(["websocket"]), { origin: SITE });
      for (const result of [cli, websocket]) {
        expect(result.checks.map((check) => check.name)).not.toContain("cors");
        expect(result.ok).toBe(true);
      }
    } finally {
      await server.close();
    }
  });

  it("takes withCredentials and extraHeaders for socket.io only (a browser's WebSocket has neither)", () => {
    expect(() => parseSmokeSpec({ echo: { withCredentials: true } })).toThrow(/echo.withCredentials/);
    expect(() => parseSmokeSpec({ echo: { extraHeaders: { "x-a": "1" } } })).toThrow(/echo.extraHeaders/);
    expect(() => parseSmokeSpec({ echo: { protocol: "socket.io", extraHeaders: { "x a": "1" } } })).toThrow(
      /must be an HTTP header name/,
    );
  });

  it("judges answers by the Fetch standard's CORS check", () => {
    const client = { origin: SITE, credentials: false, unsafeHeaders: [] };
    expect(requestProblems(client, { "access-control-allow-origin": SITE })).toEqual([]);
    expect(requestProblems(client, { "access-control-allow-origin": "*" })).toEqual([]);
    expect(requestProblems(client, {})).toEqual(["no Access-Control-Allow-Origin"]);
    expect(requestProblems(client, { "access-control-allow-origin": `${SITE}.evil.test` })).toHaveLength(1);
    expect(requestProblems(client, { "access-control-allow-origin": `${SITE}, ${SITE}` })).toHaveLength(1);
    const withHeader = { ...client, unsafeHeaders: ["authorization"] };
    const star = { "access-control-allow-origin": SITE, "access-control-allow-headers": "*" };
    expect(preflightProblems(withHeader, 204, star)[0]).toContain("does not allow authorization");
    expect(preflightProblems({ ...client, unsafeHeaders: ["x-a"] }, 204, star)).toEqual([]);
    expect(preflightProblems({ ...client, unsafeHeaders: ["x-a"] }, 404, star)).toEqual([
      "the preflight answered HTTP 404",
    ]);
    expect(
      preflightHeaderNames({
        Accept: "*/*",
        "Content-Type": "text/plain;charset=UTF-8",
        "content-language": "en",
        "X-B": "1",
        "x-a": "2",
      }),
    ).toEqual(["x-a", "x-b"]);
    expect(preflightHeaderNames({ "content-type": "application/json" })).toEqual(["content-type"]);
    expect(preflightHeaderNames({ accept: "text/(html)" })).toEqual(["accept"]);
  });
});

describe("the gate sees the server refuse the site's origin on the WebSocket upgrade", () => {
  it("names the origin when a ws server's verifyClient refuses it, and passes once it is allowed", async () => {
    for (const allowed of ["https://other.example.com", SITE]) {
      const http = await startHttp(healthHandler());
      attachWsJsonChat(http, {
        // An absent Origin (a CLI) passes, as the reference server has it.
        verifyClient: ({ origin }: { origin?: string }) => origin === undefined || origin === allowed,
      });
      try {
        const result = await runSmoke(http.url, fastSpec(), { origin: SITE });
        const refusal = result.checks.find((check) => check.name === ORIGIN_CHECK);
        if (allowed === SITE) {
          expect(result.ok, JSON.stringify(result.checks)).toBe(true);
          expect(refusal).toBeUndefined();
        } else {
          expect(result.ok).toBe(false);
          expect(refusal?.detail).toContain(`the server refuses WebSocket upgrades from ${SITE} (HTTP 401)`);
          expect(refusal?.detail).toContain("accepts them without an Origin header");
        }
      } finally {
        await http.close();
      }
    }
  });

  it("names it for a Socket.IO server whose allowRequest refuses the origin", async () => {
    const { result, origin } = await gateSocketIo(
      { allowRequest: (req, callback) => callback(null, req.headers.origin === undefined) },
      {},
      ["websocket"],
    );
    expect(result.ok).toBe(false);
    // Engine.IO answers a refused upgrade 400, which alone reads like a wrong path.
    expect(origin?.detail).toContain(`the server refuses WebSocket upgrades from ${SITE} (HTTP 400)`);
  });

  it("adds nothing when the server refuses every client alike: the connect check says why", async () => {
    const http = await startHttp(healthHandler());
    attachWsJsonChat(http, { verifyClient: () => false });
    try {
      const result = await runSmoke(http.url, fastSpec(), { origin: SITE });
      expect(result.checks.find((check) => check.name === "connect")?.detail).toContain("HTTP 401");
      expect(result.checks.map((check) => check.name)).not.toContain(ORIGIN_CHECK);
    } finally {
      await http.close();
    }
  });
});
