import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { googleRegistryCredentials } from "../../deploy/build/registry-credentials.js";
import { testdir } from "../helpers/testdir.js";

// Application Default Credentials through the real google-auth-library, found on a metadata server
// on loopback (GCE_METADATA_HOST), as on a Google runner with an attached service account.

const TOKEN = "ya29.from-the-metadata-server";
const server = createServer((request, response) => {
  const headers = { "metadata-flavor": "Google", "content-type": "application/json" };
  if (request.headers["metadata-flavor"] !== "Google") return response.writeHead(403).end();
  const path = new URL(request.url ?? "/", "http://metadata").pathname;
  if (path === "/computeMetadata/v1/instance/service-accounts/default/token") {
    return response
      .writeHead(200, headers)
      .end(JSON.stringify({ access_token: TOKEN, expires_in: 3600, token_type: "Bearer" }));
  }
  if (path === "/computeMetadata/v1/instance" || path === "/computeMetadata/v1/")
    return response.writeHead(200, headers).end("{}");
  response.writeHead(404, headers).end();
});
const paths: string[] = [];
server.on("request", (request) => paths.push(request.url ?? ""));

beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.GCE_METADATA_HOST = host;
  process.env.GCE_METADATA_IP = host;
  process.env.HOME = await testdir({});
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  delete process.env.CLOUDSDK_CONFIG;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("registry credentials", () => {
  it("give Artifact Registry oauth2accesstoken + the ADC access token, registered as a secret", async () => {
    const secrets: string[] = [];
    const credentials = googleRegistryCredentials((secret) => secrets.push(secret));
    expect(await credentials("europe-west1-docker.pkg.dev")).toEqual({
      username: "oauth2accesstoken",
      password: TOKEN,
    });
    expect(secrets).toEqual([TOKEN]);
    expect(paths.some((path) => path.includes("service-accounts/default/token"))).toBe(true);
  });

  it("give other registries nothing, without asking for a token", async () => {
    const before = paths.length;
    const credentials = googleRegistryCredentials(() => {});
    expect(await credentials("docker.io")).toBeUndefined();
    expect(await credentials("127.0.0.1:5000")).toBeUndefined();
    expect(paths.length).toBe(before);
  });
});
