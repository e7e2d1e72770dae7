import { randomBytes } from "node:crypto";
import type { BrowserContext, Page } from "playwright-core";
import type { BrowserGateConfig } from "../config/environment-schema.js";
import { expandTemplates } from "../config/smoke-templates.js";
import { type GateReport, ranCheck, type SmokeCheck } from "../smoke/result.js";
import { roundMs } from "../smoke/timing.js";
import { appearanceVerdict } from "./browser-scenario.js";
import { launchChromium } from "./chromium.js";

interface BrowserGateInput {
  /** The URL the site's users load (the target channel): both pages open it. */
  pageUrl: string;
  /**
   * Where the version under test is served now (the gate channel). When its origin differs, the
   * browser gets every request for pageUrl's origin answered from here: the pages run on the
   * site's real origin (its CORS, its storage) with the bytes that are about to be released.
   */
  contentUrl: string;
  gate: BrowserGateConfig;
  executablePath: string;
  signal?: AbortSignal;
  /** Test seam: otherwise random per run. */
  ids?: { room: string; nonce: string };
}

interface BrowserGateResult extends GateReport {
  /** What the pages logged as errors (console.error, uncaught exceptions), `a: …` / `b: …`. */
  consoleErrors: string[];
}

/** Loading is the site's and the machine's pace, not what the gate judges: never less than this. */
const LOAD_TIMEOUT_MS = 30_000;
const MAX_CONSOLE_ERRORS = 20;
const MAX_CONSOLE_CHARS = 300;
const CLIENTS = ["echogate-a", "echogate-b"] as const;

/** A step of the scenario failed; the message names the key whose selector did not work. */
class StepError extends Error {}

/**
 * The browser gate: a headless Chromium opens the hosted page twice (two separate contexts, like
 * two devices), joins both to one new room through the page's own controls, types a message on
 * the first and requires it to appear on the sending page and on the second one.
 */
export async function runBrowserGate(input: BrowserGateInput): Promise<BrowserGateResult> {
  const started = performance.now();
  const elapsed = () => roundMs(performance.now() - started);
  const checks: SmokeCheck[] = [];
  const log = new ConsoleLog();
  const routed = new URL(input.pageUrl).origin !== new URL(input.contentUrl).origin;
  // A response the gate answers itself has no address Chromium can place, so it counts the page as
  // public and blocks its connections to loopback servers (the emulators) as Local Network Access.
  const launched = await launchChromium(
    input.executablePath,
    input.gate.timeoutMs,
    routed ? ["--disable-features=LocalNetworkAccessChecks"] : [],
  );
  if (!launched.ok)
    return { ok: false, checks: [ranCheck("browser", false, elapsed(), launched.detail)], consoleErrors: [] };
  const browser = launched.browser;
  const onAbort = () => void browser.close();
  input.signal?.addEventListener("abort", onAbort, { once: true });
  const ids = input.ids ?? newIds();
  const { gate } = input;
  try {
    const pages = await Promise.all(
      CLIENTS.map(async (client) => {
        const context = await browser.newContext();
        if (routed) await serveFrom(context, input.pageUrl, input.contentUrl);
        const page = await context.newPage();
        const name = client === CLIENTS[0] ? "a" : "b";
        page.on("console", (message) => {
          if (message.type() === "error") log.add(`${name}: ${message.text()}`);
        });
        page.on("pageerror", (error) => log.add(`${name}: uncaught ${error.message}`));
        return { client, name, page };
      }),
    );
    const openStarted = performance.now();
    try {
      await Promise.all(
        pages.map(async ({ client, name, page }) => {
          await step(`page ${name} did not load ${input.pageUrl}`, () =>
            page.goto(input.pageUrl, {
              waitUntil: "load",
              timeout: Math.max(gate.timeoutMs, LOAD_TIMEOUT_MS),
            }),
          );
          if (gate.join)
            await join(page, name, gate.join, { room: ids.room, nonce: ids.nonce, client }, gate);
        }),
      );
    } catch (error) {
      checks.push(
        ranCheck(
          "browser: pages open",
          false,
          roundMs(performance.now() - openStarted),
          failure(error, log.list()),
        ),
      );
      return { ok: false, checks, consoleErrors: log.list() };
    }
    checks.push(
      ranCheck(
        "browser: pages open",
        true,
        roundMs(performance.now() - openStarted),
        `2 pages on ${input.pageUrl}${gate.join ? ` joined room ${ids.room}` : ""}`,
      ),
    );

    const [sender, other] = pages as [(typeof pages)[0], (typeof pages)[0]];
    const text = `echogate browser check ${ids.nonce}`;
    let sentAt: number;
    try {
      await control(sender.page, gate.input, "input", gate.timeoutMs).then((field) =>
        field.fill(text, { timeout: gate.timeoutMs }),
      );
      await control(sender.page, gate.send, "send", gate.timeoutMs).then((button) =>
        button.click({ timeout: gate.timeoutMs }),
      );
      sentAt = performance.now();
    } catch (error) {
      checks.push(ranCheck("browser: send", false, elapsed(), failure(error, log.list())));
      return { ok: false, checks, consoleErrors: log.list() };
    }
    const appearedAt = (page: Page) =>
      page
        .locator(gate.messages)
        .filter({ hasText: text })
        .first()
        .waitFor({ state: "visible", timeout: gate.timeoutMs })
        .then(
          () => roundMs(performance.now() - sentAt),
          () => null,
        );
    const [senderMs, otherMs] = await Promise.all([appearedAt(sender.page), appearedAt(other.page)]);
    const verdict = appearanceVerdict({ sender: senderMs, other: otherMs }, gate.timeoutMs);
    const withConsole = ([ok, detail]: [boolean, string]) =>
      [ok, ok ? detail : `${detail}${consoleSuffix(log.list())}`] as const;
    checks.push(
      ranCheck(
        "browser: the sending page shows its message",
        ...withTime(withConsole(verdict.sender), senderMs),
      ),
      ranCheck("browser: a second page shows the message", ...withTime(withConsole(verdict.other), otherMs)),
    );
    return { ok: checks.every((check) => check.ok), checks, consoleErrors: log.list() };
  } finally {
    input.signal?.removeEventListener("abort", onAbort);
    await browser.close().catch(() => undefined);
    input.signal?.throwIfAborted();
  }
}

