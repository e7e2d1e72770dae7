import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage, type TestImage } from "../helpers/images.js";
import { fastSmoke } from "../helpers/project.js";

// The event contract (docs/reference.md, "JSON events"): every step.start is closed by a step.done
// or a step.fail of the same step, whether the command succeeds or fails.

const TINY_SERVER = `import { createServer } from "node:http";
createServer((req, res) => res.end("ok")).listen(Number(process.env.PORT), "0.0.0.0");
`;

let good: TestImage;
let second: TestImage;
let crashing: TestImage;

const project = useEmulatedProject((files) => {
  fastSmoke(files);
  files["package.json"] = JSON.stringify({
    name: "fixture",
    version: "0.1.0",
    private: true,
    scripts: { dev: "tsx src/main.ts" },
  });
  files["src/main.ts"] = TINY_SERVER;
  files.Dockerfile = [
    "FROM node:20-slim AS build",
    "COPY . .",
    "RUN npx esbuild src/main.ts --bundle --platform=node --outfile=dist/server.js",
    "FROM node:20-slim",
    "COPY --from=build /dist/server.js ./server.js",
    'CMD ["node", "server.js"]',
    "",
  ].join("\n");
});
beforeAll(async () => {
  [good, second, crashing] = await Promise.all([
    makeImage(project.dir, { version: "0.1.0+aaaaaaa" }),
    makeImage(project.dir, { version: "0.1.0+bbbbbbb" }),
    makeImage(project.dir, { version: "0.1.0+ccccccc", code: "process.exit(1);" }),
  ]);
}, 30_000);

interface StepEvent {
  event: string;
  step?: string;
}

/** The step names opened and never closed, in the order they were opened. */
function unclosed(events: readonly StepEvent[]): string[] {
  const open: string[] = [];
  for (const event of events) {
    if (event.event === "step.start") open.push(event.step!);
    if (event.event === "step.done" || event.event === "step.fail") {
      const at = open.lastIndexOf(event.step!);
      expect(at, `${event.event} of ${event.step} that never started`).toBeGreaterThanOrEqual(0);
      open.splice(at, 1);
    }
  }
  return open;
}

async function events(...argv: string[]): Promise<{ exitCode: number; stdout: string; events: StepEvent[] }> {
  const run = await project.echogate(...argv, "--json");
  const lines = run.stderr.trim().split("\n").filter(Boolean);
  return {
    exitCode: run.exitCode,
    stdout: run.stdout,
    events: lines.map((line) => JSON.parse(line) as StepEvent),
  };
}

describe("every started step ends with step.done or step.fail", () => {
  it("holds for each command's --json event stream, passing or failing", async () => {
    const runs: Array<[string[], number]> = [
      [["check"], 0],
      [["build"], 0],
      [["deploy", "staging", "--image", good.digest, "--dry-run"], 0],
      [["deploy", "staging", "--image", good.digest], 0],
      [["deploy", "staging", "--image", second.digest], 0],
      [["promote", "production", "--server-only"], 0],
      [["rollback", "staging"], 0],
      [["status"], 0],
      [["smoke", "--env", "staging"], 0],
      [["drift", "--env", "staging", "--env", "production"], 1],
      [["deploy", "staging", "--image", crashing.digest], 1],
    ];
    const resultFields = new Map<string, Set<string>>();
    for (const [argv, exitCode] of runs) {
      const run = await events(...argv);
      expect(run.exitCode, `${argv.join(" ")}: ${run.stdout.slice(0, 600)}`).toBe(exitCode);
      const result = JSON.parse(run.stdout) as Record<string, unknown>;
      if (!("error" in result)) {
        const command = argv.includes("--dry-run") ? `${argv[0]} --dry-run` : argv[0]!;
        const fields = resultFields.get(command) ?? new Set<string>();
        for (const key of Object.keys(result)) fields.add(key);
        resultFields.set(command, fields);
      }
      expect(unclosed(run.events), argv.join(" ")).toEqual([]);
      const steps = run.events.filter((e) => e.event === "step.start").length;
      if (argv[0] !== "check" && argv[0] !== "status") expect(steps, argv.join(" ")).toBeGreaterThan(0);
      // A command that passed failed none of its steps.
      if (exitCode === 0)
        expect(
          run.events.filter((e) => e.event === "step.fail"),
          argv.join(" "),
        ).toEqual([]);
    }
    // docs/reference.md ("JSON results") lists each command's top-level result fields: the same ones.
    const observed = Object.fromEntries(
      [...resultFields].map(([command, fields]) => [command, [...fields].sort()]),
    );
    expect(documentedResultFields()).toEqual(observed);
  }, 120_000);
});

function documentedResultFields(): Record<string, string[]> {
  const reference = readFileSync(join(import.meta.dirname, "../../docs/reference.md"), "utf8");
  const table = /<!-- json-results -->([\s\S]*?)<!-- \/json-results -->/.exec(reference)?.[1] ?? "";
  const rows = table.split("\n").filter((line) => /^\| `/.test(line));
  return Object.fromEntries(
    rows.map((row) => {
      const [command = "", fields = ""] = row.split("|").slice(1, 3);
      const names = [...fields.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
      return [command.trim().replaceAll("`", ""), names.sort()];
    }),
  );
}
