import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostingEmulator } from "@echogate/emulator";
import { afterAll, describe, expect, it } from "vitest";
import { readGateRecords } from "../../deploy/model/gate-records.js";
import { adapterFor, startTestEmulator, type TestEmulator } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";
import { echogate, fastSmoke, promotionProject, webPromotionProject } from "../helpers/project.js";
import { getText, hostingEmulator } from "../hosting/fixtures.js";

const PRODUCTION = "echogate-chat-production";
const emulators: TestEmulator[] = [];
afterAll(async () => {
  await Promise.allSettled(emulators.map((emulator) => emulator.close()));
});

interface PromoteJson {
  outcome: { revision: string; url: string; result: string };
  web?: { url: string; version: string; clonedFrom: string; serverUrl: string; skipped?: string };
}

/** This repo's environments and web/ page, staging deployed (server + web) on fresh emulators. */
async function stagedProject(options: { failUploadsAfter?: number; files?: Record<string, string> } = {}) {
  const cwd = await webPromotionProject((files) => Object.assign(files, options.files ?? {}));
  const cloudRun = await startTestEmulator(cwd);
  emulators.push(cloudRun);
  const hostingDir = join(cwd, ".echogate", "hosting");
  let hosting: HostingEmulator = (await hostingEmulator({ dir: hostingDir })).emulator;
  const env = () => ({ ...cloudRun.env, ECHOGATE_HOSTING_URL: hosting.url });
  const run = (...argv: string[]) => echogate(cwd, env(), ...argv);
  const image = await makeImage(cwd, { version: "0.1.0+aaaaaaa" });
  expect((await run("deploy", "staging", "--image", image.digest)).exitCode).toBe(0);
  const staged = await run("web", "deploy", "staging", "--json");
  expect(staged.exitCode, staged.stderr).toBe(0);
  if (options.failUploadsAfter !== undefined) {
    await hosting.close();
    hosting = (await hostingEmulator({ dir: hostingDir, failUploadsAfter: options.failUploadsAfter }))
      .emulator;
  }
  return {
    cwd,
    run,
    cloudRun,
    hostingUrl: () => hosting.url,
    staged: staged.json<{ url: string; version: string }>(),
    restartHosting: async () => {
      await hosting.close();
      hosting = (await hostingEmulator({ dir: hostingDir })).emulator;
    },
  };
}

