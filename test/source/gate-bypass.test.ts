import { describe, expect, it } from "vitest";
import { findGateBypasses } from "../../deploy/source/gate-bypass.js";
import { CONSISTENT_SOURCES, driftProject } from "../drift/project.js";
import { lines } from "../helpers/lines.js";
import { runEchogate } from "../helpers/run-cli.js";

describe("deploys that skip the gate", () => {
  it.each([
    ["a shell step", "  - run: gcloud run deploy chat --image $IMAGE --allow-unauthenticated"],
    ["a beta traffic update", "gcloud beta run services update-traffic chat --to-latest"],
    [
      "Cloud Build flow args",
      "    args: ['run', 'deploy', 'chat', '--image', '$_IMAGE', '--allow-unauthenticated']",
    ],
    ["an npm script", '    "deploy": "gcloud run services replace service.yaml"'],
  ])("finds %s", (_what, line) => {
    expect(findGateBypasses(lines("steps:", line))).toEqual([{ line: 2, text: line.trim() }]);
  });

  it("finds Cloud Build's block-list args", () => {
    const text = lines(
      "  - name: gcr.io/google.com/cloudsdktool/cloud-sdk",
      "    entrypoint: gcloud",
      "    args:",
      "      - run",
      "      - deploy",
      "      - chat",
    );
    expect(findGateBypasses(text).map((f) => f.line)).toEqual([4]);
  });

  it.each([
    ["echogate itself", '  - run: npx echogate deploy staging --image "$IMAGE"'],
    ["a comment", "# gcloud run deploy is what we used before echogate"],
    ["reading a service", "gcloud run services describe chat --format=json"],
    ["a docker build", "    args: ['build', '-t', '$_IMAGE', '.']"],
  ])("leaves %s alone", (_what, line) => {
    expect(findGateBypasses(lines(line))).toEqual([]);
  });

  it("drift --source fails naming the Cloud Build file and line of a gcloud deploy", async () => {
    const cwd = await driftProject({
      environments: { staging: {}, production: { promotesFrom: "staging" } },
      sources: {
        ...CONSISTENT_SOURCES,
        "deployment/cloudbuild.deploy.yaml": lines(
          "steps:",
          "  - name: gcr.io/google.com/cloudsdktool/cloud-sdk",
          "    entrypoint: gcloud",
          "    args: ['run', 'deploy', 'chat', '--image', '$_IMAGE', '--allow-unauthenticated']",
        ),
      },
    });
    const run = await runEchogate(["drift", "--source", "--json"], { cwd });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    const report = run.json<{ findings: { rule: string; location?: { file: string; line: number } }[] }>();
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        rule: "deploys-through-gate",
        location: expect.objectContaining({ file: "deployment/cloudbuild.deploy.yaml", line: 4 }),
      }),
    );
  });
});
