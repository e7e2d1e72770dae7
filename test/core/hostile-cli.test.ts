import { join, resolve } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { environmentYaml, validEnvProject, withFile, yamlPath } from "../helpers/env-fixtures.js";
import { useLoopbackGoogle } from "../helpers/loopback-google.js";
import { testdir } from "../helpers/testdir.js";

const ROOT = resolve(import.meta.dirname, "../..");
const google = useLoopbackGoogle();
/** A stack frame (`    at fn (file:1:2)`), echogate's own bundle (`dist/…js:1:23456`) or Node's internals. */
const STACK = /^\s+at .+|dist\/[\w./-]*\.(?:c|m)?js:\d+|node:internal|\{"version":3/m;

interface HostileCase {
  name: string;
  files: Record<string, string | Buffer>;
  argv: string[];
  exitCode: number;
  /** What stderr must name: the file (and line) or the cause. */
  says: string[];
}

const CASES: HostileCase[] = [
  {
    name: "bad YAML in an environment file",
    files: withFile(yamlPath("staging"), `${environmentYaml("staging")}service: [unclosed\n`),
    argv: ["check"],
    exitCode: 2,
    says: ["environments/staging.yaml:"],
  },
  {
    name: "an env file with an unterminated quote",
    files: withFile("environments/.env.staging", 'BUILD_TARGET=staging\nSESSION_SECRET="never closed\n'),
    argv: ["check"],
    exitCode: 1,
    says: ["environments/.env.staging:2"],
  },
  {
    name: "an env file that is binary garbage",
    files: withFile("environments/.env.staging", Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a, 0x3d, 0x3d])),
    argv: ["check"],
    exitCode: 1,
    says: ["environments/.env.staging"],
  },
  {
    name: "a drift.yaml that isn't YAML",
    files: withFile("environments/drift.yaml", "rules: {unclosed\n"),
    argv: ["drift", "--source"],
    exitCode: 2,
    says: ["environments/drift.yaml:"],
  },
  {
    name: "a hosting origin without a scheme",
    files: withFile(
      yamlPath("staging"),
      environmentYaml("staging").replace(
        "  site: echogate-demo-staging\n",
        "  site: echogate-demo-staging\n  origins: [chat.example.com]\n",
      ),
    ),
    argv: ["check"],
    exitCode: 2,
    says: ["environments/staging.yaml:", "origins"],
  },
  {
    name: "an unreachable server for smoke",
    files: validEnvProject(),
    argv: ["smoke", "http://127.0.0.1:9", "--timeout", "300"],
    exitCode: 1,
    says: ["connection refused"],
  },
  {
    name: "Google with no credentials (status)",
    files: validEnvProject(),
    argv: ["status", "staging"],
    exitCode: 3,
    says: ["gcloud auth application-default login"],
  },
  {
    name: "Google with no credentials (logs)",
    files: validEnvProject(),
    argv: ["logs", "staging", "--revision", "echogate-chat-staging-00001-abc"],
    exitCode: 3,
    says: ["gcloud auth application-default login"],
  },
  {
    name: "a server entry that doesn't compile (build)",
    files: {
      ...validEnvProject(),
      "package.json": JSON.stringify({ name: "x", version: "1.0.0", scripts: { dev: "node server.js" } }),
      "environments/echogate.yaml": "layout:\n  serverEntry: server.js\n",
      "server.js": "const x = ;\n",
    },
    argv: ["build"],
    exitCode: 2,
    says: ["error server.js:1:11: Can't bundle the server entry server.js"],
  },
  {
    name: "an unknown command",
    files: validEnvProject(),
    argv: ["deplyo", "staging"],
    exitCode: 2,
    says: ["deploy"],
  },
];

describe("every error path is clean: documented exit code, short stderr, no stack or bundle text", () => {
  it.each(CASES)(
    "$name",
    async (hostile) => {
      const project = await testdir(hostile.files);
      const run = await execa(
        process.execPath,
        [join(ROOT, "bin/echogate.js"), ...hostile.argv, "--cwd", project],
        {
          reject: false,
          env: google.env({ HOME: project, CLOUDSDK_CONFIG: join(project, ".gcloud") }),
          extendEnv: false,
          timeout: 60_000,
        },
      );
      const where = `${hostile.argv.join(" ")} →\n${run.stderr.slice(0, 3000)}`;
      expect(run.exitCode, where).toBe(hostile.exitCode);
      expect(run.stderr, where).not.toMatch(STACK);
      expect(run.stderr.length, where).toBeLessThan(2_000);
      // The verdict of a gate or a status table goes to stdout; the error and its hint to stderr.
      for (const text of hostile.says) expect(run.stdout + run.stderr, where).toContain(text);
    },
    90_000,
  );
});

describe("--cwd", () => {
  it("a relative --cwd works like an absolute one (esbuild needs an absolute working directory)", async () => {
    const project = await testdir({
      "package.json": JSON.stringify({ name: "x", version: "1.0.0", scripts: { dev: "node server.js" } }),
      "environments/echogate.yaml": "layout:\n  serverEntry: server.js\n",
      "server.js": 'require("node:http").createServer().listen(process.env.PORT);\n',
    });
    const run = await execa(
      process.execPath,
      [join(ROOT, "bin/echogate.js"), "build", "--cwd", ".", "--json"],
      {
        reject: false,
        cwd: project,
        env: google.env({ HOME: project }),
        extendEnv: false,
        timeout: 60_000,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, mode: "bundle", entry: "server.js" });
  }, 90_000);
});
