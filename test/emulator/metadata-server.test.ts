import { afterEach, describe, expect, it } from "vitest";
import { type MetadataServer, startMetadataServer } from "../../deploy/emulator/metadata-server.js";
import { projectNumberOf } from "../../deploy/emulator/project-number.js";

// The metadata server a Cloud Run container reads (container runtime contract, "Metadata server"):
// each path answers as on Cloud Run, the project number where the contract has it.

let server: MetadataServer | undefined;
afterEach(() => server?.close());

async function read(path: string, headers: Record<string, string> = { "Metadata-Flavor": "Google" }) {
  const res = await fetch(`http://${server!.host}/computeMetadata/v1/${path}`, { headers });
  return { status: res.status, body: await res.text(), flavor: res.headers.get("metadata-flavor") };
}

describe("metadata server", () => {
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
});
