import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// What zizmor audits and actionlint doesn't: actions pinned by commit, no credentials left in
// checkouts, least permissions per job, no dependency cache in a release job. Plus the runtimes:
// Node 22 in the workflows and the Cloud Build gate step, google-github-actions/auth v3.

const ROOT = resolve(import.meta.dirname, "../..");
const WORKFLOWS = join(ROOT, ".github/workflows");
const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name));

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string> | string;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown> | string | string[];
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const workflows = files.map((file) => {
  const text = readFileSync(join(WORKFLOWS, file), "utf8");
  return { file, text, doc: parse(text) as Workflow };
});
const steps = workflows.flatMap(({ file, doc }) =>
  Object.entries(doc.jobs).flatMap(([job, { steps = [] }]) =>
    steps.map((step) => ({ where: `${file} ${job}`, job, step })),
  ),
);

/** Every `uses:` line of the workflows and action.yml, with its trailing comment. */
const usesLines = [
  ...workflows.map(({ file, text }) => ({ file, text })),
  {
    file: "action.yml",
    text: readFileSync(join(ROOT, "action.yml"), "utf8"),
  },
].flatMap(({ file, text }) =>
  text
    .split("\n")
    .map((line, index) => ({ where: `${file}:${index + 1}`, line: line.trim() }))
    .filter(({ line }) => /^(- )?uses:/.test(line)),
);

const triggers = (doc: Workflow): string[] =>
  typeof doc.on === "string" ? [doc.on] : Array.isArray(doc.on) ? doc.on : Object.keys(doc.on);

describe("shipped GitHub workflows", () => {
  it("pin every third-party action by full commit SHA with its tag in a comment", () => {
    expect(usesLines.length).toBeGreaterThan(10);
    const unpinned = usesLines.filter(
      ({ line }) =>
        !/^(- )?uses: \.\/?$/.test(line) &&
        !/^(- )?uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/.test(line),
    );
    expect(unpinned).toEqual([]);
  });

  it("pin each action to one commit everywhere (one tag, one SHA)", () => {
    const pins = new Map<string, Set<string>>();
    for (const { line } of usesLines) {
      const match = line.match(/uses: ([^@\s]+)@([0-9a-f]{40}) # (\S+)/);
      if (match) pins.set(match[1]!, (pins.get(match[1]!) ?? new Set()).add(`${match[2]} ${match[3]}`));
    }
    expect([...pins].filter(([, pinned]) => pinned.size > 1)).toEqual([]);
    expect([...pins.keys()].sort()).toEqual([
      "actions/checkout",
      "actions/setup-node",
      "actions/upload-artifact",
      "google-github-actions/auth",
    ]);
  });

  it("leave no credentials in any checkout", () => {
    const checkouts = steps.filter(({ step }) => step.uses?.startsWith("actions/checkout@"));
    expect(checkouts.length).toBe(6);
    for (const { where, step } of checkouts) expect(step.with?.["persist-credentials"], where).toBe(false);
  });

  it("grant nothing at the top level and each job only what it uses (id-token only to jobs that authenticate to Google)", () => {
    for (const { file, doc } of workflows) {
      expect([{}, { contents: "read" }], file).toContainEqual(doc.permissions);
      for (const [job, { permissions, steps: jobSteps = [] }] of Object.entries(doc.jobs)) {
        const where = `${file} jobs.${job}`;
        expect(typeof permissions, `${where} declares its permissions`).toBe("object");
        const granted = permissions as Record<string, string>;
        const authenticates = jobSteps.some((step) => step.uses?.startsWith("google-github-actions/auth@"));
        expect(granted["id-token"] === "write", `${where}: id-token: write iff it authenticates`).toBe(
          authenticates,
        );
        for (const [scope, level] of Object.entries(granted)) {
          if (level !== "write") continue;
          expect(["id-token", "pull-requests"], `${where}: ${scope}: write`).toContain(scope);
        }
      }
    }
  });

  it("use google-github-actions/auth v3 and Node 22", () => {
    const auth = usesLines.filter(({ line }) => line.includes("google-github-actions/auth@"));
    expect(auth.length).toBeGreaterThanOrEqual(5);
    for (const { where, line } of auth) expect(line, where).toMatch(/ # v3(\.\d+)*$/);
    const setupNode = steps.filter(({ step }) => step.uses?.startsWith("actions/setup-node@"));
    expect(setupNode.length).toBe(6);
    for (const { where, step } of setupNode) expect(step.with?.["node-version"], where).toBe(22);
  });

  it("cache no dependencies in a job a release triggers", () => {
    const released = workflows.filter(({ doc }) => triggers(doc).includes("release"));
    expect(released.map(({ file }) => file)).toEqual(["production.yml"]);
    for (const { file, doc } of released)
      for (const [job, { steps: jobSteps = [] }] of Object.entries(doc.jobs))
        for (const step of jobSteps.filter((s) => s.uses?.startsWith("actions/setup-node@"))) {
          expect(step.with, `${file} ${job}`).not.toHaveProperty("cache");
          expect(step.with?.["package-manager-cache"], `${file} ${job}`).toBe(false);
        }
  });

  it("run echogate's own steps through the action (uses: ./) where outputs matter", () => {
    const local = steps.filter(({ step }) => step.uses === "./");
    expect(local.map(({ where, step }) => `${where} ${step.with?.command}`)).toEqual(
      expect.arrayContaining(["staging.yml staging deploy", "production.yml production promote"]),
    );
  });
});

describe("cloudbuild.yaml", () => {
  it("runs the gate step on Node 22", () => {
    const doc = parse(readFileSync(join(ROOT, "cloudbuild.yaml"), "utf8")) as {
      steps: { id?: string; name: string }[];
    };
    expect(doc.steps.find((step) => step.id === "gate")?.name).toBe("node:22-slim");
  });
});

describe("package.json", () => {
  it("says what is tested: Node 20 and later", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(">=20");
  });
});
