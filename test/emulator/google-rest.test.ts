import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../../packages/emulator/src/google-rest/api-error.js";
import { operationOf, waitForOperation } from "../../packages/emulator/src/google-rest/operations.js";
import { pageOf } from "../../packages/emulator/src/google-rest/pagination.js";
import { referenceRoutes, restHandler, route } from "../../packages/emulator/src/google-rest/rest-api.js";

// The REST kit the Cloud Run, Hosting and Secret Manager emulators share, on a toy API.

const stored: string[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  const handle = restHandler({
    routes: [
      route("GET", "things.get", /^\/v1\/things\/([^/:]+)$/, (_r, [id]) => {
        if (id === "missing") throw new ApiError("NOT_FOUND", `Thing ${id} not found.`);
        if (id === "broken") throw new Error("disk on fire");
        return { name: `things/${id}` };
      }),
      route("POST", "things.create", /^\/v1\/things$/, ({ body }) => ({ created: body })),
      route("PUT", "things.upload", /^\/v1\/things:upload$/, ({ raw }) => ({ bytes: raw.length }), {
        rawBody: true,
      }),
    ],
    unrouted: referenceRoutes("Things API v1", [["DELETE", "things.delete", /^\/v1\/things\/[^/:]+$/]]),
    boundQuery: { "things.get": ["view"] },
    settled: (r) => void stored.push(r.id),
  });
  server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function call(method: string, path: string, body?: string) {
  const res = await fetch(`${base}${path}`, { method, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("Google REST kit", () => {
  it("answers a route's result as JSON, and runs `settled` only after a handler succeeded", async () => {
    stored.length = 0;
    expect(await call("GET", "/v1/things/a?view=FULL")).toEqual({ status: 200, json: { name: "things/a" } });
    await call("GET", "/v1/things/missing");
    expect(stored).toEqual(["things.get"]);
  });

  it("answers errors as Google's JSON error body; any other error is INTERNAL", async () => {
    expect(await call("GET", "/v1/things/missing")).toEqual({
      status: 404,
      json: { error: { code: 404, message: "Thing missing not found.", status: "NOT_FOUND" } },
    });
    expect(await call("GET", "/v1/things/broken")).toEqual({
      status: 500,
      json: { error: { code: 500, message: "Internal error: disk on fire", status: "INTERNAL" } },
    });
  });

  it("tells a reference method it does not serve (501) from a URL that names none (404)", async () => {
    const unimplemented = await call("DELETE", "/v1/things/a");
    expect(unimplemented.status).toBe(501);
    expect(unimplemented.json.error).toMatchObject({
      status: "UNIMPLEMENTED",
      message: expect.stringContaining(
        "Method things.delete (DELETE /v1/things/a) is part of the Things API v1",
      ),
    });
    expect((await call("GET", "/v1/elsewhere")).json.error).toMatchObject({ code: 404, status: "NOT_FOUND" });
  });

  it("reads JSON bodies (empty is {}, malformed is a 400) unless the route reads the raw bytes", async () => {
    expect((await call("POST", "/v1/things", '{"a":1}')).json).toEqual({ created: { a: 1 } });
    expect((await call("POST", "/v1/things")).json).toEqual({ created: {} });
    expect(await call("POST", "/v1/things", "{nope")).toEqual({
      status: 400,
      json: { error: { code: 400, message: "Invalid JSON payload received.", status: "INVALID_ARGUMENT" } },
    });
    expect((await call("PUT", "/v1/things:upload", "{nope")).json).toEqual({ bytes: 5 });
  });

  it("refuses a query parameter the method does not bind, by its JSON or proto name", async () => {
    const refused = await call("GET", "/v1/things/a?vew=FULL");
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ message: expect.stringContaining('Unknown name "vew"') });
    expect((await call("GET", "/v1/things/a?fields=name&prettyPrint=false")).status).toBe(200);
  });
});

describe("pages and operations", () => {
  const query = (text: string) => new URLSearchParams(text);

  it("pages with opaque tokens until the last page, capped at the maximum size", () => {
    const items = Array.from({ length: 5 }, (_, i) => i);
    const first = pageOf(items, query("pageSize=2"), { defaultSize: 10 });
    expect(first.items).toEqual([0, 1]);
    const second = pageOf(items, query(`page_size=2&page_token=${first.next.nextPageToken}`), {
      defaultSize: 10,
    });
    expect(second.items).toEqual([2, 3]);
    const last = pageOf(items, query(`pageSize=2&pageToken=${second.next.nextPageToken}`), {
      defaultSize: 10,
    });
    expect(last).toEqual({ items: [4], next: {} });
    expect(pageOf(items, query("pageSize=50"), { defaultSize: 1, maxSize: 3 }).items).toEqual([0, 1, 2]);
    expect(() => pageOf(items, query("pageSize=-1"), { defaultSize: 1 })).toThrow(ApiError);
    expect(() => pageOf(items, query("pageToken=bm9wZQ"), { defaultSize: 1 })).toThrow(/Invalid page token/);
  });

  it("renders an operation with typed metadata and either an error or a response once done", async () => {
    const type = "type.googleapis.com/x.Thing";
    expect(operationOf("operations/1", type, { done: false, metadata: { a: 1 } })).toEqual({
      name: "operations/1",
      metadata: { "@type": type, a: 1 },
      done: false,
    });
    expect(operationOf("operations/2", type, { done: true, response: { b: 2 } })).toEqual({
      name: "operations/2",
      done: true,
      response: { "@type": type, b: 2 },
    });
    const error = { code: 9, message: "no" };
    expect(operationOf("operations/3", type, { done: true, error, response: { b: 2 } })).toEqual({
      name: "operations/3",
      done: true,
      error,
    });
    let reads = 0;
    const waited = await waitForOperation(
      () => operationOf("operations/4", type, { done: ++reads >= 3 }),
      "5s",
      60_000,
    );
    expect(waited.done).toBe(true);
    expect(reads).toBe(3);
    const timedOut = await waitForOperation(
      () => operationOf("operations/5", type, { done: false }),
      "0.1s",
      60_000,
    );
    expect(timedOut.done).toBe(false);
  });
});