describe("promote production also promotes the web build", () => {
  it("clones staging's exact web version (no upload of the build) with production's runtime config", async () => {
    const { run, staged } = await stagedProject();
    const promoted = await run("promote", "production", "--json");
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const { outcome, web } = promoted.json<PromoteJson>();
    expect(web).toMatchObject({ clonedFrom: staged.version, serverUrl: outcome.url.replace(/^http/, "ws") });
    expect(web!.version).not.toBe(staged.version);
    // Same bytes as the gated staging build, except the runtime config.
    for (const page of ["/index.html", "/app.js"])
      expect((await getText(`${web!.url}${page}`)).text).toBe((await getText(`${staged.url}${page}`)).text);
    const config = JSON.parse((await getText(`${web!.url}/echogate.json`)).text);
    expect(config).toMatchObject({
      environment: "production",
      serverUrl: outcome.url.replace(/^http/, "ws"),
    });
    expect(config.public.NEXT_PUBLIC_SIGNALING_SERVER).toBe(config.serverUrl);
    expect(JSON.parse((await getText(`${staged.url}/echogate.json`)).text).environment).toBe("staging");

    const table = await run("promote", "production");
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/web\s+http:\/\/127\.0\.0\.1:\d+ — .* cloned from /);
  }, 60_000);

  it("sends each environment's run rewrite to its own service: the clone gets production's, not staging's", async () => {
    const firebaseJson = JSON.stringify({
      hosting: {
        public: "web/public",
        rewrites: [
          { source: "/api/**", run: { serviceId: PRODUCTION } },
          { source: "**", destination: "/index.html" },
        ],
        headers: [{ source: "**", headers: [{ key: "x-frame-options", value: "DENY" }] }],
      },
    });
    const { run, staged, hostingUrl } = await stagedProject({ files: { "firebase.json": firebaseJson } });
    const configOf = async (version: string) =>
      ((await (await fetch(`${hostingUrl()}/v1beta1/${version}`)).json()) as { config: unknown }).config;
    const expected = (serviceId: string) => ({
      rewrites: [
        { glob: "/api/**", run: { serviceId, region: "us-central1" } },
        { glob: "**", path: "/index.html" },
      ],
      headers: [{ glob: "**", headers: { "x-frame-options": "DENY" } }],
    });
    expect(await configOf(staged.version)).toEqual(expected("echogate-chat-staging"));
    const deep = await fetch(`${staged.url}/rooms/1`);
    expect([deep.status, deep.headers.get("x-frame-options")]).toEqual([200, "DENY"]);

    const promoted = await run("promote", "production", "--json");
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const { web } = promoted.json<PromoteJson>();
    expect(web?.clonedFrom).toBe(staged.version);
    expect(await configOf(web!.version)).toEqual(expected(PRODUCTION));
  }, 60_000);

  it("says so (exit 1) when the web step fails after the server was promoted, and leaves server traffic", async () => {
    const { run, cloudRun, restartHosting } = await stagedProject({ failUploadsAfter: 0 });
    const failed = await run("promote", "production", "--json");
    expect(failed.exitCode).toBe(1);
    const error = failed.json<{ error: { code: string; message: string; hint: string } }>().error;
    expect(error.code).toBe("promote.web-failed");
    expect(error.message).toMatch(
      /^Promoted 0\.1\.0\+aaaaaaa to production's server, but failed to promote its web front end: /,
    );
    expect(error.hint).toContain("Server traffic stays on");

    const adapter = adapterFor(cloudRun);
    try {
      const prod = (await adapter.getService(PRODUCTION))!.snapshot;
      const serving = prod.traffic.filter((t) => t.percent > 0);
      expect(serving).toHaveLength(1);
      expect(readGateRecords(prod.annotations).at(-1)).toMatchObject({
        revision: serving[0]!.revision,
        result: "passed",
        stage: "service",
      });
      expect(readGateRecords(prod.annotations).some((r) => r.rolledBackAt)).toBe(false);
    } finally {
      await adapter.close();
    }

    // Re-running once Hosting is healthy finishes only the web step.
    await restartHosting();
    const again = await run("promote", "production", "--json");
    expect(again.exitCode, again.stderr).toBe(0);
    const result = again.json<PromoteJson>();
    expect(result.outcome.result).toBe("already-serving");
    expect(result.web?.clonedFrom).toBeDefined();
  }, 60_000);

  it("refuses a half release (exit 1, nothing changed) when staging never had a web release, unless --server-only", async () => {
    const cwd = await promotionProject(fastSmoke);
    const cloudRun = await startTestEmulator(cwd);
    emulators.push(cloudRun);
    const { emulator } = await hostingEmulator({ dir: join(cwd, ".echogate", "hosting") });
    const env = { ...cloudRun.env, ECHOGATE_HOSTING_URL: emulator.url };
    const image = await makeImage(cwd, { version: "0.1.0+aaaaaaa" });
    expect((await echogate(cwd, env, "deploy", "staging", "--image", image.digest)).exitCode).toBe(0);
    const promoted = await echogate(cwd, env, "promote", "production", "--json");
    expect(promoted.exitCode).toBe(1);
    const error = promoted.json<{ error: { code: string; message: string; hint: string } }>().error;
    expect(error.code).toBe("promote.web-cannot-follow");
    expect(error.message).toContain("staging has no web release");
    expect(error.message).toContain("Nothing was changed");
    expect(error.hint).toContain("`echogate web deploy staging`");
    expect(error.hint).toContain("--server-only");
    const adapter = adapterFor(cloudRun);
    try {
      expect(await adapter.getService(PRODUCTION)).toBeUndefined();
    } finally {
      await adapter.close();
    }

    const serverOnly = await echogate(cwd, env, "promote", "production", "--server-only", "--json");
    expect(serverOnly.exitCode, serverOnly.stderr).toBe(0);
    expect(serverOnly.json<PromoteJson>().web?.skipped).toBe("--server-only");
    expect(serverOnly.stderr).toContain("--server-only");
  }, 60_000);

  it("rollback moves production's web back to the release paired with the revision it rolls back to", async () => {
    const { cwd, run } = await stagedProject();
    const first = await run("promote", "production", "--json");
    expect(first.exitCode, first.stderr).toBe(0);
    const v1 = first.json<PromoteJson>();
    // v2: a new server and a new staging web build (one changed byte), promoted together.
    const image = await makeImage(cwd, { version: "0.1.1+bbbbbbb" });
    expect((await run("deploy", "staging", "--image", image.digest)).exitCode).toBe(0);
    await appendFile(join(cwd, "web", "public", "index.html"), "<!-- v2 -->\n");
    expect((await run("web", "deploy", "staging")).exitCode).toBe(0);
    const second = await run("promote", "production", "--json");
    expect(second.exitCode, second.stderr).toBe(0);
    const v2 = second.json<PromoteJson>();
    expect(v2.web!.version).not.toBe(v1.web!.version);
    expect((await getText(`${v2.web!.url}/index.html`)).text).toContain("<!-- v2 -->");

    const rolledBack = await run("rollback", "production", "--json");
    expect(rolledBack.exitCode, rolledBack.stderr).toBe(0);
    const result = rolledBack.json<{
      outcome: { to: string; web: { released: { version: string; revision: string } } };
    }>();
    expect(result.outcome.to).toBe(v1.outcome.revision);
    expect(result.outcome.web.released).toMatchObject({
      version: v1.web!.version,
      revision: v1.outcome.revision,
    });
    expect((await getText(`${v2.web!.url}/index.html`)).text).not.toContain("<!-- v2 -->");

    const status = await run("status", "production", "--json");
    const row = status.json<{
      environments: { revision: string; web: { version: string; paired: boolean } }[];
    }>().environments[0]!;
    expect(row.revision).toBe(v1.outcome.revision);
    expect(row.web).toMatchObject({ version: v1.web!.version.split("/").at(-1), paired: true });
    const table = await run("status", "production");
    expect(table.stdout).toMatch(/WEB/);
    expect(table.stdout).toContain("paired");
  }, 90_000);
});
