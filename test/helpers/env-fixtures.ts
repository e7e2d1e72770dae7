import { environmentSchema } from "../../deploy/config/environment-schema.js";
import { parseYamlSource } from "../../deploy/config/yaml-source.js";
import { parseEnvSchema } from "../../deploy/envfiles/load-schema.js";
import { parseDotenv } from "../../deploy/envfiles/parse-dotenv.js";
import type { EnvironmentFacts, RuleContext } from "../../deploy/envfiles/rules/types.js";
import { webOriginsOf } from "../../deploy/envfiles/web-origins.js";

/** Relative path → content, as `testdir()` takes it. */
export type ProjectFiles = Record<string, string | Buffer>;

export const ENV_NAMES = ["local", "preview", "staging", "production"] as const;
export type EnvName = (typeof ENV_NAMES)[number];

export const SECRET_VALUES: Record<EnvName, string> = {
  local: "local-Zq8rVt2Lp9Wx4Nc7",
  preview: "preview-Hb3Ks6Dm1Fy8Qa5",
  staging: "staging-Rj7Tg2Xe9Uo4Pv1",
  production: "production-Wm5Cz8Ni3Lb6Ey0",
};

export const SERVER_URLS: Record<EnvName, string> = {
  local: "ws://localhost:8080",
  preview: "wss://echogate-chat-preview-a1b2c3d4e5-uc.a.run.app",
  staging: "wss://echogate-chat-staging-f6g7h8i9j0-uc.a.run.app",
  production: "wss://echogate-chat-k1l2m3n4o5-uc.a.run.app",
};

export const WEB_ORIGINS: Record<EnvName, string> = {
  local: "http://localhost:5173",
  preview: "https://echogate-demo--pr-42-x9y8z7w6.web.app",
  staging: "https://echogate-demo-staging.web.app,https://echogate-demo-staging.firebaseapp.com",
  production: "https://echogate-demo.web.app,https://echogate-demo.firebaseapp.com",
};

export const SCHEMA_FILE = "environments/env.schema.yaml";
export const envFilePath = (env: EnvName): string => `environments/.env.${env}`;
export const yamlPath = (env: EnvName): string => `environments/${env}.yaml`;

export const SCHEMA_YAML = `version: 1
variables:
  BUILD_TARGET:
    type: enum
    values: [local, preview, staging, production]
    environmentName: true
  NEXT_PUBLIC_SIGNALING_SERVER:
    type: url
    public: true
    realtimeServer: true
    protocols: { local: [ws, wss], default: [wss] }
  ALLOWED_ORIGINS:
    type: string
    corsOrigins: true
  ROOM_HISTORY_LIMIT:
    type: int
    min: 0
    default: 50
  LOG_LEVEL:
    type: enum
    values: [debug, info, warn, error]
    default: info
  SESSION_SECRET:
    type: string
    secret: true
  SIGNALING_SERVER_URL:
    type: url
    sameAs: NEXT_PUBLIC_SIGNALING_SERVER
  NEXT_PUBLIC_APP_NAME:
    type: string
    public: true
  PORT:
    type: port
    required: false
    environmentSpecific: true
`;

/** Key order of every fixture env file; line N+2 holds ENV_KEYS[N] (line 1 is a comment). */
export const ENV_KEYS = [
  "BUILD_TARGET",
  "NEXT_PUBLIC_SIGNALING_SERVER",
  "ALLOWED_ORIGINS",
  "ROOM_HISTORY_LIMIT",
  "LOG_LEVEL",
  "SESSION_SECRET",
  "SIGNALING_SERVER_URL",
  "NEXT_PUBLIC_APP_NAME",
  "PORT",
] as const;
export type EnvKey = (typeof ENV_KEYS)[number];
export const lineOfKey = (key: EnvKey): number => ENV_KEYS.indexOf(key) + 2;

