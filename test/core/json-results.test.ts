import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadCommonJs } from "../../deploy/core/code-cache.js";
import { ConfigError } from "../../deploy/core/errors.js";
import { Output } from "../../deploy/core/output.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

function jsonOutput() {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  const output = new Output({ json: true, stdout, stderr: new PassThrough() });
  return { output, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("every --json result", () => {
  it("starts with ok (true unless the result says otherwise) and schemaVersion", () => {
    const plain = jsonOutput();
    plain.output.result({ previews: [] }, () => "");
    expect(plain.text()).toMatch(/^\{\n {2}"ok": true,\n {2}"schemaVersion": 1,\n {2}"previews": \[\]/);
    const failed = jsonOutput();
    failed.output.result({ ok: false, findings: [1] }, () => "");
    expect(JSON.parse(failed.text())).toEqual({ ok: false, schemaVersion: 1, findings: [1] });
  });

  it("and the error envelope, too", () => {
    const { output, text } = jsonOutput();
    output.error(new ConfigError("config.invalid", "Can't read it.", { hint: "Fix it." }));
    expect(JSON.parse(text())).toMatchObject({
      ok: false,
      schemaVersion: 1,
      error: { code: "config.invalid" },
    });
  });

  it("emulator status says ok when the emulators are not running (it lacked ok before)", async () => {
    const cwd = await testdir({ "environments/local.yaml": "kind: local\n" });
    const run = await runEchogate(["emulator", "status", "--json"], {
      cwd,
      env: { XDG_STATE_HOME: join(cwd, "state"), XDG_RUNTIME_DIR: join(cwd, "run") },
    });
    expect(run.json()).toMatchObject({ ok: true, schemaVersion: 1, running: false });
  });
});

describe("an island requiring a sibling .cjs", () => {
  it("gets the one instance loadCommonJs holds (so the shared Google code is loaded once)", async () => {
    const dir = await testdir({});
    writeFileSync(
      join(dir, "shared-core.cjs"),
      "exports.made = {}; exports.loads = (globalThis.__coreLoads = (globalThis.__coreLoads ?? 0) + 1);",
    );
    writeFileSync(
      join(dir, "client-a.cjs"),
      'exports.core = require("./shared-core.cjs"); exports.path = require("node:path").sep;',
    );
    const core = loadCommonJs(join(dir, "shared-core.cjs")).exports;
    const client = loadCommonJs(join(dir, "client-a.cjs")).exports as {
      core: unknown;
      path: string;
    };
    expect(client.core).toBe(core);
    expect((core as { loads: number }).loads).toBe(1);
    expect(client.path).toBe("/");
  });
});
