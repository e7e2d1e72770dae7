import { execFile } from "node:child_process";
import { once } from "node:events";
import { readFile, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, connect, type Socket } from "node:net";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { proxyFor } from "../../deploy/core/proxy-agent.js";
import { HostingApiClient } from "../../deploy/platform/hosting/api-client.js";
import { testdir } from "../helpers/testdir.js";

const ROOT = resolve(import.meta.dirname, "../..");
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections?.();
    await new Promise((done) => server.close(done));
  }
});

async function listen<T extends Server>(server: T): Promise<number> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A Hosting upload endpoint answering each request with the next status of `statuses` (the last one repeats). */
async function flakyHosting(statuses: number[]) {
  const seen: { method: string; url: string; body: string }[] = [];
  const port = await listen(
    createHttpServer(async (request, response) => {
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        body: (await body(request)).toString("hex"),
      });
      const status = statuses[Math.min(seen.length - 1, statuses.length - 1)]!;
      response.writeHead(status, { "content-type": "application/json" });
      response.end(
        status === 200
          ? "{}"
          : JSON.stringify({ error: { message: "backend unavailable", status: "UNAVAILABLE" } }),
      );
    }),
  );
  return { seen, base: `http://127.0.0.1:${port}` };
}

describe("Hosting uploads and reads are retried on Google's retryable statuses", () => {
  it("an upload answered 503, then 429, then 200 succeeds on the third attempt, sending the same bytes", async () => {
    const hosting = await flakyHosting([503, 429, 200]);
    const client = new HostingApiClient({ baseUrl: hosting.base, auth: "none", retry: { firstDelayMs: 1 } });
    await client.upload(
      `${hosting.base}/upload/sites/s/versions/v1/files`,
      "ab".repeat(32),
      Buffer.from("gz"),
    );
    expect(hosting.seen).toHaveLength(3);
    expect(
      new Set(hosting.seen.map((request) => `${request.method} ${request.url} ${request.body}`)).size,
    ).toBe(1);
  });

  it("gives up after the configured attempts, naming the status and the attempts (exit 3)", async () => {
    const hosting = await flakyHosting([502]);
    const client = new HostingApiClient({
      baseUrl: hosting.base,
      auth: "none",
      retry: { attempts: 3, firstDelayMs: 1 },
    });
    const error = await client
      .upload(`${hosting.base}/upload/sites/s/versions/v1/files`, "cd".repeat(32), Buffer.from("gz"))
      .catch((e: unknown) => e);
    expect(hosting.seen).toHaveLength(3);
    expect(error).toMatchObject({
      exitCode: 3,
      code: "hosting.unavailable",
      details: { httpStatus: 502, attempts: 3 },
    });
    expect((error as Error).message).toContain("(HTTP 502, 3 attempts)");
  });

  it("does not retry a status that is not retryable (400), nor a write that is not an upload", async () => {
    const badRequest = await flakyHosting([400, 200]);
    const client = new HostingApiClient({
      baseUrl: badRequest.base,
      auth: "none",
      retry: { firstDelayMs: 1 },
    });
    await expect(
      client.upload(`${badRequest.base}/u`, "ef".repeat(32), Buffer.from("gz")),
    ).rejects.toMatchObject({
      exitCode: 3,
    });
    expect(badRequest.seen).toHaveLength(1);
    const unavailable = await flakyHosting([503, 200]);
    const writer = new HostingApiClient({
      baseUrl: unavailable.base,
      auth: "none",
      retry: { firstDelayMs: 1 },
    });
    await expect(
      writer.json("POST", "sites/s/versions", "create version", { body: {} }),
    ).rejects.toMatchObject({
      details: { httpStatus: 503 },
    });
    expect(unavailable.seen).toHaveLength(1);
    const read = new HostingApiClient({
      baseUrl: unavailable.base,
      auth: "none",
      retry: { firstDelayMs: 1 },
    });
    await expect(read.json("GET", "sites/s/channels", "list channels")).resolves.toEqual({});
    expect(unavailable.seen).toHaveLength(2);
  });
});

