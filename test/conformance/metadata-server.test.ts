import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import type { ImageManifest } from "@echogate/common/image-manifest";
import { afterEach, describe, expect, it } from "vitest";
import { type MetadataServer, startMetadataServer } from "../../packages/emulator/src/metadata-server.js";
import { projectNumberOf } from "../../packages/emulator/src/project-number.js";
import {
  allowPublic,
  LOCATION,
  PARENT,
  PROJECT,
  startTestEmulator,
  type TestEmulator,
} from "../emulator/helpers.js";
import { onGoogle } from "./target.js";

// The metadata server a Cloud Run container reads (container runtime contract, "Metadata server"):
// each path answers as on Cloud Run, the project number where the contract has it. Emulator only:
// on Google it would take deploying this suite's own reader image (CONFORMANCE_IMAGE is a stock one).

let server: MetadataServer | undefined;
afterEach(() => server?.close());

async function read(path: string, headers: Record<string, string> = { "Metadata-Flavor": "Google" }) {
  const res = await fetch(`http://${server!.host}/computeMetadata/v1/${path}`, { headers });
  return { status: res.status, body: await res.text(), flavor: res.headers.get("metadata-flavor") };
}

describe.skipIf(onGoogle)("metadata server", () => {
  it("answers project, region, zone and the service account's email, token and identity", async () => {
    server = await startMetadataServer("instance-1");
    server.locate({
      project: "demo-project",
      region: "europe-west1",
      idToken: (audience, email) => `token-for:${audience}:${email}`,
    });
    const number = projectNumberOf("demo-project");
    expect(number).toMatch(/^\d{12}$/);
    expect((await read("instance/id")).body).toBe("instance-1");
    expect((await read("project/project-id")).body).toBe("demo-project");
    expect((await read("project/numeric-project-id")).body).toBe(number);
    expect((await read("instance/region")).body).toBe(`projects/${number}/regions/europe-west1`);
    expect((await read("instance/zone")).body).toBe(`projects/${number}/zones/europe-west1-1`);
    const email = `${number}-compute@developer.gserviceaccount.com`;
    expect((await read("instance/service-accounts/default/email")).body).toBe(email);
    const token = JSON.parse((await read("instance/service-accounts/default/token")).body);
    expect(token).toMatchObject({ token_type: "Bearer", expires_in: expect.any(Number) });
    expect(token.access_token).toEqual(expect.any(String));
    const identity = await read("instance/service-accounts/default/identity?audience=http://127.0.0.1:1");
    expect(identity).toMatchObject({ status: 200, body: `token-for:http://127.0.0.1:1:${email}` });
    expect((await read("instance/service-accounts/default/identity")).status).toBe(400);
  });

  it("reports the revision's own service account, and refuses a request without Metadata-Flavor", async () => {
    server = await startMetadataServer("instance-2");
    server.locate({
      project: "demo-project",
      region: "us-central1",
      serviceAccount: "chat@demo-project.iam.gserviceaccount.com",
    });
    expect((await read("instance/service-accounts/default/email")).body).toBe(
      "chat@demo-project.iam.gserviceaccount.com",
    );
    expect(await read("project/project-id", {})).toMatchObject({ status: 403, flavor: "Google" });
    expect((await read("instance/attributes/nothing")).status).toBe(404);
  });

  it("refuses a proxied request (X-Forwarded-For) and a Host that is not the metadata server's", async () => {
    server = await startMetadataServer("instance-3");
    server.locate({ project: "demo-project", region: "us-central1" });
    const [, port] = server.host.split(":");
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        http
          .get(
            {
              host: "127.0.0.1",
              port: Number(port),
              path: "/computeMetadata/v1/project/project-id",
              headers,
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          )
          .on("error", reject);
      });
    const flavor = { "Metadata-Flavor": "Google" };
    expect(await status({ ...flavor, Host: server.host })).toBe(200);
    expect(await status({ ...flavor, Host: "metadata.google.internal" })).toBe(200);
    expect(await status({ ...flavor, Host: "evil.example.com" })).toBe(403);
    expect(await status({ ...flavor, Host: server.host, "X-Forwarded-For": "203.0.113.9" })).toBe(403);
  });
});

// Through the data plane: a revision reads its own instance's metadata server.
const METADATA_READER = `
const http = require("node:http");
const [host, port] = process.env.GCE_METADATA_HOST.split(":");
http.createServer((req, res) => {
  const path = new URL(req.url, "http://x").searchParams.get("path");
  http.get({ host, port, path: "/computeMetadata/v1/" + path, headers: { "Metadata-Flavor": "Google" } }, (m) => {
    let body = "";
    m.on("data", (c) => (body += c));
    m.on("end", () => { res.writeHead(m.statusCode); res.end(body); });
  });
}).listen(Number(process.env.PORT), "0.0.0.0");
`;

async function writeReaderImage(imageStoreDir: string): Promise<string> {
  const hex = createHash("sha256").update(METADATA_READER).digest("hex");
  const dir = path.join(imageStoreDir, `sha256-${hex}`);
  await mkdir(path.join(dir, "rootfs"), { recursive: true });
  await writeFile(path.join(dir, "rootfs", "server.cjs"), METADATA_READER);
  const manifest: ImageManifest = {
    schemaVersion: 1,
    digest: `sha256:${hex}`,
    name: "metadata-reader",
    version: "0.0.1",
    gitSha: "abc1234",
    createdAt: new Date().toISOString(),
    entrypoint: ["node", "server.cjs"],
    env: {},
    workingDir: ".",
  };
  await writeFile(path.join(dir, "manifest.json"), JSON.stringify(manifest));
  return `local/metadata-reader@sha256:${hex}`;
}

describe.skipIf(onGoogle)("metadata server of a revision instance", () => {
  let emulator: TestEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it("reports the project number, region and the revision's service account, with identity tokens the invoker check accepts", async () => {
    emulator = await startTestEmulator();
    const image = await writeReaderImage(emulator.imageStoreDir);
    const account = "chat@demo-project.iam.gserviceaccount.com";
    const [op] = await emulator.clients.services.createService({
      parent: PARENT,
      serviceId: "meta",
      service: { template: { serviceAccount: account, containers: [{ image }] } },
    });
    const [service] = await op.promise();
    await allowPublic(emulator.clients, "meta");
    const read = async (what: string) =>
      (await fetch(`${service.uri}/?path=${encodeURIComponent(what)}`)).text();
    const number = projectNumberOf(PROJECT);
    expect(await read("project/numeric-project-id")).toBe(number);
    expect(await read("instance/region")).toBe(`projects/${number}/regions/${LOCATION}`);
    expect(await read("instance/service-accounts/default/email")).toBe(account);
    const token = await read(`instance/service-accounts/default/identity?audience=${service.uri}`);
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
    expect(claims).toMatchObject({ aud: service.uri, email: account });
    // Private again: the token from the metadata server is what lets a caller in.
    await emulator.clients.services.setIamPolicy({
      resource: `${PARENT}/services/meta`,
      policy: { bindings: [] },
    });
    const url = `${service.uri}/?path=project/project-id`;
    expect((await fetch(url)).status).toBe(403);
    const authorized = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(authorized.status).toBe(200);
    expect(await authorized.text()).toBe(PROJECT);
  });
});
