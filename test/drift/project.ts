import { testdir } from "../helpers/testdir.js";

// Temp projects for CLI-level drift tests: environments/*.yaml, env files, Dockerfile, package.json.

export interface EnvSpec {
  kind?: "local" | "staging" | "production" | "preview";
  service?: Record<string, unknown>;
  promotesFrom?: string;
  smoke?: string;
  env?: Record<string, string>;
}

const lines = (...items: string[]) => `${items.join("\n")}\n`;

export function environmentYaml(name: string, spec: EnvSpec): string {
  const service: Record<string, unknown> = {
    endpoint: "local",
    project: "demo-project",
    regions: ["europe-west1"],
    name: `chat-${name}`,
    envFile: `.env.${name}`,
    ...spec.service,
  };
  return lines(
    `kind: ${spec.kind ?? (["staging", "production"].includes(name) ? name : "local")}`,
    "service:",
    ...Object.entries(service).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
    ...(spec.promotesFrom ? [`promotesFrom: ${spec.promotesFrom}`] : []),
    ...(spec.smoke ? [spec.smoke] : []),
  );
}

export const ENV_SCHEMA = lines(
  "version: 1",
  "variables:",
  "  BUILD_TARGET: { type: string, environmentName: true }",
  "  LOG_LEVEL: { type: string, default: info }",
  "  SESSION_SECRET: { type: string, secret: true }",
  "  PORT: { type: port, required: false, environmentSpecific: true }",
);

/** The seed outage: Dockerfile.minimal ships one server file, the dev script runs another. */
export const SEED_SOURCES = {
  "package.json": JSON.stringify(
    {
      name: "festival-chat",
      version: "1.0.0",
      scripts: { dev: "npm run server", server: "nodemon signaling-server-sqlite-enhanced.js" },
    },
    null,
    2,
  ),
  "Dockerfile.minimal": lines(
    "FROM node:20-slim",
    "WORKDIR /app",
    "COPY package.json ./",
    "RUN npm install --omit=dev",
    "COPY signaling-server-production.js ./server.js",
    'CMD ["node", "server.js"]',
  ),
  "signaling-server-production.js": "// socket.to(room)\n",
  "signaling-server-sqlite-enhanced.js": "// io.to(room)\n",
};

/** Sources that agree: everything runs server.js. */
export const CONSISTENT_SOURCES = {
  "package.json": JSON.stringify(
    { name: "chat", version: "1.0.0", scripts: { dev: "node server.js" } },
    null,
    2,
  ),
  "Dockerfile.minimal": lines(
    "FROM node:20-slim",
    "WORKDIR /app",
    "COPY server.js ./",
    'CMD ["node", "server.js"]',
  ),
  "server.js": "// io.to(room)\n",
};

export async function driftProject(options: {
  environments: Record<string, EnvSpec>;
  sources?: Record<string, string>;
  files?: Record<string, string>;
}): Promise<string> {
  const files: Record<string, string> = {
    ...(options.sources ?? CONSISTENT_SOURCES),
    "environments/env.schema.yaml": ENV_SCHEMA,
    ...options.files,
  };
  for (const [name, spec] of Object.entries(options.environments)) {
    files[`environments/${name}.yaml`] = environmentYaml(name, spec);
    const env = spec.env ?? {
      BUILD_TARGET: name,
      LOG_LEVEL: "info",
      SESSION_SECRET: `${name}-secret-value-123`,
    };
    files[`environments/.env.${name}`] = lines(...Object.entries(env).map(([k, v]) => `${k}=${v}`));
  }
  return testdir(files);
}
