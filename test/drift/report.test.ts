import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { evaluateDrift } from "../../deploy/drift/evaluate.js";
import { buildReport } from "../../deploy/drift/report/drift-report.js";
import { githubAnnotations } from "../../deploy/drift/report/github-annotations.js";
import { renderMarkdown } from "../../deploy/drift/report/render-markdown.js";
import { renderText } from "../../deploy/drift/report/render-text.js";
import { DIGEST_B, declared, driftFacts, target, withTarget } from "./fixtures.js";

const style = pc.createColors(false);
const report = (facts: ReturnType<typeof driftFacts>) => buildReport(facts, evaluateDrift(facts));

describe("drift report", () => {
  it("marks the drifted cell, names the rule on its row, and dims nothing in plain text", () => {
    const facts = withTarget(driftFacts(), "production", { digest: DIGEST_B });
    const text = renderText(report(facts), style);
    expect(text).toMatch(
      /^≠ image digest\s+sha256:aaaaaaaaaaaa\s+sha256:aaaaaaaaaaaa\s+sha256:bbbbbbbbbbbb ✖\s+← promoted-digest$/m,
    );
    expect(text).toMatch(/^ {2}port\s+8080\s+8080\s+8080$/m);
    expect(text).toMatch(/^~ env BUILD_TARGET/m);
    expect(text).toContain("Drift found: 1 error(s), 0 warning(s).");
  });

  it("summarises wide matrices by value instead of a grid", () => {
    const names = Array.from({ length: 12 }, (_, i) => `env-${i}`);
    let facts = driftFacts({
      environments: names.map((n) => declared(n)),
      targets: names.map((n) => target(n)),
    });
    facts = withTarget(facts, "env-7", { settings: { ...target("x").settings!, port: 9090 } });
    const text = renderText(report(facts), style);
    expect(text).toMatch(/^≠ port:\s+← container-port$/m);
    expect(text).toMatch(
      /^ {6}8080 {2}11: env-0, env-1, env-2, env-3, env-4, env-5, env-6, env-8 … \(\+3\)$/m,
    );
    expect(text).toMatch(/^ {6}9090 ✖ {2}1: env-7$/m);
    expect(text).toMatch(/^ {2}cpu: 1 \(all\)$/m);
  });

  it("renders Markdown with a table and the findings, escaping pipes", () => {
    const facts = withTarget(driftFacts(), "production", { args: ["a|b"] });
    const md = renderMarkdown(report(facts));
    expect(md).toContain("| fact | local | staging | production |");
    expect(md).toContain(
      "| **command/args** ≠ | **`(image default)`** | **`(image default)`** | ❌ **`a\\|b`** |",
    );
    expect(md).toContain("- ❌ **entry**: Container command/args differs");
  });

  it("marks Markdown rows like the text matrix: ≠ where a rule fired, ~ where a difference is allowed, with the legend", () => {
    const facts = withTarget(driftFacts(), "production", { digest: DIGEST_B });
    const md = renderMarkdown(report(facts));
    expect(md).toMatch(/^\| \*\*image digest\*\* ≠ \| .* \| ❌ \*\*`sha256:bbbbbbbbbbbb`\*\* \|$/m);
    // BUILD_TARGET's value differs per environment and no rule objects: allowed, not drift.
    expect(md).toMatch(
      /^\| env BUILD_TARGET ~ \| `sha256:local0000000` \| `sha256:staging00000` \| `sha256:production00` \|$/m,
    );
    expect(md).toMatch(/^\| port \| `8080` \| `8080` \| `8080` \|$/m);
    expect(md).toContain("≠ differs and a rule fired · ~ differs, allowed · ❌ error · ⚠️ warning");
    expect(md.match(/≠/g)).toHaveLength(2); // the digest row and the legend
  });

  it("marks a row a rule fired on even when its values are equal (two front ends naming one server)", () => {
    const server = "ws://127.0.0.1:10007";
    let facts = withTarget(driftFacts(), "staging", {
      uri: "http://127.0.0.1:10007",
      web: { url: "http://s/echogate.json", status: "ok", serverUrl: server },
    });
    facts = withTarget(facts, "production", {
      web: { url: "http://p/echogate.json", status: "ok", serverUrl: server },
    });
    const text = renderText(report(facts), style);
    expect(text).toMatch(
      /^≠ web → server\s+—\s+ws:\/\/127\.0\.0\.1:10007\s+ws:\/\/127\.0\.0\.1:10007 ✖\s+← web-server-url$/m,
    );
  });

  it("escapes GitHub annotation data and properties", () => {
    const lines = githubAnnotations([
      {
        rule: "r",
        severity: "warning",
        fact: "f",
        columns: [],
        message: "50% off\nnext",
        location: { file: "a,b:c.yaml", line: 3 },
      },
    ]);
    expect(lines).toEqual([
      "::warning file=a%2Cb%3Ac.yaml,line=3,title=echogate drift%3A r::50%25 off%0Anext",
    ]);
  });

  it("exits 3 when a service couldn't be read, even with drift", () => {
    const facts = withTarget(
      withTarget(driftFacts(), "local", { status: "error", detail: "Failed to read" }),
      "production",
      { digest: DIGEST_B },
    );
    expect(report(facts).exitCode).toBe(3);
    expect(report(driftFacts()).exitCode).toBe(0);
  });
});