function withTime([ok, detail]: readonly [boolean, string], ms: number | null): [boolean, number, string] {
  return [ok, ms ?? 0, detail];
}

async function join(
  page: Page,
  name: string,
  join: NonNullable<BrowserGateConfig["join"]>,
  vars: { room: string; nonce: string; client: string },
  gate: BrowserGateConfig,
): Promise<void> {
  for (const [selector, value] of Object.entries(join.fill)) {
    const field = await control(page, selector, `join.fill (${name})`, gate.timeoutMs);
    await field.fill(expandTemplates(value, vars), { timeout: gate.timeoutMs });
  }
  const submit = await control(page, join.submit, `join.submit (${name})`, gate.timeoutMs);
  await submit.click({ timeout: gate.timeoutMs });
  if (join.ready) await control(page, join.ready, `join.ready (page ${name}, after joining)`, gate.timeoutMs);
}

/** The first visible element for `selector`, or a StepError naming the key that set it. */
async function control(page: Page, selector: string, key: string, timeoutMs: number) {
  const locator = page.locator(selector).first();
  await step(`hosting.gate.browser.${key}: nothing visible matches ${selector} within ${timeoutMs} ms`, () =>
    locator.waitFor({ state: "visible", timeout: timeoutMs }),
  );
  return locator;
}

async function step<T>(message: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new StepError(`${message} (${(error as Error).message.split("\n")[0]})`);
  }
}

/** Requests for the page's origin are answered from the content origin, path and query kept. */
async function serveFrom(context: BrowserContext, pageUrl: string, contentUrl: string): Promise<void> {
  const pageOrigin = new URL(pageUrl).origin;
  const contentOrigin = new URL(contentUrl).origin;
  await context.route(
    (url) => url.origin === pageOrigin,
    async (route) => {
      const url = new URL(route.request().url());
      const response = await route.fetch({
        url: `${contentOrigin}${url.pathname}${url.search}`,
        headers: { ...route.request().headers(), host: new URL(contentOrigin).host },
      });
      await route.fulfill({ response });
    },
  );
}

function failure(error: unknown, consoleErrors: readonly string[]): string {
  const message =
    error instanceof StepError
      ? error.message
      : `the browser failed: ${(error as Error).message.split("\n")[0]}`;
  return `${message}${consoleSuffix(consoleErrors)}`;
}

function consoleSuffix(consoleErrors: readonly string[]): string {
  return consoleErrors.length > 0 ? `; the pages logged: ${consoleErrors.join(" | ")}` : "";
}

/** Each distinct error once, with how often it came (a reconnect loop logs the same one each time). */
class ConsoleLog {
  readonly #counts = new Map<string, number>();

  add(text: string): void {
    const short = text.length > MAX_CONSOLE_CHARS ? `${text.slice(0, MAX_CONSOLE_CHARS)}…` : text;
    const count = this.#counts.get(short);
    if (count !== undefined) this.#counts.set(short, count + 1);
    else if (this.#counts.size < MAX_CONSOLE_ERRORS) this.#counts.set(short, 1);
  }

  list(): string[] {
    return [...this.#counts].map(([text, count]) => (count > 1 ? `${text} (×${count})` : text));
  }
}

function newIds(): { room: string; nonce: string } {
  const random = randomBytes(6).toString("hex");
  return { room: `echogate-browser-${random}`, nonce: `${Date.now().toString(36)}-${random}` };
}
