import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LoadedEnvironment } from "../../deploy/config/load-environments.js";
import { resolveRevisionEnv } from "../../deploy/promote/revision-env.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";
import { echogate, webPromotionProject } from "../helpers/project.js";
import { hostingEmulator } from "../hosting/fixtures.js";

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.allSettled(closers.map((close) => close()));
});

/** This repo's environments and web page on fresh emulators; `edit` changes project files first. */
async function project(edit: (files: Record<string, string>) => void = () => {}) {
  const cwd = await webPromotionProject(edit);
  const cloudRun: TestEmulator = await startTestEmulator(cwd);
  const { emulator: hosting } = await hostingEmulator({ dir: join(cwd, ".echogate", "hosting") });
  closers.push(
    () => cloudRun.close(),
    () => hosting.close(),
  );
  const env = { ...cloudRun.env, ECHOGATE_HOSTING_URL: hosting.url };
  const serviceEnv = async (service: string): Promise<Record<string, string>> => {
    const response = await fetch(
      `${cloudRun.emulator.apiEndpoint}/v2/projects/echogate-demo/locations/us-central1/services/${service}`,
    );
    const body = (await response.json()) as {
      template: { containers: { env?: { name: string; value: string }[] }[] };
    };
    return Object.fromEntries((body.template.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
  };
  return { cwd, hosting, run: (...argv: string[]) => echogate(cwd, env, ...argv), serviceEnv };
}

describe("${WEB_ORIGIN}: the server's CORS list names the real site, or deploy refuses", () => {
  it("fills ALLOWED_ORIGINS with the web channel's origin before the web build exists, and the pair gate connects from it", async () => {
    const { cwd, run, serviceEnv } = await project();
    const image = await makeImage(cwd, { version: "0.1.0+aaaaaaa" });
    const deployed = await run("deploy", "staging", "--image", image.digest, "--json");
    expect(deployed.exitCode, deployed.stderr).toBe(0);

    const web = await run("web", "deploy", "staging", "--json");
    expect(web.exitCode, web.stderr).toBe(0);
    const webOrigin = new URL(web.json<{ url: string }>().url).origin;
    expect((await serviceEnv("echogate-chat-staging")).ALLOWED_ORIGINS).toBe(webOrigin);
  });

  it("the pair gate refuses a front end whose site the server's CORS list leaves out (HTTP 403 from its origin)", async () => {
    // The configured origin passes `check`, but the site is really served from elsewhere.
    const { cwd, run } = await project((files) => {
      files["environments/staging.yaml"] = files["environments/staging.yaml"]!.replace(
        /^(\s+)site: (.*)$/m,
        "$1site: $2\n$1origins: [https://chat.example.com]",
      );
      files["environments/.env.staging"] = files["environments/.env.staging"]!.replace(
        /^ALLOWED_ORIGINS=.*$/m,
        "ALLOWED_ORIGINS=https://chat.example.com",
      );
    });
    const image = await makeImage(cwd, { version: "0.1.0+bbbbbbb" });
    const deployed = await run("deploy", "staging", "--image", image.digest);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    const web = await run("web", "deploy", "staging", "--json");
    expect(web.exitCode).toBe(1);
    expect(web.stdout + web.stderr).toMatch(/server allows the site's origin/);
    expect(web.stdout + web.stderr).toMatch(/HTTP 403/);
  });

  it("touches no hosting state when the Cloud Run API is unreachable (exit 3, nothing changed)", async () => {
    const { cwd, hosting } = await project();
    const image = await makeImage(cwd, { version: "0.1.0+ddddddd" });
    const stateFile = join(cwd, ".echogate", "hosting", "state.json");
    const before = await readFile(stateFile, "utf8").catch(() => "{}");
    const run = await echogate(
      cwd,
      { ECHOGATE_EMULATOR_ENDPOINT: "http://127.0.0.1:9", ECHOGATE_HOSTING_URL: hosting.url },
      "deploy",
      "staging",
      "--image",
      image.digest,
    );
    expect(run.exitCode, run.stderr).toBe(3);
    // The site exists (created first, as on Firebase); no channel, version or release was added.
    expect(await readFile(stateFile, "utf8").catch(() => "{}")).toBe(before);
  });

  it("refuses to fill it with nothing: an unknown web origin is an error naming file, line and key", () => {
    const environment = {
      name: "staging",
      file: "environments/staging.yaml",
      config: { hosting: undefined },
    } as unknown as LoadedEnvironment;
    const source = {
      file: "environments/.env.staging",
      entries: [
        { name: "LOG_LEVEL", value: "info", line: 2, realtimeServer: false },
        { name: "ALLOWED_ORIGINS", value: "${WEB_ORIGIN}", line: 4, realtimeServer: false },
      ],
      skipped: [],
    };
    expect(() => resolveRevisionEnv(source, environment, "http://127.0.0.1:1", [])).toThrow(
      /environments\/\.env\.staging:4 ALLOWED_ORIGINS uses \$\{WEB_ORIGIN\}/,
    );
    expect(
      resolveRevisionEnv(source, environment, "http://127.0.0.1:1", ["https://a.web.app"]).env,
    ).toContainEqual({ name: "ALLOWED_ORIGINS", value: "https://a.web.app" });
  });
});
