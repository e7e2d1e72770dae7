import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { withHtmlReport } from "../../deploy/cli/html-report.js";
import { CheckFailedError } from "../../deploy/core/errors.js";
import { Output } from "../../deploy/core/output.js";
import { Redactor } from "../../deploy/core/redact.js";
import { renderHtmlReport } from "../../deploy/report/render-html.js";
import { buildHtmlReport } from "../../deploy/report/report-model.js";
import type { SmokeResult } from "../../deploy/smoke/result.js";
import { testdir } from "../helpers/testdir.js";

const HOSTILE = `<script>alert("x")</script>&'`;

const smoke = (overrides: Partial<SmokeResult> = {}): SmokeResult => ({
  ok: false,
  url: "http://127.0.0.1:8080",
  protocol: "socket.io",
  version: HOSTILE,
  revision: "chat-00002",
  expectVersion: "1.0.0",
  expectRevision: null,
  room: "echogate-smoke-r",
  nonce: "n-1",
  ms: 120,
  notices: [],
  scenarios: [],
  checks: [
    { name: "health", ok: false, status: "failed", ms: 3, detail: `version ${HOSTILE} is not 1.0.0` },
    { name: "echo", ok: false, status: "failed", ms: 50, detail: "smoke-2 never received it" },
  ],
  latencies: {
    healthMs: 3,
    connectMs: { "smoke-10": 4, "smoke-2": 5, "smoke-1": 6 },
    joinMs: { "smoke-1": 1, "smoke-2": 2 },
    echoMs: { "smoke-1": 2, "smoke-2": null },
  },
  ...overrides,
});

const context = {
  command: "echogate smoke http://127.0.0.1:8080",
  steps: [],
  generatedAt: "t",
  toolVersion: "0.1.0",
};

describe("the HTML report renderer", () => {
  it("escapes every value from the run (no markup gets through)", () => {
    const html = renderHtmlReport(
      buildHtmlReport(
        {
          kind: "smoke",
          result: {
            ...smoke(),
            scenarios: [{ name: HOSTILE, ok: false, steps: [{ sent: HOSTILE, ok: false }] }],
          } as never,
        },
        { ...context, steps: [{ name: HOSTILE, startedMs: 0, ms: 5, ok: false, detail: HOSTILE }] },
      ),
    );
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
    // The scenario's steps are shown with what each carries.
    expect(html).toContain("Scenario &lt;script&gt;");
  });

  it("lists the clients sender first, marks a message never received, and charts their latency", () => {
    const html = renderHtmlReport(buildHtmlReport({ kind: "smoke", result: smoke() }, context));
    const order = [...html.matchAll(/<td><code>(smoke-\d+)<\/code><\/td>/g)].map((m) => m[1]);
    expect(order).toEqual(["smoke-1", "smoke-2", "smoke-10"]);
    expect(html).toContain("then the message carrying nonce n-1");
    expect(html).toContain("never received");
    expect(html).toMatch(/<svg class="chart"[^>]*>.*<rect .*<title>smoke-2 join: 2 ms<\/title>/s);
  });

  it("shows none of a secret the redactor knows, in the data or in the page", () => {
    const redactor = new Redactor();
    redactor.add("s3cr3t-value");
    const source = redactor.redactDeep({
      kind: "smoke" as const,
      result: smoke({ room: "room-s3cr3t-value" }),
    });
    const html = redactor.redact(renderHtmlReport(buildHtmlReport(source, context)));
    expect(html).not.toContain("s3cr3t-value");
  });
});

describe("withHtmlReport (the one place a report is written)", () => {
  it("masks every secret the redactor knows, in the result and in the error, passing or failing", async () => {
    const cwd = await testdir({});
    const redactor = new Redactor();
    redactor.add("s3cr3t-value");
    const output = new Output({ redactor, stderr: new PassThrough(), stdout: new PassThrough() });
    const ctx = { cwd, redactor, output } as never;
    const leaky = smoke({
      checks: [{ name: "echo", ok: false, status: "failed", ms: 1, detail: "got s3cr3t-value" }],
    });
    output.step("Smoke s3cr3t-value").fail();

    await withHtmlReport("passed.html", ctx, "echogate smoke", { kind: "smoke" }, async (source) => {
      source.result = leaky;
      return 1;
    });
    await expect(
      withHtmlReport("failed.html", ctx, "echogate smoke", { kind: "smoke" }, async (source) => {
        source.result = leaky;
        throw new CheckFailedError("x", "Can't pass: s3cr3t-value", { hint: "not s3cr3t-value" });
      }),
    ).rejects.toThrow();
    for (const name of ["passed.html", "failed.html"]) {
      const html = await readFile(join(cwd, name), "utf8");
      expect(html).toContain("got ***");
      expect(html).not.toContain("s3cr3t");
    }
  });
});
