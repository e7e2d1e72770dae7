import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SmokeResult } from "../../deploy/smoke/result.js";
import type { RunningServer } from "../../server/src/start-server.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";
import { startReference, VERSION } from "./helpers.js";

let good: RunningServer;
let outage: RunningServer;
let cwd: string;

beforeAll(async () => {
  good = await startReference({ K_REVISION: "chat-00002-abc" });
  outage = await startReference({ ECHOGATE_FAULT: "exclude-sender" });
  cwd = await testdir({
    "fast.yaml": "health:\n  timeoutMs: 2000\necho:\n  timeoutMs: 300\n",
    "bad.yaml": "health:\n  path: /health\necho:\n  protocol: mqtt\n  clients: 1\n",
    "crowd.yaml": "echo:\n  clients: 51\n",
    "twelve.yaml": "health:\n  timeoutMs: 2000\necho:\n  clients: 12\n  timeoutMs: 2000\n",
    "wrong-path.yaml": "health:\n  timeoutMs: 2000\necho:\n  path: /nope\n  timeoutMs: 1000\n",
    "template.yaml": [
      "echo:",
      "  send:",
      "    payload: { type: chat-message, roomId: '{{room}}', message: { id: '{{nonse}}' } }",
      "  expect:",
      "    match: { type: chat-message }",
      "",
    ].join("\n"),
    "environments/staging.yaml": [
      "kind: staging",
      "service:",
      "  project: demo",
      "  regions: [us-central1]",
      "  name: chat",
      "  envFile: .env.staging",
      "smoke:",
      "  echo:",
      "    clients: 3",
      "    timeoutMs: 300",
      "",
    ].join("\n"),
  });
});
afterAll(async () => {
  await Promise.all([good.close(), outage.close()]);
});

