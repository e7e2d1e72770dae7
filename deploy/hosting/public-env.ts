import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../core/errors.js";
import { parseDotenv } from "../envfiles/parse-dotenv.js";

// Interim reader until deploy/envfiles exposes a loader: the env file's public variables,
// and which of them name a realtime server (env.schema.yaml `public` / `realtimeServer`).

export interface PublicEnv {
  vars: Record<string, string>;
  /** Keys whose value is this environment's realtime server URL. */
  realtimeKeys: string[];
}

const PUBLIC_PREFIX = /^(NEXT_PUBLIC_|PUBLIC_|VITE_)/;

export async function readPublicEnv(projectDir: string, envFile: string): Promise<PublicEnv> {
  const dir = join(projectDir, "environments");
  let text: string;
  try {
    text = await readFile(join(dir, envFile), "utf8");
  } catch {
    throw new ConfigError("env.missing-file", `Can't read environments/${envFile}.`, {
      hint: "Create the env file, or fix service.envFile in environments/<env>.yaml.",
    });
  }
  const parsed = parseDotenv(`environments/${envFile}`, text);
  const schema = await readSchema(join(dir, "env.schema.yaml"));
  const vars: Record<string, string> = {};
  const realtimeKeys: string[] = [];
  for (const entry of parsed.entries) {
    const spec = schema?.[entry.key];
    const isPublic = spec ? spec.public === true : PUBLIC_PREFIX.test(entry.key);
    if (!isPublic || spec?.secret === true) continue;
    vars[entry.key] = entry.value;
    if (spec?.realtimeServer === true) realtimeKeys.push(entry.key);
  }
  return { vars, realtimeKeys };
}

/** Every URL-looking value in an env file: used to recognise another environment's servers. */
export async function readEnvUrls(projectDir: string, envFile: string): Promise<string[]> {
  const text = await readFile(join(projectDir, "environments", envFile), "utf8").catch(() => "");
  return parseDotenv(envFile, text)
    .entries.map((entry) => entry.value)
    .filter((value) => /^(https?|wss?):\/\//.test(value));
}

type VariableFlags = { public?: boolean; secret?: boolean; realtimeServer?: boolean };

async function readSchema(file: string): Promise<Record<string, VariableFlags> | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const value = parse(text) as { variables?: Record<string, VariableFlags> } | null;
  return value?.variables ?? undefined;
}
