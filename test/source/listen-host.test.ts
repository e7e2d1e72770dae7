import { describe, expect, it } from "vitest";
import { findLoopbackListens } from "../../deploy/source/listen-host.js";

const hosts = (code: string) => findLoopbackListens(code).map((f) => `${f.line}:${f.kind}:${f.host}`);

describe("loopback binds in a server's source (Cloud Run needs 0.0.0.0 at $PORT)", () => {
  it("finds listen calls on a loopback address, whatever the form", () => {
    expect(hosts(`server.listen(PORT, "127.0.0.1");`)).toEqual(["1:listen:127.0.0.1"]);
    expect(hosts(`app.listen(Number(process.env.PORT), 'localhost', () => log("up"));`)).toEqual([
      "1:listen:localhost",
    ]);
    expect(hosts(`server.listen(port, "::1")`)).toEqual(["1:listen:::1"]);
    expect(hosts("const x = 1;\nhttpServer.listen(\n  port,\n  `127.0.0.1`,\n);")).toEqual([
      "2:listen:127.0.0.1",
    ]);
    expect(hosts(`await fastify.listen({ port: 8080, host: "localhost" });`)).toEqual(["1:listen:localhost"]);
  });

  it("finds a host that falls back to loopback when HOST is unset, as it is on Cloud Run", () => {
    expect(hosts(`server.listen(port, process.env.HOST ?? "127.0.0.1");`)).toEqual(["1:listen:127.0.0.1"]);
    expect(hosts(`const host = process.env.BIND || "localhost";\n\nserver.listen(port, host);`)).toEqual([
      "3:listen:localhost",
    ]);
    expect(hosts(`export const config = { host: env.HOST?.trim() || "127.0.0.1" };`)).toEqual([
      "1:host-default:127.0.0.1",
    ]);
    expect(hosts(`const HOST = "127.0.0.1";\nserver.listen({ port, host: HOST });`)).toEqual([
      "2:listen:127.0.0.1",
    ]);
  });

  it("leaves alone servers that listen on all interfaces, clients of other hosts and comments", () => {
    for (const fine of [
      "server.listen(port);",
      "server.listen(Number(process.env.PORT), '0.0.0.0');",
      "server.listen(port, process.env.HOST ?? '0.0.0.0');",
      `server.listen({ port, host: "0.0.0.0" });`,
      `server.listen(port, "::");`,
      `const redis = createClient({ host: "localhost" });`,
      `const REDIS_HOST = process.env.REDIS_HOST ?? "127.0.0.1";`,
      `await fetch("http://localhost:3000/health");`,
      `// server.listen(port, "127.0.0.1");`,
      `/* dev only:\n server.listen(port, "localhost") */`,
      `const host = "localhost";\nserver.listen(port, "0.0.0.0");`,
    ]) {
      expect(hosts(fine), fine).toEqual([]);
    }
  });
});
