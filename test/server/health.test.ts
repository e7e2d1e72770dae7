import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { REPO_ROOT, startTestServer, TestClient, type TestServer } from "./helpers.js";

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

it("reports the baked version, the revision and live counts", async () => {
  server = await startTestServer({ APP_VERSION: "1.4.2-abc1234", K_REVISION: "echogate-server-00007-xyz" });
  const c = await TestClient.connect(server.wsUrl);
  await c.join("r1", "alice");
  const res = await fetch(`${server.url}/health`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const body = await res.json();
  expect(body).toEqual({
    status: "ok",
    version: "1.4.2-abc1234",
    revision: "echogate-server-00007-xyz",
    uptimeS: expect.any(Number),
    connections: 1,
    rooms: 1,
    instance: expect.stringMatching(/^local-[0-9a-f]{16}$/),
    backplane: "memory",
    store: "memory",
    database: "none",
  });
  c.close();
});

it("derives <package version>+dev when no version is baked in, and null revision", async () => {
  server = await startTestServer();
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  const body = (await (await fetch(`${server.url}/health`)).json()) as Record<string, unknown>;
  expect(body.version).toBe(`${pkg.version}+dev`);
  expect(body.revision).toBeNull();
});

it("answers HEAD without a body, 405 for other methods and JSON 404 elsewhere", async () => {
  server = await startTestServer();
  const head = await fetch(`${server.url}/health`, { method: "HEAD" });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe("");
  const post = await fetch(`${server.url}/health`, { method: "POST" });
  expect(post.status).toBe(405);
  const missing = await fetch(`${server.url}/nope`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ error: "not-found", path: "/nope" });
});
