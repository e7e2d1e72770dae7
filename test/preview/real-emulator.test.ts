import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildImage } from "../../deploy/build/build-image.js";
import { readGateRecords } from "../../deploy/model/gate-records.js";
import { createSecretManagerClient } from "../../deploy/platform/secretmanager/client.js";
import type { PreviewDeployResult } from "../../deploy/preview/deploy-preview.js";
import type { PreviewRow } from "../../deploy/preview/model.js";
import { previewNames } from "../../deploy/preview/names.js";
import { adapterFor, startTestEmulator, type TestEmulator } from "../helpers/emulated-project.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";
import { getText, hostingEmulator } from "../hosting/fixtures.js";
import { realProject } from "./real-project.js";

// The real thing end to end: the Cloud Run emulator running the reference server built by
// buildImage, the hosting emulator serving the real web/ page, the CLI as a user runs it.
const BRANCH = "feature/Login-Flow_v2";
const emulators: TestEmulator[] = [];
afterAll(async () => {
  await Promise.allSettled(emulators.map((emulator) => emulator.close()));
});

describe("preview deploy on the emulators", () => {
  it("deploys <base>-<branch> gated like staging with a web channel, lists it, and cleans it up", async () => {
    const cwd = await realProject(await testdir({}), BRANCH);
    const image = await buildImage({ projectDir: cwd });
    const cloudRun = await startTestEmulator(cwd);
    emulators.push(cloudRun);
    const { emulator: hosting, adapter: hostingApi } = await hostingEmulator({
      dir: join(cwd, ".echogate", "hosting"),
    });
    const env = {
      ...cloudRun.env,
      ECHOGATE_HOSTING_URL: hosting.url,
      GITHUB_SHA: "",
      GITHUB_ACTOR: "Octo Cat",
      GITHUB_HEAD_REF: "",
    };
    const names = previewNames(BRANCH, "echogate-chat-preview");
    // <preview base>-<branch part>: the whole base, the branch shortened and hashed so the candidate tag still fits (tag + service ≤ 46).
    expect(names.service).toMatch(/^echogate-chat-preview-fea-[a-z0-9]{8}$/);

    const deploy = await runEchogate(["preview", "deploy", "--branch", BRANCH, "--json"], { cwd, env });
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    const result = deploy.json<PreviewDeployResult>();
    expect(result).toMatchObject({ id: names.id, service: names.service, version: image.version });
    // Gated exactly like staging: the candidate on its tag URL, then the service URL after the shift.
    const gateChecks = result.serverGate.checks.map((check) => check.name);
    expect(gateChecks.some((name) => name.startsWith("candidate:"))).toBe(true);
    expect(gateChecks.some((name) => name.startsWith("service:"))).toBe(true);
    expect(result.serverGate.ok).toBe(true);

    const adapter = adapterFor(cloudRun);
    try {
      const service = (await adapter.getService(names.service))!.snapshot;
      expect(service.labels).toMatchObject({
        "managed-by": "echogate",
        "echogate-preview": names.id,
        "echogate-creator": "octo-cat",
      });
      expect(service.labels["echogate-commit"]).toMatch(/^[0-9a-f]{12}$/);
      expect(Number(service.labels["echogate-expires"]) * 1000 - Date.now()).toBeGreaterThan(6 * 86_400_000);
      expect(service.annotations["echogate.dev/branch"]).toBe(BRANCH);
      expect(service.annotations["echogate.dev/web-url"]).toBe(result.webUrl);
      expect(service.annotations["echogate.dev/lock"]).toBeUndefined();
      expect(readGateRecords(service.annotations)).toEqual([
        expect.objectContaining({ result: "passed", stage: "service", digest: image.digest }),
      ]);
      expect(service.traffic.find((t) => t.percent === 100)?.revision).toBe(service.latestReadyRevision);

      // The web channel serves the real page and names this preview's server.
      const channel = await hostingApi.getChannel("echogate-chat-preview", names.channel);
      expect(channel?.labels).toMatchObject({
        "echogate-preview": names.id,
        "echogate-owner": names.service,
      });
      expect((await getText(`${result.webUrl}/`)).text).toContain("<");
      const config = JSON.parse((await getText(`${result.webUrl}/echogate.json`)).text);
      expect(config).toMatchObject({
        environment: "preview",
        serverUrl: service.uri!.replace(/^http/, "ws"),
      });
      expect(config.public.NEXT_PUBLIC_SIGNALING_SERVER).toBe(config.serverUrl);
      const health = JSON.parse((await getText(`${service.uri}/health`)).text);
      expect(health.version).toBe(image.version);

      const list = await runEchogate(["preview", "list", "--json"], { cwd, env });
      expect(list.exitCode, list.stderr).toBe(0);
      expect(list.json<{ previews: PreviewRow[] }>().previews).toEqual([
        expect.objectContaining({
          id: names.id,
          branch: BRANCH,
          service: names.service,
          channel: names.channel,
          webUrl: result.webUrl,
          version: image.version,
          gate: "passed",
          expired: false,
        }),
      ]);

      // The preview's secret variables live in Secret Manager, owned by its service…
      const secrets = createSecretManagerClient({
        kind: "emulator",
        apiEndpoint: cloudRun.emulator.apiEndpoint,
      });
      const secretNames = async () =>
        (await secrets.listSecrets({ parent: "projects/echogate-demo" }))[0].map((secret) => secret.name);
      expect(await secretNames()).toContain(`projects/echogate-demo/secrets/${names.service}-SESSION_SECRET`);
      const cleanup = await runEchogate(["preview", "cleanup", "--branch", BRANCH, "--yes", "--json"], {
        cwd,
        env,
      });
      expect(cleanup.exitCode, cleanup.stderr).toBe(0);
      expect(cleanup.json<{ deleted: unknown[] }>().deleted).toEqual([
        { id: names.id, branch: BRANCH, service: "deleted", channel: "deleted" },
      ]);
      expect(await adapter.getService(names.service)).toBeUndefined();
      // …and go with it.
      expect((await secretNames()).filter((name) => name?.includes(names.service))).toEqual([]);
      await secrets.close();
      expect(await hostingApi.getChannel("echogate-chat-preview", names.channel)).toBeUndefined();
      const after = await runEchogate(["preview", "list", "--json"], { cwd, env });
      expect(after.json<{ previews: PreviewRow[] }>().previews).toEqual([]);
    } finally {
      await adapter.close();
    }
  }, 60_000);
});
