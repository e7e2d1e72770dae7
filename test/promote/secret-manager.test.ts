import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createSecretManagerClient } from "../../deploy/platform/secretmanager/client.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage, type TestImage } from "../helpers/images.js";
import { fastSmoke } from "../helpers/project.js";

// `secret: true` variables reach Cloud Run as Secret Manager references pinned to a version: the
// emulator's Secret Manager (same client code path as Google's) holds the value, the revision
// template only the reference, and the revision process gets the value when it starts.

const STAGING = "echogate-chat-staging";
const SECRET_V1 = "staging-demo-session-secret-not-for-real-use";
const SECRET_V2 = "rotated-session-secret-Zq8rVt2Lp9Wx4Nc7";
let image: TestImage;

const project = useEmulatedProject(fastSmoke);
beforeAll(async () => {
  image = await makeImage(project.dir, { version: "0.1.0+secrets1" });
}, 40_000);

const stateText = () => readFile(join(project.dir, ".echogate/emulator/state.json"), "utf8");

async function servingEnvOf(revision: string): Promise<Record<string, string>> {
  // The revision's own process environment, as Cloud Run would give the container.
  for (const pid of project.emu.emulator.revisionPids()) {
    const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "");
    const env = Object.fromEntries(
      environ
        .split("\0")
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    if (env.K_REVISION === revision) return env;
  }
  throw new Error(`no running process for ${revision}`);
}

async function servingRevision(): Promise<{ revision: string }> {
  const loaded = (await project.adapter.getService(STAGING))!;
  return { revision: loaded.snapshot.traffic.find((t) => t.percent === 100)!.revision! };
}

describe("secret variables on Cloud Run", () => {
  let first: string;

  it("deploy stores the value in Secret Manager and pins its version; the template holds no value", async () => {
    const run = await project.echogate("deploy", "staging", "--image", image.digest);
    expect(run.exitCode, run.stderr).toBe(0);
    const state = await stateText();
    expect(state).not.toContain(SECRET_V1);
    expect(state).toContain('"secretKeyRef"');
    expect(JSON.parse(state).services).toBeDefined();
    const ref =
      /"secret":\s*"(projects\/echogate-demo\/secrets\/echogate-chat-staging-SESSION_SECRET)",\s*"version":\s*"(\d+)"/.exec(
        state,
      );
    expect(ref?.[2]).toBe("1");
    const secrets = join(project.dir, ".echogate/emulator/secrets.json");
    expect((await stat(secrets)).mode & 0o777).toBe(0o600);
    first = (await servingRevision()).revision;
    expect((await servingEnvOf(first)).SESSION_SECRET).toBe(SECRET_V1);
    for (const text of [run.stdout, run.stderr]) expect(text).not.toContain(SECRET_V1);
  }, 60_000);

  it("a re-run with the same value adds no version and finds the revision already serving", async () => {
    const run = await project.echogate("deploy", "staging", "--image", image.digest, "--json");
    expect(run.exitCode, run.stderr).toBe(0);
    const client = createSecretManagerClient({
      kind: "emulator",
      apiEndpoint: project.emu.emulator.apiEndpoint,
    });
    try {
      const [versions] = await client.listSecretVersions({
        parent: `projects/echogate-demo/secrets/${STAGING}-SESSION_SECRET`,
      });
      expect(versions.map((v) => v.name?.split("/").at(-1))).toEqual(["1"]);
    } finally {
      await client.close();
    }
    expect((await servingRevision()).revision).toBe(first);
  }, 60_000);

  it("a new value becomes version 2 on a new revision; rollback serves the old revision with version 1", async () => {
    const envFile = join(project.dir, "environments/.env.staging");
    const text = await readFile(envFile, "utf8");
    await writeFile(envFile, text.replace(SECRET_V1, SECRET_V2));
    const run = await project.echogate("deploy", "staging", "--image", image.digest);
    expect(run.exitCode, run.stderr).toBe(0);
    const second = (await servingRevision()).revision;
    expect(second).not.toBe(first);
    expect((await servingEnvOf(second)).SESSION_SECRET).toBe(SECRET_V2);
    expect(await stateText()).not.toContain(SECRET_V2);

    const back = await project.echogate("rollback", "staging");
    expect(back.exitCode, back.stderr).toBe(0);
    expect((await servingRevision()).revision).toBe(first);
    expect((await servingEnvOf(first)).SESSION_SECRET).toBe(SECRET_V1);
  }, 90_000);

  it("an env file may reference an existing secret version instead of holding the value", async () => {
    const client = createSecretManagerClient({
      kind: "emulator",
      apiEndpoint: project.emu.emulator.apiEndpoint,
    });
    try {
      await client.createSecret({
        parent: "projects/echogate-demo",
        secretId: "shared-session",
        secret: { replication: { automatic: {} } },
      });
      await client.addSecretVersion({
        parent: "projects/echogate-demo/secrets/shared-session",
        payload: { data: Buffer.from("shared-value-one") },
      });
      await client.addSecretVersion({
        parent: "projects/echogate-demo/secrets/shared-session",
        payload: { data: Buffer.from("shared-value-two") },
      });
    } finally {
      await client.close();
    }
    const envFile = join(project.dir, "environments/.env.staging");
    const text = await readFile(envFile, "utf8");
    await writeFile(envFile, text.replace(SECRET_V2, "secretmanager:shared-session:1"));
    const run = await project.echogate("deploy", "staging", "--image", image.digest);
    expect(run.exitCode, run.stderr).toBe(0);
    const serving = (await servingRevision()).revision;
    expect((await servingEnvOf(serving)).SESSION_SECRET).toBe("shared-value-one");
    expect(await stateText()).toMatch(
      /"secret":\s*"projects\/echogate-demo\/secrets\/shared-session",\s*"version":\s*"1"/,
    );
  }, 60_000);
});
