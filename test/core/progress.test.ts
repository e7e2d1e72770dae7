import { PassThrough } from "node:stream";
import pc from "picocolors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderStatus } from "../../deploy/cli/handlers/status.js";
import { runCli } from "../../deploy/cli/main.js";
import { liveLine, truncateText } from "../../deploy/core/live-lines.js";
import { Output } from "../../deploy/core/output.js";
import { columnWidths, formatTable } from "../../deploy/core/table.js";
import { colorEnabled, liveProgressEnabled } from "../../deploy/core/terminal.js";
import { promotionProject } from "../helpers/project.js";
import { statusRow } from "../helpers/status-rows.js";

const ESC = "\x1b[";

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("colour, as the Node ecosystem reads the environment", () => {
  const color = (env: NodeJS.ProcessEnv, isTTY: boolean, noColorFlag = false, json = false) =>
    colorEnabled({ env, isTTY, noColorFlag, json });

  it("follows the TTY by default and turns off for NO_COLOR (non-empty) and TERM=dumb", () => {
    expect(color({}, true)).toBe(true);
    expect(color({}, false)).toBe(false);
    expect(color({ NO_COLOR: "1" }, true)).toBe(false);
    expect(color({ NO_COLOR: "" }, true)).toBe(true);
    expect(color({ TERM: "dumb" }, true)).toBe(false);
  });

  it("lets FORCE_COLOR decide when set, even without a TTY and over NO_COLOR", () => {
    for (const on of ["", "1", "2", "3", "true"]) expect(color({ FORCE_COLOR: on }, false), on).toBe(true);
    for (const off of ["0", "false"]) expect(color({ FORCE_COLOR: off }, true), off).toBe(false);
    expect(color({ FORCE_COLOR: "1", NO_COLOR: "1" }, false)).toBe(true);
  });

  it("never colours --json and always obeys --no-color", () => {
    expect(color({ FORCE_COLOR: "1" }, true, true)).toBe(false);
    expect(color({ FORCE_COLOR: "1" }, true, false, true)).toBe(false);
  });

  it("draws live lines only on a TTY outside CI", () => {
    expect(liveProgressEnabled({ env: {}, isTTY: true })).toBe(true);
    expect(liveProgressEnabled({ env: {}, isTTY: false })).toBe(false);
    expect(liveProgressEnabled({ env: { CI: "true" }, isTTY: true })).toBe(false);
    expect(liveProgressEnabled({ env: { CI: "false" }, isTTY: true })).toBe(true);
    expect(liveProgressEnabled({ env: { TERM: "dumb" }, isTTY: true })).toBe(false);
  });
});

