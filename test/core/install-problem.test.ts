import { execFile } from "node:child_process";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { InstallError } from "../../deploy/core/install-problem.js";
import { Output } from "../../deploy/core/output.js";
import { toPlatformError } from "../../deploy/platform/cloudrun/api-errors.js";
import { testdir } from "../helpers/testdir.js";

const execFileAsync = promisify(execFile);

/**
 * The error Node's own loader throws for `specifier` (in a child: the test runner's loader would
 * paper over a missing default export), rebuilt with its name, code and message.
 */
async function loadFailure(specifier: string): Promise<unknown> {
  const script = `import(${JSON.stringify(specifier)}).then(() => console.log("null"), (e) => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })))`;
  const { stdout } = await execFileAsync(process.execPath, ["--input-type=module", "-e", script]);
  const facts = JSON.parse(stdout) as { name: string; code?: string; message: string } | null;
  if (!facts) throw new Error(`${specifier} loaded`);
  return Object.assign(
    facts.name === "SyntaxError" ? new SyntaxError(facts.message) : new Error(facts.message),
    {
      ...(facts.code ? { code: facts.code } : {}),
    },
  );
}

/** What a host's npm override of node-domexception (an ESM copy without a default export) does. */
async function overriddenDomException(): Promise<unknown> {
  const dir = await testdir({
    "node_modules/node-domexception/package.json": JSON.stringify({
      name: "node-domexception",
      type: "module",
      exports: "./index.js",
    }),
    "node_modules/node-domexception/index.js": "export const DOMException = globalThis.DOMException;\n",
    "fetch-blob.mjs": 'import DOMException from "node-domexception";\nexport default DOMException;\n',
  });
  return loadFailure(pathToFileURL(`${dir}/fetch-blob.mjs`).href);
}

function capture(): { output: Output; stderr: () => string; stdout: () => string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on("data", (chunk: Buffer) => out.push(chunk));
  const stderr = new PassThrough().on("data", (chunk: Buffer) => err.push(chunk));
  return {
    output: new Output({ stdout, stderr }),
    stdout: () => Buffer.concat(out).toString("utf8"),
    stderr: () => Buffer.concat(err).toString("utf8"),
  };
}

describe("a module that fails to load is an install problem", () => {
  it("an overridden dependency without the export the client needs: names it, exit 2, no platform hint", async () => {
    const error = toPlatformError(await overriddenDomException(), "list revisions of chat-staging");
    expect(error).toBeInstanceOf(InstallError);
    expect(error.exitCode).toBe(2);
    expect(error.code).toBe("install.module-load");
    expect(error.message).toContain('"node-domexception"');
    expect(error.message).toContain('export "default"');
    expect(error.hint).toContain("overrides");
    expect(`${error.message} ${error.hint}`).not.toMatch(/Cloud Run|console/);
  });

  it("a package that is not installed (esbuild for `build`): the handler's load error exits 2 naming it", async () => {
    const { output, stderr } = capture();
    const code = output.error(await loadFailure("esbuild-not-installed-here"));
    expect(code).toBe(2);
    expect(stderr()).toContain('Can\'t load the module "esbuild-not-installed-here"');
    expect(stderr()).toContain("install problem");
    expect(stderr()).not.toContain("Failed unexpectedly");
  });

  it("found behind a platform error's cause too, and reported in --json with the module", async () => {
    const wrapped = new Error("Failed to list services", { cause: await overriddenDomException() });
    const out: Buffer[] = [];
    const output = new Output({
      json: true,
      stdout: new PassThrough().on("data", (chunk: Buffer) => out.push(chunk)),
      stderr: new PassThrough().resume(),
    });
    expect(output.error(wrapped)).toBe(2);
    const doc = JSON.parse(Buffer.concat(out).toString("utf8")) as {
      error: { code: string; details: { module: string } };
    };
    expect(doc.error.code).toBe("install.module-load");
    expect(doc.error.details.module).toBe("node-domexception");
  });

  it("a deployed server's own load failure, quoted by the platform, stays a platform error", () => {
    const startFailure = Object.assign(
      new Error(
        "The user-provided container failed to start. Last stderr lines:\nSyntaxError: The requested module 'pg' does not provide an export named 'default'",
      ),
      { code: 9 },
    );
    expect(toPlatformError(startFailure, "create the revision").exitCode).toBe(3);
  });

  it("an ordinary API error stays a platform error (exit 3)", () => {
    const error = toPlatformError(Object.assign(new Error("boom"), { code: 14 }), "list services");
    expect(error.exitCode).toBe(3);
  });
});
