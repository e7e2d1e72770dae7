// Journey: a real headless Chromium loads the deployed site.
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_CHROMIUM } from "../../deploy/hosting/chromium.js";
import { runEchogate } from "../helpers/run-cli.js";
import { getText, hostingEmulator, realtimeServer } from "./fixtures.js";
import { hostingProject } from "./project.js";

const CHROMIUM = process.env.ECHOGATE_CHROMIUM || DEFAULT_CHROMIUM;
const WEB = fileURLToPath(new URL("../../web/public/", import.meta.url));
/** The suite installs Chromium in CI (.ci/run); only a machine without it skips. */
const noChromium = !existsSync(CHROMIUM);

/** The reference front end's files, `edit` applied to app.js. */
async function referencePage(
  edit: (appJs: string) => string = (text) => text,
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await readdir(WEB)) files[name] = await readFile(join(WEB, name), "utf8");
  files["app.js"] = edit(files["app.js"]!);
  return files;
}

/** The seeds' symptom: the page renders everyone's messages but its own user's. */
const dropOwnMessages = (appJs: string) => {
  const line = "const own = event.message.from === peerId;";
  expect(appJs).toContain(line);
  return appJs.replace(line, `${line}\n        if (own) return console.error("own message not shown");`);
};

async function deployStaging(web: Record<string, string>, gate: string, env: Record<string, string> = {}) {
  const { emulator } = await hostingEmulator();
  const server = await realtimeServer();
  const cwd = await hostingProject({ web });
  const yaml = join(cwd, "environments", "staging.yaml");
  const text = await readFile(yaml, "utf8");
  await writeFile(yaml, text.replace("  site: chat-staging\n", `  site: chat-staging\n  gate:\n${gate}\n`));
  const run = await runEchogate(["web", "deploy", "staging", "--server-url", server.url, "--json"], {
    cwd,
    env: { ECHOGATE_HOSTING_URL: emulator.url, ...env },
  });
  const live = async (path: string) => getText(`${emulator.channelUrl("chat-staging", "live")}${path}`);
  return { run, live };
}

interface GateJson {
  gate: { ok: boolean; checks: { name: string; ok: boolean; detail: string }[]; consoleErrors?: string[] };
}

/** A browser on a loaded 2-core machine: page loads and joins take seconds, not the suite's default. */
const BROWSER_TEST_MS = 60_000;

describe("the browser gate (hosting.gate.browser): a real Chromium on the hosted page", () => {
  it.skipIf(noChromium)(
    "passes the reference front end: a message typed on one page shows on it and on a second page",
    async () => {
      const { run, live } = await deployStaging(await referencePage(), "    browser: true");
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
      const { gate } = run.json<GateJson>();
      const browserChecks = gate.checks.filter((check) => check.name.startsWith("browser"));
      expect(browserChecks.map((check) => [check.name, check.ok])).toEqual([
        ["browser: pages open", true],
        ["browser: the sending page shows its message", true],
        ["browser: a second page shows the message", true],
      ]);
      expect(browserChecks[0]!.detail).toMatch(
        /^2 pages on http:\/\/127\.0\.0\.1:\d+ joined room echogate-browser-/,
      );
      expect(gate.consoleErrors).toEqual([]);
      expect((await live("/app.js")).status).toBe(200);
    },
    BROWSER_TEST_MS,
  );

  it.skipIf(noChromium)(
    "refuses a page whose own messages never render, reporting what the page logged; nothing is released",
    async () => {
      // The reference page's selectors, written out, with a shorter wait for what never comes.
      const gate = [
        "    browser:",
        "      input: '#content'",
        "      send: '#send button[type=submit]'",
        "      messages: '#messages'",
        "      join:",
        "        fill: { '#room': '{{room}}', '#peer': '{{client}}' }",
        "        submit: '#join button[type=submit]'",
        "        ready: '#send:not([hidden])'",
        "      timeoutMs: 4000",
      ].join("\n");
      const { run, live } = await deployStaging(await referencePage(dropOwnMessages), gate);
      expect(run.exitCode, run.stdout + run.stderr).toBe(1);
      expect(run.stdout + run.stderr).toContain(
        "browser: the sending page shows its message: the message never appeared on the sending page within 4000 ms, though the second page showed it",
      );
      expect(run.stdout + run.stderr).toContain("the pages logged: a: own message not shown");
      expect(run.stdout + run.stderr).toContain("page failed in a real browser");
      // The server side was fine: the smoke passed, and the second page got the message.
      expect(run.stdout + run.stderr).not.toContain("browser: a second page shows the message:");
      expect((await live("/app.js")).status).toBe(404);
    },
    BROWSER_TEST_MS,
  );

  it.skipIf(noChromium)(
    "reports what a passing page logs as errors, as warnings",
    async () => {
      const logs = (appJs: string) => `console.error("analytics blocked");\n${appJs}`;
      const { run } = await deployStaging(await referencePage(logs), "    browser: true");
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
      expect(run.json<GateJson>().gate.consoleErrors?.sort()).toEqual([
        "a: analytics blocked",
        "b: analytics blocked",
      ]);
      expect(run.stderr).toContain("The hosted page logged an error: a: analytics blocked");
    },
    BROWSER_TEST_MS,
  );

  it.skipIf(noChromium)(
    "names the key whose selector matches nothing on the page",
    async () => {
      const gate = [
        "    browser:",
        "      input: '#content'",
        "      send: '#send-button'",
        "      messages: '#messages'",
        "      join: { fill: { '#room': '{{room}}' }, submit: '#join button', ready: '#send' }",
        "      timeoutMs: 4000",
      ].join("\n");
      const { run } = await deployStaging(await referencePage(), gate);
      expect(run.exitCode, run.stdout + run.stderr).toBe(1);
      expect(run.stdout + run.stderr).toContain(
        "browser: send: hosting.gate.browser.send: nothing visible matches #send-button within 4000 ms",
      );
    },
    BROWSER_TEST_MS,
  );

  it("fails the gate with how to install Chromium when it is not there", async () => {
    const { run } = await deployStaging(await referencePage(), "    browser: true", {
      ECHOGATE_CHROMIUM: "/nonexistent/chromium",
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.stdout + run.stderr).toContain(
      "browser: the browser gate needs Chromium, and /nonexistent/chromium is not an executable: install it with sudo apt-get install -y --no-install-recommends chromium",
    );
  });
});
