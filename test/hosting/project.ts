import { createProjectSites } from "../helpers/hosting-sites.js";
import { testdir } from "../helpers/testdir.js";

const indexHtml = '<!doctype html><script type="module" src="/app.js"></script>\n';
const appJs = "fetch('/echogate.json').then((r) => r.json());\n";

export const PRODUCTION_SERVER = "https://chat-production-xyz.a.run.app";

/** A project with staging, production (promotes from staging) and preview on hosting `local`. */
export async function hostingProject(
  options: { stagingEnv?: string; web?: Record<string, string> | null; extra?: Record<string, string> } = {},
): Promise<string> {
  const environment = (name: string, kind: string, extra = "") =>
    [
      `kind: ${kind}`,
      "service:",
      "  endpoint: local",
      "  project: demo",
      "  regions: [us-central1]",
      `  name: chat-${name}`,
      `  envFile: .env.${name}`,
      "hosting:",
      "  provider: local",
      `  site: chat-${name}`,
      "smoke:",
      "  echo:",
      "    timeoutMs: 1500",
      extra,
    ].join("\n");
  const web =
    options.web === null
      ? {}
      : Object.fromEntries(
          Object.entries(options.web ?? { "index.html": indexHtml, "app.js": appJs }).map(([path, text]) => [
            `web/public/${path}`,
            text,
          ]),
        );
  const dir = await testdir({
    "environments/staging.yaml": environment("staging", "staging"),
    "environments/production.yaml": environment("production", "production", "promotesFrom: staging"),
    "environments/preview.yaml": environment("preview", "preview"),
    "environments/env.schema.yaml": [
      "version: 1",
      "variables:",
      // Optional and environment-specific: staging and previews get the server URL at deploy time.
      "  PUBLIC_SERVER_URL: { type: url, public: true, realtimeServer: true, required: false, environmentSpecific: true }",
      "  PUBLIC_APP_NAME: { public: true }",
      "  API_SECRET: { secret: true, required: false, environmentSpecific: true }",
    ].join("\n"),
    "environments/.env.staging":
      options.stagingEnv ?? "PUBLIC_APP_NAME=chat (staging)\nAPI_SECRET=s3cr3t-value\n",
    "environments/.env.production": `PUBLIC_APP_NAME=chat\nPUBLIC_SERVER_URL=${PRODUCTION_SERVER}\nAPI_SECRET=other-secret\n`,
    "environments/.env.preview": "PUBLIC_APP_NAME=chat (preview)\n",
    ...web,
    ...options.extra,
  });
  await createProjectSites(dir);
  return dir;
}