describe("echogate smoke", () => {
  it("exits 0 and prints a table of checks", async () => {
    const run = await runEchogate(["smoke", good.url, "--expect-version", VERSION], { cwd });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^smoke passed http:\/\/127\.0\.0\.1:\d+ \(ws-json, /);
    for (const name of ["health", "connect", "join", "echo"])
      expect(run.stdout).toMatch(new RegExp(`✔ ${name}\\s+[\\d.]+ ms`));
    expect(run.stdout).toContain("echo latency  smoke-1");
  });

  it("--json prints { ok, url, version, revision, checks, latencies }", async () => {
    const run = await runEchogate(
      ["smoke", good.url, "--expect-version", VERSION, "--expect-revision", "chat-00002-abc", "--json"],
      { cwd },
    );
    expect(run.exitCode).toBe(0);
    const result = run.json<SmokeResult>();
    expect(result).toMatchObject({ ok: true, url: good.url, version: VERSION, revision: "chat-00002-abc" });
    for (const check of result.checks) {
      expect(Object.keys(check).sort()).toEqual(["detail", "ms", "name", "ok", "status"]);
    }
    expect(Object.keys(result.latencies).sort()).toEqual(["connectMs", "echoMs", "healthMs", "joinMs"]);
    // progress is NDJSON on stderr
    const events = run.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string; check?: string });
    // Each check is opened and closed by the same pair of names the promotion gate writes.
    const checks = result.checks.map((check) => check.name);
    expect(events.filter((e) => e.event === "smoke.check.start").map((e) => e.check)).toEqual(checks);
    const done = events.filter((e) => e.event === "smoke.check.done");
    expect(done).toEqual(
      result.checks.map(({ name, ok, status, ms, detail }) =>
        expect.objectContaining({ check: name, ok, status, ms, detail }),
      ),
    );
  });

  it("exits 1 on the outage, names the sender, and writes JUnit XML", async () => {
    const run = await runEchogate(
      [
        "smoke",
        outage.url,
        "--expect-version",
        VERSION,
        "--spec",
        "fast.yaml",
        "--junit",
        "out/../smoke.xml",
      ],
      { cwd },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^smoke refused/);
    expect(run.stdout).toContain("the sender (smoke-1) did not receive its own message within 300 ms");
    const xml = await readFile(join(cwd, "smoke.xml"), "utf8");
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    const suite =
      /<testsuite name="[^"]+" tests="(\d+)" failures="(\d+)" errors="0" skipped="(\d+)" time="[\d.]+">/.exec(
        xml,
      );
    expect(suite?.slice(1)).toEqual(["4", "1", "0"]);
    const cases = [
      ...xml.matchAll(
        /<testcase classname="echogate\.smoke" name="(\w+)" time="[\d.]+">([\s\S]*?)<\/testcase>/g,
      ),
    ];
    expect(cases.map((c) => c[1])).toEqual(["health", "connect", "join", "echo"]);
    const failure = /<failure message="([^"]*)" type="smoke\.echo">/.exec(cases[3]![2]!);
    expect(failure?.[1]).toContain("the sender (smoke-1) did not receive its own message");
    // well-formed enough: every opened element is closed
    expect((xml.match(/<testcase /g) ?? []).length).toBe((xml.match(/<\/testcase>/g) ?? []).length);
    expect(xml.trim().endsWith("</testsuites>")).toBe(true);
  });

  it("exits 1 on a version mismatch with both versions in the output", async () => {
    const run = await runEchogate(["smoke", good.url, "--expect-version", "9.9.9+fffffff"], { cwd });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `field "version" (health.versionField) reports ${VERSION}, expected 9.9.9+fffffff`,
    );
    // It says what the server should report, not only that the build differs.
    expect(run.stdout).toContain("APP_VERSION");
  });

  it("warns when no --expect-version is given, and still passes", async () => {
    const run = await runEchogate(["smoke", good.url], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain("no --expect-version");
    expect(run.stdout).toContain("(not checked: no expected version)");
  });

  it("uses the environment's smoke section with --env and an explicit URL", async () => {
    const run = await runEchogate(
      ["smoke", good.url, "--env", "staging", "--expect-version", VERSION, "--json"],
      { cwd },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(Object.keys(run.json<SmokeResult>().latencies.echoMs)).toEqual(["smoke-1", "smoke-2", "smoke-3"]);
  });

  it("exits 2 for a bad spec file, listing every problem with file:line and key path", async () => {
    const run = await runEchogate(["smoke", good.url, "--spec", "bad.yaml"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/bad\.yaml:4:\d+ \(echo\.protocol\): Can't use the smoke spec: 2 problems:\n/);
    expect(run.stderr).toMatch(/^ {2}bad\.yaml:4:\d+ \(echo\.protocol\): .+$/m);
    expect(run.stderr).toMatch(/^ {2}bad\.yaml:5:\d+ \(echo\.clients\): must be at least 2/m);
    expect(run.stderr).not.toContain("more)");
  });

  it("exits 2 for more clients than the gate allows, naming echo.clients", async () => {
    const run = await runEchogate(["smoke", good.url, "--spec", "crowd.yaml"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/crowd\.yaml:2:\d+ \(echo\.clients\): .*must be at most 50/);
  });

  it("exits 2 before the gate runs when the --junit directory doesn't exist", async () => {
    const run = await runEchogate(["smoke", good.url, "--junit", "no/such/dir/j.xml", "--json"], { cwd });
    expect(run.exitCode).toBe(2);
    const { error } = run.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe("usage");
    expect(error.message).toContain("no/such/dir/j.xml");
    expect(run.stderr).not.toContain("smoke.check");
  });

  it("fails the connect check with HTTP 404 when echo.path is not the server's WebSocket path", async () => {
    const run = await runEchogate(["smoke", good.url, "--spec", "wrong-path.yaml", "--json"], { cwd });
    expect(run.exitCode).toBe(1);
    const connect = run.json<SmokeResult>().checks.find((check) => check.name === "connect");
    expect(connect).toMatchObject({ ok: false, status: "failed" });
    expect(connect!.detail).toContain("/nope");
    expect(connect!.detail).toContain("HTTP 404");
  });

  it("exits 2 for an undefined template with its key path", async () => {
    const run = await runEchogate(["smoke", good.url, "--spec", "template.yaml", "--json"], { cwd });
    expect(run.exitCode).toBe(2);
    const { error } = run.json<{ error: { code: string; location: { keyPath: string }; message: string } }>();
    expect(error.code).toBe("smoke.invalid-spec");
    expect(error.location.keyPath).toBe("echo.send.payload.message.id");
    expect(error.message).toContain("{{nonse}}");
  });

  it.each([
    ["https://chat.a.run.app/api", "has a path"],
    ["https://chat.a.run.app?x=1", "query string"],
  ])("exits 2 for %s", async (url, why) => {
    const run = await runEchogate(["smoke", url], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(why);
  });

  it("exits 2 for a URL with credentials and never prints them", async () => {
    for (const json of [false, true]) {
      const run = await runEchogate(
        ["smoke", "https://deployer:s3cr3t-pass@chat.a.run.app", ...(json ? ["--json"] : [])],
        { cwd },
      );
      expect(run.exitCode).toBe(2);
      const all = run.stdout + run.stderr;
      expect(all).toContain("credentials");
      expect(all).toContain("https://***@chat.a.run.app");
      expect(all).not.toContain("s3cr3t-pass");
      expect(all).not.toContain("deployer");
    }
  });

  it("exits 2 for an unknown flag", async () => {
    const run = await runEchogate(["smoke", good.url, "--expect-verison", "1"], { cwd });
    expect(run.exitCode).toBe(2);
  });

  it("exits 1 when interrupted, closing its sockets", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("Interrupted by SIGINT")), 100);
    const run = await runEchogate(["smoke", outage.url, "--expect-version", VERSION], {
      cwd,
      signal: controller.signal,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("interrupted");
  });

  it("--timeout bounds the wait for an unreachable server; a bad value exits 2", async () => {
    const closed = await startReference({});
    const url = closed.url;
    await closed.close();
    const started = Date.now();
    const run = await runEchogate(["smoke", url, "--timeout", "400", "--json"], { cwd });
    expect(run.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.json<SmokeResult>().checks[0]).toMatchObject({ name: "health", ok: false });
    const bad = await runEchogate(["smoke", url, "--timeout", "soon"], { cwd });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--timeout soon/);
    const huge = await runEchogate(["smoke", url, "--timeout", "99999999999999999999"], { cwd });
    expect(huge.exitCode).toBe(2);
    expect(huge.stderr).toMatch(/Can't use --timeout 99999999999999999999: expected whole milliseconds/);
  });
});

describe("echogate smoke as a process", () => {
  it("keeps stderr NDJSON with --json and 12 clients (no listener-leak warning)", async () => {
    const repoRoot = resolve(import.meta.dirname, "../..");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "deploy/cli/entry.ts", "smoke", good.url, "--spec", "twelve.yaml"].concat([
        "--expect-version",
        VERSION,
        "--json",
        "--cwd",
        cwd,
      ]),
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exitCode = await new Promise<number | null>((done) => child.once("exit", done));
    expect(exitCode, stderr).toBe(0);
    expect(Object.keys((JSON.parse(stdout) as SmokeResult).latencies.echoMs)).toHaveLength(12);
    const lines = stderr.trim().split("\n");
    const notJson = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== "object";
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
  });
});