function envValues(env: EnvName): Partial<Record<EnvKey, string>> {
  return {
    BUILD_TARGET: env,
    NEXT_PUBLIC_SIGNALING_SERVER: SERVER_URLS[env],
    ALLOWED_ORIGINS: WEB_ORIGINS[env],
    ROOM_HISTORY_LIMIT: "50",
    LOG_LEVEL: env === "local" ? "debug" : "info",
    SESSION_SECRET: SECRET_VALUES[env],
    SIGNALING_SERVER_URL: SERVER_URLS[env],
    NEXT_PUBLIC_APP_NAME: "Echogate chat",
    ...(env === "local" ? { PORT: "8080" } : {}),
  };
}

/** An env file with one key per line in ENV_KEYS order; `undefined` leaves the line blank (keeps numbering). */
export function envFileText(
  env: EnvName,
  overrides: Partial<Record<EnvKey, string | undefined>> = {},
): string {
  const values = { ...envValues(env), ...overrides };
  const lines = [`# ${env} settings`];
  for (const key of ENV_KEYS) {
    const value = values[key];
    lines.push(value === undefined ? "" : `${key}=${value}`);
  }
  return `${lines.join("\n")}\n`;
}

export function environmentYaml(env: EnvName): string {
  const hosting =
    env === "local"
      ? "hosting:\n  provider: local\n  site: echogate-local\n  origins: [http://localhost:5173]\n"
      : env === "preview"
        ? "hosting:\n  provider: firebase\n  site: echogate-demo\n  channel: pr-42\n"
        : `hosting:\n  provider: firebase\n  site: ${env === "staging" ? "echogate-demo-staging" : "echogate-demo"}\n`;
  return [
    `kind: ${env}`,
    "service:",
    "  endpoint: google",
    "  project: echogate-demo",
    "  regions: [us-central1]",
    `  name: ${env === "production" ? "echogate-chat" : `echogate-chat-${env}`}`,
    `  envFile: .env.${env}`,
    hosting + (env === "production" ? "promotesFrom: staging\n" : ""),
  ].join("\n");
}

/** A valid four-environment project: `echogate check` exits 0 on it. */
export function validEnvProject(): ProjectFiles {
  const files: ProjectFiles = { [SCHEMA_FILE]: SCHEMA_YAML };
  for (const env of ENV_NAMES) {
    files[yamlPath(env)] = environmentYaml(env);
    files[envFilePath(env)] = envFileText(env);
  }
  return files;
}

export function withEnv(env: EnvName, overrides: Partial<Record<EnvKey, string | undefined>>): ProjectFiles {
  return { ...validEnvProject(), [envFilePath(env)]: envFileText(env, overrides) };
}

export function withFile(path: string, content: string | Buffer): ProjectFiles {
  return { ...validEnvProject(), [path]: content };
}

/** 1-based line of the first line containing `needle`. */
export function lineContaining(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  if (index === -1) throw new Error(`"${needle}" not in text`);
  return index + 1;
}

export interface BrokenVariant {
  name: string;
  files: () => ProjectFiles;
  exitCode: 1 | 2;
  code: string;
  file: string;
  /** Expected line in `file`; undefined when the problem has no line (missing key, whole-file refusal). */
  line?: number;
  key?: string;
}

const schemaWith = (text: string): ProjectFiles => withFile(SCHEMA_FILE, text);

