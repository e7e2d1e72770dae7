// Journey: a real headless Chromium opens the report.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CHROMIUM, launchChromium } from "../../deploy/hosting/chromium.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage, type TestImage } from "../helpers/images.js";
import { fastSmoke } from "../helpers/project.js";
import { testdir } from "../helpers/testdir.js";

// The HTML report as a person opens it: a real Chromium, no network at all, no console errors.

const CHROMIUM = process.env.ECHOGATE_CHROMIUM || DEFAULT_CHROMIUM;
const noChromium = !existsSync(CHROMIUM);
const BROWSER_TEST_MS = 60_000;

let first: TestImage;
let second: TestImage;
let out: string;

const project = useEmulatedProject(fastSmoke);
beforeAll(async () => {
  out = await testdir({});
  [first, second] = await Promise.all([
    makeImage(project.dir, { version: "0.1.0+aaaaaaa" }),
    makeImage(project.dir, { version: "0.1.0+bbbbbbb" }),
  ]);
  const staged = await project.echogate("deploy", "staging", "--image", first.digest);
  expect(staged.exitCode, staged.stderr).toBe(0);
}, 30_000);

interface Opened {
  text: string;
  consoleErrors: string[];
  requests: string[];
  screenshot: string;
}

/** Opens a file in headless Chromium, every non-file request refused and recorded. */
async function open(file: string, screenshot: string): Promise<Opened> {
  const launched = await launchChromium(CHROMIUM, 30_000);
  if (!launched.ok) throw new Error(launched.detail);
  const { browser } = launched;
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${file}`, { waitUntil: "load" });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { text: await page.innerText("body"), consoleErrors, requests, screenshot };
  } finally {
    await browser.close();
  }
}

describe("the HTML report in headless Chromium", () => {
  it.skipIf(noChromium)(
    "shows a deploy's plan, steps, gate checks, clients and traffic before/after, with no network and no console error",
    async () => {
      const report = join(out, "deploy.html");
      const junit = join(out, "deploy.xml");
      const run = await project.echogate(
        "deploy",
        "staging",
        "--image",
        second.digest,
        "--report",
        report,
        "--junit",
        junit,
      );
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toContain(`HTML report written to ${report}`);
      const html = await readFile(report, "utf8");
      // Self-contained: nothing in it names a resource to fetch.
      expect(html).not.toMatch(/<script|<link|<img|@import|url\(|src=/i);

      const opened = await open(report, join(out, "deploy.png"));
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.requests).toEqual([]);
      const { text } = opened;
      expect(text).toContain("echogate deploy staging");
      expect(text).toContain(second.version);
      expect(text).toContain("Plan: deploy staging");
      for (const check of ["health", "connect", "join", "echo"])
        expect(text).toMatch(new RegExp(`\\b${check}\\b`));
      expect(text).toContain("Gate on the candidate tag URL");
      expect(text).toContain("Gate on the service URL");
      expect(text).toContain("Clients: what each sent and received");
      // Traffic before (the first revision 100%) and after (the new one 100%).
      expect(text).toMatch(/Traffic\s+Before[\s\S]*echogate-chat-staging-[\w-]+ 100%[\s\S]*After/);
      expect(text).toContain("Record gate result");
      expect((await readFile(opened.screenshot)).subarray(1, 4).toString()).toBe("PNG");

      const xml = await readFile(junit, "utf8");
      expect(xml).toMatch(/<testsuites name="echogate deploy staging" tests="\d+" failures="0"/);
      expect(xml).toContain('classname="echogate.promotion.gate.candidate" name="echo"');
    },
    BROWSER_TEST_MS,
  );

  it.skipIf(noChromium)(
    "shows drift as a matrix of facts by environment",
    async () => {
      const report = join(out, "drift.html");
      const run = await project.echogate("drift", "--env", "staging", "--report", report);
      expect([0, 1]).toContain(run.exitCode);
      const opened = await open(report, join(out, "drift.png"));
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.requests).toEqual([]);
      expect(opened.text).toContain("Live services");
      expect(opened.text).toContain("image digest");
      expect(opened.text).toContain("serving revision");
    },
    BROWSER_TEST_MS,
  );
});

describe("--report on rollback and smoke", () => {
  it("shows the rollback's plan and traffic, and the smoke's checks and clients", async () => {
    const deployed = await project.echogate("deploy", "staging", "--image", second.digest);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    const rollback = join(out, "rollback.html");
    const rolled = await project.echogate("rollback", "staging", "--report", rollback);
    expect(rolled.exitCode, rolled.stderr).toBe(0);
    const rolledHtml = await readFile(rollback, "utf8");
    expect(rolledHtml).toContain("rolled back staging");
    expect(rolledHtml).toContain('<section id="traffic">');
    expect(rolledHtml).toContain(first.version);

    const smoke = join(out, "smoke.html");
    const smoked = await project.echogate("smoke", "--env", "staging", "--report", smoke);
    expect(smoked.exitCode, smoked.stderr).toBe(0);
    const smokeHtml = await readFile(smoke, "utf8");
    expect(smokeHtml).toContain('<header class="top ok">');
    expect(smokeHtml).toContain("Clients: what each sent and received");
    expect(smokeHtml).toMatch(/<svg class="chart"/);
  });
});

describe("--report on a failed gate", () => {
  it("is written anyway, red, with the failed checks and what went wrong", async () => {
    const crashing = await makeImage(project.dir, { version: "0.1.0+ccccccc", code: "process.exit(1);" });
    const report = join(out, "failed.html");
    const run = await project.echogate("deploy", "staging", "--image", crashing.digest, "--report", report);
    expect(run.exitCode).toBe(1);
    const html = await readFile(report, "utf8");
    expect(html).toContain('<header class="top fail">');
    expect(html).toContain("What went wrong");
    expect(html).toContain("Can&#39;t deploy 0.1.0+ccccccc to staging");
  });

  it("refuses a path it can't write before anything moves", async () => {
    const run = await project.echogate(
      "deploy",
      "staging",
      "--image",
      first.digest,
      "--report",
      "/nonexistent/dir/r.html",
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Can't write the HTML report to /nonexistent/dir/r.html");
    expect(run.stderr).not.toContain("Plan staging");
  });
});
