import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bundleServer } from "../../deploy/build/bundle-server.js";
import type { SmokeSpecInput } from "../../deploy/config/smoke-spec.js";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import { REPO_ROOT } from "./helpers.js";

// What a careless change to the reference server looks like, and the scenario of the repo's own
// smoke spec that must refuse it. The demo builds the first one the same way.
const breaks = [
  {
    name: "registration skips the stored direct messages",
    from: "const pending = await store.pendingDms(userId, msg.since, PENDING_BATCH);",
    to: "const pending: DirectMessage[] = [];",
    scenario: "offline-dm",
    words: /bob got instead: .*"pending":0/,
  },
  {
    name: "a second registration keeps the first socket (the activeUsers map is never updated)",
    from: "    if (previous && previous.conn !== c) letGo(userId, c.id);\n    const holder: Holder = { conn: c, ready: false, waiting: [] };",
    to: "    const holder: Holder = previous ?? { conn: c, ready: false, waiting: [] };",
    scenario: "stale-socket",
    words: /the server sends to the stale socket/,
  },
  {
    name: "the sender's confirmation is never sent",
    from: 'c.send({ type: "dm-sent",',
    to: 'void ({ type: "dm-sent",',
    scenario: "dm-live",
    words: /alice got no message matching \{"type":"dm-sent"/,
  },
];

const spec = parse(readFileSync(join(REPO_ROOT, "environments/smoke.yaml"), "utf8")) as SmokeSpecInput & {
  scenarios: NonNullable<SmokeSpecInput["scenarios"]>;
};

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The server with one change, bundled like a build and started as a process; resolves with its URL. */
async function brokenServer(from: string, to: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "echogate-broken-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(REPO_ROOT, "server"), join(dir, "server"), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  const file = join(dir, "server/src/direct-handlers.ts");
  const source = readFileSync(file, "utf8");
  expect(source, `server/src/direct-handlers.ts no longer holds: ${from}`).toContain(from);
  writeFileSync(file, source.replace(from, to));
  writeFileSync(join(dir, "server.cjs"), (await bundleServer(dir, "server/src/main.ts")).code);
  const child: ChildProcess = spawn(process.execPath, ["server.cjs"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  cleanups.push(() => child.kill("SIGKILL"));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.includes('"listening"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`the broken server exited with ${code}: ${out}`)));
  });
  return `http://127.0.0.1:${port}`;
}

describe("environments/smoke.yaml refuses a reference server broken in one place", () => {
  for (const broken of breaks) {
    it(`${broken.name}: scenario ${broken.scenario} refuses it, saying why`, async () => {
      const url = await brokenServer(broken.from, broken.to);
      // Only the scenario at stake, with short step budgets: what never arrives is waited for.
      const scenario = { ...spec.scenarios.find((s) => s.name === broken.scenario)!, stepTimeoutMs: 800 };
      const result = await runSmoke(url, { ...spec, scenarios: [scenario] });
      expect(result.ok).toBe(false);
      expect(result.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual([
        `scenario ${broken.scenario}`,
      ]);
      expect(result.scenarios[0]!.diagnosis).toMatch(broken.words);
    });
  }
});