/** One broken project per rule, then the bad-input list. */
export const brokenVariants: BrokenVariant[] = [
  {
    name: "same-key-set: production lacks an optional key the others set",
    files: () => withEnv("production", { ROOM_HISTORY_LIMIT: undefined }),
    exitCode: 1,
    code: "same-key-set",
    file: envFilePath("production"),
    key: "ROOM_HISTORY_LIMIT",
  },
  {
    name: "environment-name: production says BUILD_TARGET=staging",
    files: () => withEnv("production", { BUILD_TARGET: "staging" }),
    exitCode: 1,
    code: "environment-name",
    file: envFilePath("production"),
    line: lineOfKey("BUILD_TARGET"),
    key: "BUILD_TARGET",
  },
  {
    name: "realtime-server-target: production points at staging's server",
    files: () =>
      withEnv("production", {
        NEXT_PUBLIC_SIGNALING_SERVER: SERVER_URLS.staging,
        SIGNALING_SERVER_URL: SERVER_URLS.staging,
      }),
    exitCode: 1,
    code: "realtime-server-target.other-environment",
    file: envFilePath("production"),
    line: lineOfKey("NEXT_PUBLIC_SIGNALING_SERVER"),
    key: "NEXT_PUBLIC_SIGNALING_SERVER",
  },
  {
    name: "realtime-server-target: staging points at localhost",
    files: () =>
      withEnv("staging", {
        NEXT_PUBLIC_SIGNALING_SERVER: "wss://localhost:8080",
        SIGNALING_SERVER_URL: "wss://localhost:8080",
      }),
    exitCode: 1,
    code: "realtime-server-target.loopback",
    file: envFilePath("staging"),
    line: lineOfKey("NEXT_PUBLIC_SIGNALING_SERVER"),
    key: "NEXT_PUBLIC_SIGNALING_SERVER",
  },
  {
    name: "cors-covers-web-host: production allows only staging's web host",
    files: () => withEnv("production", { ALLOWED_ORIGINS: WEB_ORIGINS.staging }),
    exitCode: 1,
    code: "cors-covers-web-host",
    file: envFilePath("production"),
    line: lineOfKey("ALLOWED_ORIGINS"),
    key: "ALLOWED_ORIGINS",
  },
  {
    name: "public-not-secret: a live key in a public variable",
    files: () => withEnv("staging", { NEXT_PUBLIC_APP_NAME: "sk_live_4eC39HqLyjWDarjtT1zdp7dc" }),
    exitCode: 1,
    code: "public-not-secret.value",
    file: envFilePath("staging"),
    line: lineOfKey("NEXT_PUBLIC_APP_NAME"),
    key: "NEXT_PUBLIC_APP_NAME",
  },
  {
    name: "public-not-secret: a variable marked public and secret",
    files: () =>
      schemaWith(SCHEMA_YAML.replace("    secret: true\n", "    secret: true\n    public: true\n")),
    exitCode: 1,
    code: "public-not-secret",
    file: SCHEMA_FILE,
    line: lineContaining(SCHEMA_YAML, "SESSION_SECRET:") + 3,
    key: "SESSION_SECRET",
  },
  {
    name: "value-types: int that isn't a number",
    files: () => withEnv("staging", { ROOM_HISTORY_LIMIT: "lots" }),
    exitCode: 1,
    code: "value-types.invalid",
    file: envFilePath("staging"),
    line: lineOfKey("ROOM_HISTORY_LIMIT"),
    key: "ROOM_HISTORY_LIMIT",
  },
  {
    name: "value-types: enum value not allowed",
    files: () => withEnv("staging", { LOG_LEVEL: "verbose" }),
    exitCode: 1,
    code: "value-types.invalid",
    file: envFilePath("staging"),
    line: lineOfKey("LOG_LEVEL"),
    key: "LOG_LEVEL",
  },
  {
    name: "value-types: ws:// outside local (protocols)",
    files: () =>
      withEnv("staging", {
        NEXT_PUBLIC_SIGNALING_SERVER: SERVER_URLS.staging.replace("wss:", "ws:"),
        SIGNALING_SERVER_URL: SERVER_URLS.staging.replace("wss:", "ws:"),
      }),
    exitCode: 1,
    code: "value-types.invalid",
    file: envFilePath("staging"),
    line: lineOfKey("NEXT_PUBLIC_SIGNALING_SERVER"),
    key: "NEXT_PUBLIC_SIGNALING_SERVER",
  },
  {
    name: "value-types: required key missing",
    files: () => withEnv("preview", { SESSION_SECRET: undefined }),
    exitCode: 1,
    code: "value-types.missing",
    file: envFilePath("preview"),
    key: "SESSION_SECRET",
  },
  {
    name: "value-types: key not declared in the schema",
    files: () => withFile(envFilePath("staging"), `${envFileText("staging")}DEBUG_MODE=1\n`),
    exitCode: 1,
    code: "value-types.undeclared",
    file: envFilePath("staging"),
    line: ENV_KEYS.length + 2,
    key: "DEBUG_MODE",
  },
  {
    name: "same-as: a copy that differs from its source",
    files: () =>
      withEnv("staging", {
        SIGNALING_SERVER_URL: "wss://echogate-chat-staging-f6g7h8i9j0-uc.a.run.app/other",
      }),
    exitCode: 1,
    code: "same-as",
    file: envFilePath("staging"),
    line: lineOfKey("SIGNALING_SERVER_URL"),
    key: "SIGNALING_SERVER_URL",
  },
  // Bad input: config files (exit 2).
  {
    name: "malformed YAML",
    files: () => withFile(yamlPath("staging"), "kind: staging\nservice: [unclosed\n  name: x\n"),
    exitCode: 2,
    code: "yaml.",
    file: yamlPath("staging"),
    line: 2,
  },
  {
    name: "YAML anchor bomb",
    files: () => withFile(yamlPath("staging"), anchorBomb()),
    exitCode: 2,
    code: "yaml.aliases",
    file: yamlPath("staging"),
  },
  {
    name: "5 MB YAML file",
    files: () => withFile(yamlPath("staging"), `kind: staging\n# ${"x".repeat(5 * 1024 * 1024)}\n`),
    exitCode: 2,
    code: "yaml.too-large",
    file: yamlPath("staging"),
  },
  {
    name: "5 MB env schema",
    files: () => schemaWith(`${SCHEMA_YAML}# ${"x".repeat(5 * 1024 * 1024)}\n`),
    exitCode: 2,
    code: "yaml.too-large",
    file: SCHEMA_FILE,
  },
  {
    name: "unknown key in an environment",
    files: () =>
      withFile(
        yamlPath("staging"),
        environmentYaml("staging").replace("  envFile:", "  envFlie: x\n  envFile:"),
      ),
    exitCode: 2,
    code: "config.unknown-key",
    file: yamlPath("staging"),
    line: 7,
    key: "service.envFlie",
  },
  {
    name: "wrong type in an environment",
    files: () =>
      withFile(
        yamlPath("staging"),
        environmentYaml("staging").replace("  envFile:", "  port: eighty\n  envFile:"),
      ),
    exitCode: 2,
    code: "config.invalid-type",
    file: yamlPath("staging"),
    line: 7,
    key: "service.port",
  },
  {
    name: "unknown field in the env schema",
    files: () =>
      schemaWith(SCHEMA_YAML.replace("    corsOrigins: true\n", "    corsOrigins: true\n    secert: true\n")),
    exitCode: 2,
    code: "config.unknown-key",
    file: SCHEMA_FILE,
    line: lineContaining(SCHEMA_YAML, "corsOrigins: true") + 1,
    key: "variables.ALLOWED_ORIGINS.secert",
  },
  {
    name: "env schema referencing an undefined variable",
    files: () => schemaWith(SCHEMA_YAML.replace("sameAs: NEXT_PUBLIC_SIGNALING_SERVER", "sameAs: NOPE")),
    exitCode: 2,
    code: "envschema.invalid",
    file: SCHEMA_FILE,
    line: lineContaining(SCHEMA_YAML, "sameAs:"),
    key: "variables.SIGNALING_SERVER_URL.sameAs",
  },
  {
    name: "env schema with a wrong variable type",
    files: () => schemaWith(SCHEMA_YAML.replace("type: port", "type: number")),
    exitCode: 2,
    code: "config.invalid-value",
    file: SCHEMA_FILE,
    line: lineContaining(SCHEMA_YAML, "type: port"),
    key: "variables.PORT.type",
  },
  // Bad input: env files (exit 1).
  {
    name: "env file with a NUL byte",
    files: () =>
      withFile(
        envFilePath("staging"),
        Buffer.from(envFileText("staging").replace("LOG_LEVEL", "LOG\0LEVEL")),
      ),
    exitCode: 1,
    code: "env.nul-byte",
    file: envFilePath("staging"),
    line: lineOfKey("LOG_LEVEL"),
  },
  {
    name: "env file over 1 MB",
    files: () => withFile(envFilePath("staging"), `${envFileText("staging")}# ${"x".repeat(1024 * 1024)}\n`),
    // A file echogate refuses to read is a configuration error, like any other unreadable file.
    exitCode: 2,
    code: "env.too-large",
    file: envFilePath("staging"),
  },
  {
    name: "duplicate key",
    files: () => withFile(envFilePath("staging"), `${envFileText("staging")}LOG_LEVEL=warn\n`),
    exitCode: 1,
    code: "env.duplicate-key",
    file: envFilePath("staging"),
    line: ENV_KEYS.length + 2,
    key: "LOG_LEVEL",
  },
  {
    name: "unterminated quote",
    files: () => withEnv("staging", { NEXT_PUBLIC_APP_NAME: '"Echogate chat' }),
    exitCode: 1,
    code: "env.unterminated-quote",
    file: envFilePath("staging"),
    line: lineOfKey("NEXT_PUBLIC_APP_NAME"),
    key: "NEXT_PUBLIC_APP_NAME",
  },
  {
    name: "invalid key name",
    files: () => withFile(envFilePath("staging"), `${envFileText("staging")}2FA-MODE=on\n`),
    exitCode: 1,
    code: "env.invalid-key",
    file: envFilePath("staging"),
    line: ENV_KEYS.length + 2,
  },
  {
    name: "env file missing",
    files: () => {
      const files = validEnvProject();
      delete files[envFilePath("staging")];
      return files;
    },
    // A missing file is a configuration error (README: exit 2), not an env file that failed its checks.
    exitCode: 2,
    code: "env.missing-file",
    file: yamlPath("staging"),
    line: 7,
    key: "service.envFile",
  },
];

