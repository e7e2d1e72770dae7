import { stopEmulator } from "@echogate/emulator";
import { afterAll, expect, it } from "vitest";
import { makeImage } from "../helpers/images.js";
import { webPromotionProject } from "../helpers/project.js";
import { runEchogate } from "../helpers/run-cli.js";

// No ECHOGATE_* overrides: the daemon runs both emulators, and a firebase.json `run` rewrite on the
// hosted site reaches the environment's own emulated Cloud Run service, as on Firebase Hosting.
const env = { ECHOGATE_EMULATOR_ENDPOINT: "", ECHOGATE_HOSTING_URL: "" };
let projectDir: string | undefined;
afterAll(async () => {
  if (projectDir) await stopEmulator(projectDir);
});

it("proxies a run rewrite of the hosted site to the environment's own service in the daemon", {
  timeout: 90_000,
}, async () => {
  // Named after production's service: echogate sends staging's site to staging's service.
  const firebaseJson = {
    hosting: {
      public: "web/public",
      rewrites: [
        { source: "/health", run: { serviceId: "echogate-chat-production", region: "us-central1" } },
        { source: "**", destination: "/index.html" },
      ],
    },
  };
  projectDir = await webPromotionProject((files) => {
    files["firebase.json"] = JSON.stringify(firebaseJson);
  });
  const cwd = projectDir;
  const image = await makeImage(cwd, { version: "0.1.0+aaaaaaa" });
  const deploy = await runEchogate(["deploy", "staging", "--image", image.digest, "--json"], { cwd, env });
  expect(deploy.exitCode, deploy.stderr).toBe(0);
  const web = await runEchogate(["web", "deploy", "staging", "--json"], { cwd, env });
  expect(web.exitCode, web.stderr).toBe(0);
  const { url } = web.json<{ url: string }>();

  const health = await fetch(`${url}/health`);
  expect(health.status).toBe(200);
  const body = (await health.json()) as { status: string; version: string; revision: string };
  expect(body).toMatchObject({ status: "ok", version: "0.1.0+aaaaaaa" });
  expect(body.revision).toMatch(/^echogate-chat-staging-/);
  expect(await (await fetch(`${url}/rooms/1`)).text()).toContain("<");
});
