// Journey: npm pack, npm install and tsc --strict in a project of its own.
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validEnvProject } from "../helpers/env-fixtures.js";
import { testdir } from "../helpers/testdir.js";
import { packEchogate, removeCreated } from "../init/foreign-project.js";

// The programmatic API as a TypeScript user gets it: the packed tarball installed into a project
// of its own, an import compiled under `tsc --strict` against dist/index.d.ts, then run.

const ROOT = resolve(import.meta.dirname, "../..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const npmEnv = {
  ...process.env,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

const CONSUMER = `import {
  check,
  detectWebMode,
  type CheckProblem,
  type CheckResult,
  type DriftResult,
  type EchogateEvent,
  type EchogateResult,
  type ErrorEnvelope,
  type PromotionResult,
  type RunOptions,
  type StatusResult,
  type WebModeProposal,
  deploy,
  drift,
  promote,
  smoke,
  status,
} from "echogate";

const events: EchogateEvent[] = [];
const options: RunOptions = { cwd: process.argv[2]!, onEvent: (event) => events.push(event) };
const result: CheckResult = await check(options);
const problems: CheckProblem[] = result.problems ?? [];
const failure: ErrorEnvelope | undefined = result.error;
const ok: boolean = result.ok;
const version: number = result.schemaVersion;
const proposal: WebModeProposal = detectWebMode({ devDependencies: { vite: "^8" } }, ["vite.config.ts"]);
const capabilities: Array<(o: never) => Promise<EchogateResult>> = [deploy, promote, smoke, drift, status];
const dryRun: (o: RunOptions & { environment: string }) => Promise<PromotionResult> = deploy;
const reports: [(o?: RunOptions) => Promise<DriftResult>, (o?: RunOptions) => Promise<StatusResult>] = [drift, status];
console.log(JSON.stringify({ result, ok, version, problems: problems.length, failure: failure ?? null, mode: proposal.mode, capabilities: capabilities.length + reports.length - 2, dryRun: typeof dryRun }));
`;

let consumer: string;

beforeAll(async () => {
  const tarball = await packEchogate();
  consumer = await testdir({
    "package.json": JSON.stringify({ name: "consumer", private: true, type: "module" }),
    "tsconfig.json": JSON.stringify({
      compilerOptions: {
        strict: true,
        target: "es2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        types: ["node"],
        outDir: "out",
        noEmitOnError: true,
      },
      include: ["src"],
    }),
    "src/main.ts": CONSUMER,
    // docs/reference.md's example compiles as written (it is only compiled, never run).
    "src/docs-example.ts": (await readFile(join(ROOT, "docs/reference.md"), "utf8")).match(
      /### Programmatic API[\s\S]*?```ts\n([\s\S]*?)```/,
    )![1]!,
  });
  await execa("npm", ["install", "--prefer-offline", tarball], { cwd: consumer, env: npmEnv });
  // Node's own types, as a Node project has them (echogate's types need none of its internals).
  await mkdir(join(consumer, "node_modules/@types"), { recursive: true });
  await symlink(join(ROOT, "node_modules/@types/node"), join(consumer, "node_modules/@types/node"));
}, 180_000);
afterAll(removeCreated);

describe("the packed package's programmatic API", () => {
  it("declares exports with import and types, and ships dist/index.d.ts without internals", async () => {
    const installed = join(consumer, "node_modules/echogate");
    const pkg = JSON.parse(await readFile(join(installed, "package.json"), "utf8")) as {
      exports: Record<string, { types?: string; import?: string }>;
    };
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js" });
    const types = await readFile(join(installed, "dist/index.d.ts"), "utf8");
    expect(types).not.toMatch(/^import /m);
    for (const name of ["check", "deploy", "promote", "smoke", "drift", "status", "detectWebMode"])
      expect(types).toContain(`export declare function ${name}(`);
  });

  it("compiles an import under tsc --strict (and refuses a misuse), and check() returns what `check --json` prints", async () => {
    // One tsc run (it reads @types/node once): main.ts must compile cleanly, wrong.ts must not.
    await writeFile(
      join(consumer, "src/wrong.ts"),
      `import { check } from "echogate";\nexport const n: number = (await check()).ok;\n`,
    );
    const compiled = await execa(process.execPath, [TSC, "-p", consumer, "--noEmitOnError", "false"], {
      cwd: consumer,
      reject: false,
    });
    const errors = compiled.stdout.split("\n").filter((line) => /error TS\d+/.test(line));
    expect(errors).toEqual([
      expect.stringMatching(
        /^src\/wrong\.ts\(2,\d+\): error TS2322: Type 'boolean' is not assignable to type 'number'/,
      ),
    ]);
    const project = await testdir(validEnvProject());
    const env = { ...process.env, NO_COLOR: "1" };
    const run = await execa(process.execPath, [join(consumer, "out/main.js"), project], {
      cwd: consumer,
      env,
    });
    const printed = JSON.parse(run.stdout) as {
      result: unknown;
      ok: boolean;
      version: number;
      mode: string;
      capabilities: number;
    };
    expect(printed).toMatchObject({ ok: true, version: 1, mode: "template", capabilities: 5 });
    const cli = await execa(join(consumer, "node_modules/.bin/echogate"), ["check", "--json"], {
      cwd: project,
      env,
    });
    expect(printed.result).toEqual(JSON.parse(cli.stdout));
  }, 90_000);
});