describe("live step lines", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows spinner, elapsed time and phase, cut to the terminal's width", () => {
    const line = liveLine({ name: "Smoke candidate", started: 0, phase: "join" }, 4_200, 0, 80);
    expect(line).toBe("⠋ Smoke candidate (4.2s) — join");
    const long = liveLine({ name: "x".repeat(200), started: 0, phase: undefined }, 10, 3, 40);
    expect([...long]).toHaveLength(39);
    expect(long.endsWith("…")).toBe(true);
    expect(truncateText("abc", 3)).toBe("abc");
    expect(truncateText("abcdef", 4)).toBe("abc…");
  });

  it("redraws a running step in place and collapses it to a ✔ line", () => {
    const err = capture();
    const output = new Output({ live: true, stderr: err.stream, stdout: capture().stream, columns: 60 });
    const step = output.step("Upload to site");
    expect(err.text()).toContain("⠋ Upload to site (");
    step.update("3/10 changed files");
    expect(err.text()).toContain(" — 3/10 changed files\n");
    // The update erased the line drawn before it (cursor up, clear line).
    expect(err.text()).toContain(`${ESC}1A${ESC}2K`);
    step.done("10 files");
    output.close();
    const final = err.text();
    expect(final).toMatch(/✔ Upload to site \([^)]+\) — 10 files\n$/);
    expect(output.steps()).toEqual([expect.objectContaining({ name: "Upload to site", ok: true })]);
  });

  it("ticks every 150 ms while a step runs (spinner and elapsed time), and stops when none is left", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] });
    const err = capture();
    const output = new Output({ live: true, stderr: err.stream, stdout: capture().stream, columns: 80 });
    const step = output.step("Create revision");
    vi.advanceTimersByTime(150);
    expect(err.text()).toContain("⠙ Create revision (150 ms)");
    vi.advanceTimersByTime(4_050);
    expect(err.text()).toContain("Create revision (4.2s)");
    step.done();
    const written = err.text().length;
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(err.text().length).toBe(written);
  });

  it("writes plain lines without escape codes when not live", () => {
    const err = capture();
    const output = new Output({ stderr: err.stream, stdout: capture().stream });
    const step = output.step("Plan staging");
    step.update("reading the service");
    step.fail("no access");
    expect(err.text()).toMatch(/^→ Plan staging\n✖ Plan staging \([^)]+\) — no access\n$/);
  });

  it("fails a step left open by the error that ended the command, before printing the error", () => {
    const err = capture();
    const output = new Output({ stderr: err.stream, stdout: capture().stream });
    output.step("Create revision");
    output.error(new Error("boom"));
    expect(err.text()).toMatch(
      /✖ Create revision \([^)]+\) — stopped by the error below\nerror Failed unexpectedly: boom/,
    );
  });

  it("runs a command on a fake terminal: live lines outside CI, plain lines with CI=true", async () => {
    const cwd = await promotionProject();
    const run = async (env: NodeJS.ProcessEnv) => {
      const err = capture();
      const out = capture();
      Object.assign(out.stream, { columns: 100, isTTY: true });
      const code = await runCli(["drift", "--source"], {
        cwd,
        env: { PATH: process.env.PATH, ...env },
        stdout: out.stream,
        stderr: err.stream,
        isTTY: true,
      });
      return { code, stderr: err.text() };
    };
    const live = await run({});
    expect(live.stderr).toContain("⠋ collect source facts (");
    expect(live.stderr).toContain(`${ESC}32m✔${ESC}39m collect source facts`);
    const ci = await run({ CI: "true" });
    expect(ci.stderr).not.toContain("⠋");
    expect(ci.stderr).toContain(`→${ESC}22m collect source facts\n`);
    const noColor = await run({ CI: "true", NO_COLOR: "1" });
    expect(noColor.stderr).not.toContain(ESC);
  });
});

describe("tables fit the terminal", () => {
  const row = statusRow({
    url: "https://echogate-chat-production-abcdefghij-uc.a.run.app",
    revision: "echogate-chat-production-1a2b3c4-d5e6f",
  });
  const style = pc.createColors(false);

  it("cuts the URL and REVISION columns to fit a 100-column terminal, and nothing off one", () => {
    const wide = renderStatus([row], style);
    expect(Math.max(...wide.split("\n").map((l) => l.length))).toBeGreaterThan(120);
    expect(wide).toContain(row.url);
    const fitted = renderStatus([row], style, 100).split("\n");
    for (const line of fitted) expect([...line].length).toBeLessThanOrEqual(100);
    expect(fitted[1]).toContain("…");
    expect(fitted[1]).toContain("1.0.0+abc");
  });

  it("leaves out the least useful columns on an 80-column terminal, and says which", () => {
    const fitted = renderStatus([row], style, 80).split("\n");
    for (const line of fitted) expect([...line].length).toBeLessThanOrEqual(80);
    expect(fitted[0]).toContain("GATE");
    expect(fitted[0]).not.toContain("INSTANCES");
    expect(fitted[1]).toContain("1.0.0+abc");
    expect(fitted.at(-1)).toMatch(
      /^\(DIGEST, WEB, AGE, INSTANCES left out to fit 80 columns; --json has every field\)$/,
    );
    expect(renderStatus([row], style, 140)).not.toContain("left out");
  });

  it("shrinks the widest shrinkable column first and stops at a readable minimum", () => {
    const rows = [
      ["a", "x".repeat(30), "y".repeat(20)],
      ["b", "c", "d"],
    ];
    expect(columnWidths(rows, { width: 40, shrinkable: [1, 2] })).toEqual([1, 17, 18]);
    expect(columnWidths(rows, { width: 5, shrinkable: [1, 2] })).toEqual([1, 8, 8]);
    expect(formatTable([["abcdefghijkl", "z"]], { width: 11, shrinkable: [0] })).toEqual(["abcdefg…  z"]);
  });
});