/** Nine levels of ten aliases each: ~10^9 nodes if expanded. */
export function anchorBomb(): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 9; level++) {
    const ref = `*a${level - 1}`;
    lines.push(`a${level}: &a${level} [${Array(10).fill(ref).join(",")}]`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The rule context for a project, built in memory (no disk), so rule tests
 * exercise pure functions on exactly what `echogate check` would see.
 */
export function ruleContext(files: ProjectFiles): RuleContext {
  const schema = parseEnvSchema(SCHEMA_FILE, String(files[SCHEMA_FILE]));
  if (!schema.schema) throw new Error(`fixture schema invalid: ${JSON.stringify(schema.diagnostics.items)}`);
  const environments: EnvironmentFacts[] = [];
  for (const env of ENV_NAMES) {
    const source = parseYamlSource(yamlPath(env), String(files[yamlPath(env)]));
    const config = environmentSchema.parse(source.value);
    const text = files[envFilePath(env)];
    const parsed = text === undefined ? undefined : parseDotenv(envFilePath(env), text);
    environments.push({
      name: env,
      kind: config.kind,
      file: yamlPath(env),
      config,
      locate: source.locate,
      envFile:
        parsed?.readable === true
          ? {
              file: envFilePath(env),
              entries: new Map(parsed.entries.map((entry) => [entry.key, entry])),
              complete: parsed.complete,
            }
          : undefined,
      webOrigins: webOriginsOf(config.hosting),
    });
  }
  return { schema: schema.schema, environments };
}
