import { describe, expect, it } from "vitest";
import {
  envFilePath,
  SCHEMA_FILE,
  SCHEMA_YAML,
  SECRET_VALUES,
  validEnvProject,
  withEnv,
  withFile,
} from "../helpers/env-fixtures.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

async function everyOutput(
  files: Record<string, string | Buffer>,
): Promise<{ text: string; exitCodes: number[] }> {
  const cwd = await testdir(files);
  const runs = await Promise.all([
    runEchogate(["check"], { cwd }),
    runEchogate(["check", "--json"], { cwd }),
    runEchogate(["check", "--debug"], { cwd }),
    runEchogate(["check", "--env", "staging", "--json", "--debug"], { cwd }),
  ]);
  return {
    text: runs.map((run) => run.stdout + run.stderr).join("\n"),
    exitCodes: runs.map((run) => run.exitCode),
  };
}

describe("secret redaction in echogate check", () => {
  it("never prints secret values of a valid project", async () => {
    const { text, exitCodes } = await everyOutput(validEnvProject());
    expect(exitCodes).toEqual([0, 0, 0, 0]);
    for (const secret of Object.values(SECRET_VALUES)) expect(text).not.toContain(secret);
    expect(text).toContain("***");
  });

  it("never prints a secret that is itself invalid (a bad URL)", async () => {
    const secret = "postgres//admin:Pa55w0rd-leak@db";
    const schema = SCHEMA_YAML.replace(
      "  SESSION_SECRET:\n    type: string",
      "  SESSION_SECRET:\n    type: url",
    );
    const { text, exitCodes } = await everyOutput({
      ...withEnv("staging", { SESSION_SECRET: secret }),
      [SCHEMA_FILE]: schema,
    });
    expect(exitCodes).toEqual([1, 1, 1, 1]);
    expect(text).toContain("SESSION_SECRET (secret, value hidden)");
    expect(text).not.toContain(secret);
    expect(text).not.toContain("Pa55w0rd");
  });

  it("keeps secrets masked while the schema itself is broken", async () => {
    const schema = SCHEMA_YAML.replace("    secret: true\n", "    secret: true\n    secert: true\n");
    const { text, exitCodes } = await everyOutput({ ...validEnvProject(), [SCHEMA_FILE]: schema });
    expect(exitCodes).toEqual([2, 2, 2, 2]);
    for (const secret of Object.values(SECRET_VALUES)) expect(text).not.toContain(secret);
  });

  it("masks a credential found in a public variable", async () => {
    const leaked = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    const { text } = await everyOutput(withEnv("staging", { NEXT_PUBLIC_APP_NAME: leaked }));
    expect(text).toContain("public-not-secret.value");
    // Not even the part a shortened table cell would show.
    expect(text).not.toContain(leaked.slice(0, 16));
  });

  it("warns, by value, of a credential in a variable that is neither secret nor public, without printing it", async () => {
    const token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    const schema = `${SCHEMA_YAML.trimEnd()}\n  GREETING:\n    type: string\n    default: hello\n    environmentSpecific: true\n`;
    const { text, exitCodes } = await everyOutput({
      ...withEnv("staging", {}),
      [SCHEMA_FILE]: schema,
      [envFilePath("staging")]: `${withEnv("staging", {})[envFilePath("staging")]}GREETING=${token}\n`,
    });
    expect(exitCodes).toEqual([0, 0, 0, 0]);
    expect(text).toContain("credential-in-plain-variable");
    expect(text).toContain("GitHub token");
    expect(text).not.toContain(token.slice(0, 12));
  });

  it("refuses a public URL with a password in it, without printing the password", async () => {
    const { text, exitCodes } = await everyOutput(
      withEnv("staging", {
        NEXT_PUBLIC_SIGNALING_SERVER: "wss://chat:Hunter2pass@echogate-chat-staging-abc123-uc.a.run.app",
      }),
    );
    expect(exitCodes).toEqual([1, 1, 1, 1]);
    expect(text).toContain("a URL with a password in it");
    expect(text).not.toContain("Hunter2pass");
  });

  it("masks a secret inside another value, also where the table shortens the cell", async () => {
    const secret = SECRET_VALUES.staging;
    const { text } = await everyOutput(
      withEnv("staging", { NEXT_PUBLIC_APP_NAME: `postgres://app:${secret}@db/x` }),
    );
    expect(text).not.toContain(secret.slice(0, 10));
  });

  it("masks a long secret reused inside an invalid value (messages never shorten values)", async () => {
    const secret = "Kq9ZvX3mTp7Lw2Rn8Yb4Hd6Jc1Vf5Gx0Ns2Qe4Wr6Ty8Ui1Op3As5Df7Gh9Jk2Lz4Xc6Vb8";
    const { text, exitCodes } = await everyOutput(
      withEnv("staging", { SESSION_SECRET: secret, LOG_LEVEL: `x${secret}` }),
    );
    expect(exitCodes).toEqual([1, 1, 1, 1]);
    // The whole value is masked now: it looks like a credential itself (a random 60-char token).
    expect(text).toMatch(/LOG_LEVEL="x?\*\*\*"/);
    expect(text).not.toContain(secret.slice(0, 12));
  });

  it("masks a multiline secret (PEM) in every form", async () => {
    const pem = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----";
    const { text, exitCodes } = await everyOutput(withEnv("production", { SESSION_SECRET: `"${pem}"` }));
    expect(exitCodes).toEqual([0, 0, 0, 0]);
    expect(text).not.toContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC");
  });
});

describe("line endings and BOM", () => {
  it("refuses CRLF with exit 1, naming the file and line, and nothing else goes wrong", async () => {
    const crlf = String(validEnvProject()[envFilePath("staging")]).replaceAll("\n", "\r\n");
    const cwd = await testdir(withFile(envFilePath("staging"), crlf));
    const run = await runEchogate(["check"], { cwd });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`error[env.crlf] ${envFilePath("staging")}:1`);
    expect(run.stdout).toContain("1 error, 0 warnings");
  });

  it("refuses a UTF-8 BOM with exit 1 on line 1, the keys still read correctly", async () => {
    const text = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(String(validEnvProject()[envFilePath("staging")])),
    ]);
    const cwd = await testdir(withFile(envFilePath("staging"), text));
    const run = await runEchogate(["check"], { cwd });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`error[env.bom] ${envFilePath("staging")}:1`);
    expect(run.stdout).toContain("1 error, 0 warnings");
  });
});