describe("HTTPS_PROXY", () => {
  it("applies to HTTPS targets unless NO_PROXY names the host; never to plain HTTP", () => {
    const env = {
      HTTPS_PROXY: "http://user:pw@127.0.0.1:3128",
      NO_PROXY: "localhost,.internal.example,other:8443",
    };
    expect(proxyFor(new URL("https://firebasehosting.googleapis.com/v1beta1/x"), env)?.host).toBe(
      "127.0.0.1:3128",
    );
    expect(proxyFor(new URL("https://a.internal.example/"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://internal.example/"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://other:8443/"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://other/"), env)?.hostname).toBe("127.0.0.1");
    expect(proxyFor(new URL("http://127.0.0.1:5000/"), env)).toBeUndefined();
    expect(proxyFor(new URL("https://x/"), { https_proxy: "127.0.0.1:9" })?.href).toBe("http://127.0.0.1:9/");
    expect(
      proxyFor(new URL("https://x/"), { HTTPS_PROXY: "http://127.0.0.1:9", no_proxy: "*" }),
    ).toBeUndefined();
    expect(proxyFor(new URL("https://x/"), {})).toBeUndefined();
  });

  it("tunnels Hosting calls through a loopback CONNECT proxy, with TLS to the host inside the tunnel", async () => {
    const dir = await testdir({});
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    await promisify(execFile)("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=hosting.test",
      "-addext",
      "subjectAltName=DNS:hosting.test",
      "-keyout",
      key,
      "-out",
      cert,
    ]);
    const hostingPort = await listen(
      createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (request, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ path: request.url, host: request.headers.host }));
      }),
    );
    const connects: { target: string; auth: string | undefined }[] = [];
    const proxy = createHttpServer();
    proxy.on("connect", (request: IncomingMessage, client: Socket, head: Buffer) => {
      connects.push({ target: request.url ?? "", auth: request.headers["proxy-authorization"] });
      // Every tunnel ends at the loopback Hosting fake, whatever host it names.
      const upstream = connect(hostingPort, "127.0.0.1", () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    const proxyPort = await listen(proxy);
    // A process of its own: Node reads NODE_EXTRA_CA_CERTS (the fake's certificate) only at start.
    const script = join(dir, "call.mts");
    await writeFile(
      script,
      [
        `import { HostingApiClient } from ${JSON.stringify(join(ROOT, "deploy/platform/hosting/api-client.ts"))};`,
        `const client = new HostingApiClient({ baseUrl: "https://hosting.test", auth: "none" });`,
        `const first = await client.json("GET", "sites/s/channels", "list channels");`,
        `const second = await client.json("GET", "sites/s/releases", "list releases");`,
        "console.log(JSON.stringify([first, second]));",
      ].join("\n"),
    );
    const run = await execa(process.execPath, ["--import", "tsx", script], {
      cwd: ROOT,
      env: {
        HTTPS_PROXY: `http://deployer:s3cret@127.0.0.1:${proxyPort}`,
        NO_PROXY: "",
        NODE_EXTRA_CA_CERTS: cert,
      },
      reject: false,
      timeout: 30_000,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      { path: "/v1beta1/sites/s/channels", host: "hosting.test" },
      { path: "/v1beta1/sites/s/releases", host: "hosting.test" },
    ]);
    // One tunnel, kept alive for the second call; the proxy credentials in Proxy-Authorization.
    expect(connects).toEqual([
      { target: "hosting.test:443", auth: `Basic ${Buffer.from("deployer:s3cret").toString("base64")}` },
    ]);
  }, 40_000);

  it("names the proxy (without its credentials) when it refuses the tunnel", async () => {
    const proxy = createHttpServer();
    proxy.on("connect", (_request: IncomingMessage, client: Socket) => {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    });
    const proxyPort = await listen(proxy);
    const client = new HostingApiClient({
      baseUrl: "https://hosting.test",
      auth: "none",
      env: { HTTPS_PROXY: `http://deployer:s3cret@127.0.0.1:${proxyPort}` },
    });
    const error = (await client.json("GET", "sites/s", "get site").catch((e: unknown) => e)) as Error & {
      hint?: string;
    };
    expect(error).toMatchObject({ exitCode: 3, code: "hosting.unreachable" });
    expect(error.message).toContain(`through the proxy http://127.0.0.1:${proxyPort}`);
    expect(error.hint).toContain("HTTPS_PROXY");
    expect(
      `${error.message} ${error.hint} ${String((error.cause as Error | undefined)?.message)}`,
    ).not.toContain("s3cret");
    expect(String((error.cause as Error | undefined)?.message)).toContain(
      "refused CONNECT hosting.test:443 (HTTP 403)",
    );
  });
});
