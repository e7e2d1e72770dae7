import { constants } from "node:fs";
import { access } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { shellCommand } from "../core/shell-quote.js";

/** Debian's `chromium` package; ECHOGATE_CHROMIUM names another build of Chromium. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/**
 * Headless, and nothing that reaches beyond the pages under test: no QUIC, no component or
 * safe-browsing updates, no sync. Playwright gives every launch a fresh profile (--user-data-dir)
 * and deletes it on close. --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
 */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

type ChromiumLaunch = { ok: true; browser: Browser } | { ok: false; detail: string };

/**
 * Starts Chromium through playwright-core (which downloads no browser), or says what is missing and
 * how to install it. Both are optional: only an environment that asks for the browser gate needs them.
 */
export async function launchChromium(
  executablePath: string,
  timeoutMs: number,
  extraFlags: readonly string[] = [],
): Promise<ChromiumLaunch> {
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    return {
      ok: false,
      detail: `the browser gate needs Chromium, and ${executablePath} is not an executable: install it with ${shellCommand(["sudo", "apt-get", "install", "-y", "--no-install-recommends", "chromium"])} (Debian, Ubuntu), or name another Chromium in ECHOGATE_CHROMIUM`,
    };
  }
  let chromium: typeof import("playwright-core").chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch (error) {
    return {
      ok: false,
      detail: `the browser gate drives Chromium through the playwright-core package, which is not installed (${(error as Error).message.split("\n")[0]}): add it with ${shellCommand(["npm", "install", "--save-dev", "playwright-core"])} (it downloads no browser)`,
    };
  }
  try {
    const browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [...FLAGS, ...extraFlags],
      timeout: timeoutMs,
    });
    return { ok: true, browser };
  } catch (error) {
    return {
      ok: false,
      detail: `Chromium (${executablePath}) did not start: ${(error as Error).message.split("\n")[0]}`,
    };
  }
}
