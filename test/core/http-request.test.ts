import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
import { HttpRequestError, httpRequest } from "@echogate/common/http-request";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/never") return; // holds the request open
    if (req.url === "/big") return void res.end("x".repeat(2048));
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      res.statusCode = req.url === "/missing" ? 404 : 200;
      res.end(JSON.stringify({ method: req.method, body, type: req.headers["content-type"] ?? null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("httpRequest", () => {
  it("sends the method, headers and body, and reads the whole answer", async () => {
    const answer = await httpRequest(`${base}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(answer).toMatchObject({ ok: true, status: 200 });
    expect(JSON.parse(answer.text)).toEqual({ method: "POST", body: '{"a":1}', type: "application/json" });
  });

  it("reports a non-2xx answer as not ok, with its body", async () => {
    const answer = await httpRequest(`${base}/missing`);
    expect(answer).toMatchObject({ ok: false, status: 404, statusText: "Not Found" });
  });

  it("gives up after timeoutMs, and on abort with the signal's reason", async () => {
    await expect(httpRequest(`${base}/never`, { timeoutMs: 50 })).rejects.toThrow(/no answer within 50 ms/);
    const controller = new AbortController();
    const pending = httpRequest(`${base}/never`, { signal: controller.signal });
    controller.abort(new Error("stopped by the user"));
    await expect(pending).rejects.toThrow("stopped by the user");
  });

  it("refuses a scheme it does not speak", async () => {
    await expect(httpRequest("ftp://127.0.0.1/x")).rejects.toThrow("Can't request ftp: URLs.");
  });

  it("refuses a body over maxBodyBytes, and describes a refused connection", async () => {
    await expect(httpRequest(`${base}/big`, { maxBodyBytes: 1024 })).rejects.toMatchObject({
      code: "too-large",
      message: "the body is larger than 1024 bytes",
    });
    expect((await httpRequest(`${base}/big`, { maxBodyBytes: 4096 })).text).toHaveLength(2048);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(httpRequest(`http://127.0.0.1:${port}/`)).rejects.toSatisfy(
      (error) =>
        error instanceof HttpRequestError &&
        error.code === "ECONNREFUSED" &&
        error.message === "connection refused",
    );
  });

  it("with agent: false, ends its connection after the answer even when the server would keep it", async () => {
    const keeping = createTcpServer((socket) => {
      socket.once("data", () =>
        socket.write("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"),
      );
    });
    await new Promise<void>((resolve) => keeping.listen(0, "127.0.0.1", resolve));
    try {
      const accepted = once(keeping, "connection") as Promise<[Socket]>;
      const answer = await httpRequest(`http://127.0.0.1:${(keeping.address() as AddressInfo).port}/`, {
        agent: false,
      });
      expect(answer.text).toBe("ok");
      const [socket] = await accepted;
      if (!socket.readableEnded) await once(socket, "end");
    } finally {
      keeping.close();
    }
  });
});
