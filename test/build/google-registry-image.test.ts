import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validEnvProject } from "../helpers/env-fixtures.js";
import { testdir } from "../helpers/testdir.js";

const ROOT = resolve(import.meta.dirname, "../..");
const DIGEST = `sha256:${"a".repeat(64)}`;

/**
 * Every way the CLI could reach Google — the Cloud Run and OAuth endpoints through an HTTPS proxy,
 * the metadata server — points at this loopback server, which counts what arrives and refuses it.
 */
let server: Server;
let requests = 0;
let address = "";
let project = "";

beforeAll(async () => {
  server = createServer((_request, response) => {
    requests++;
    response.writeHead(502).end();
  });
  server.on("connect", (_request, socket) => {
    requests++;
    socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  project = await testdir(validEnvProject());
  await writeFile(
    join(project, "adc.json"),
    JSON.stringify({ type: "authorized_user", client_id: "x", client_secret: "y", refresh_token: "z" }),
  );
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, "close");
});

async function deploy(args: string[]) {
  const before = requests;
  const result = await execa(
    process.execPath,
    [join(ROOT, "bin/echogate.js"), "deploy", ...args, "--cwd", project],
    {
      reject: false,
      env: {
        NO_COLOR: "1",
        HTTPS_PROXY: `http://${address}`,
        HTTP_PROXY: `http://${address}`,
        https_proxy: `http://${address}`,
        http_proxy: `http://${address}`,
        NO_PROXY: "",
        no_proxy: "",
        GCE_METADATA_HOST: address,
        GCE_METADATA_IP: address,
        GOOGLE_APPLICATION_CREDENTIALS: join(project, "adc.json"),
        HOME: project,
      },
      extendEnv: false,
      timeout: 60_000,
    },
  );
  return { ...result, requests: requests - before };
}

describe("deploy to a Google endpoint needs an image Cloud Run can pull", () => {
  it.each([
    ["no --image (it would build into the local store)", []],
    ["a bare digest", ["--image", DIGEST]],
    ["a local store reference", ["--image", `local/echogate-server@${DIGEST}`]],
    [
      "a registry Cloud Run doesn't pull from",
      ["--image", `quay.io/team/chat@${DIGEST}`, "--version", "1.0.0"],
    ],
  ])("refuses %s with exit 2 before any API call", async (_case, args) => {
    const run = await deploy(["staging", ...args]);
    expect(run.stderr).toContain("on Google");
    expect(run.stderr).toContain("echogate build --push");
    expect(run.stderr).toContain("echogate build --cloud --env staging");
    expect(run.exitCode).toBe(2);
    expect(run.requests).toBe(0);
  });

  it("lets an Artifact Registry image through to the API (the counter sees what a call would send)", async () => {
    const run = await deploy([
      "staging",
      "--image",
      `europe-west1-docker.pkg.dev/echogate-demo/echogate/chat@${DIGEST}`,
      "--version",
      "1.0.0+abc1234",
    ]);
    expect(run.stderr).not.toContain("echogate build --push");
    expect(run.exitCode).toBe(3);
    expect(run.requests).toBeGreaterThan(0);
  });
});
