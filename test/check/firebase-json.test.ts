import { servingConfigProblem } from "@echogate/common/serving-config";
import { describe, expect, it } from "vitest";
import type { CheckProblem } from "../../deploy/cli/api.js";
import { loadFirebaseJson } from "../../deploy/config/load-firebase-json.js";
import { firebaseServingFor, type RunHome, runHomeOf } from "../../deploy/config/run-rewrites.js";
import { lineContaining, type ProjectFiles, withFile } from "../helpers/env-fixtures.js";
import { runEchogate } from "../helpers/run-cli.js";
import { testdir } from "../helpers/testdir.js";

// The fixture's services: production echogate-chat, staging echogate-chat-staging, on sites
// echogate-demo (production, and preview's pr-42 channel) and echogate-demo-staging.
const CROSSED = `{
  "hosting": [
    {
      "site": "echogate-demo", // production's site; comments are allowed, as the Firebase CLI allows them
      "public": "web/public", /* "public": "out",
      an old value */
      "rewrites": [
        { "source": "/api/**", "run": { "serviceId": "echogate-chat-staging", "region": "us-central1" } },
        { "source": "**", "destination": "/index.html" }
      ]
    },
    {
      "target": "staging",
      "public": "web/public",
      "rewrites": [{ "source": "/api/**", "run": { "serviceId": "echogate-chat" } }]
    }
  ]
}
`;

const FIREBASERC = JSON.stringify({
  projects: { default: "echogate-demo" },
  targets: { "echogate-demo": { hosting: { staging: ["echogate-demo-staging"] } } },
});

const problemsOf = async (files: ProjectFiles) => {
  const cwd = await testdir(files);
  const run = await runEchogate(["check", "--json"], { cwd });
  return { run, problems: run.json<{ problems: CheckProblem[] }>().problems };
};

describe("check reads firebase.json", () => {
  it("refuses production's run rewrite to staging's service (exit 1, naming firebase.json, the line and key)", async () => {
    const { run, problems } = await problemsOf({
      ...withFile("firebase.json", CROSSED),
      ".firebaserc": FIREBASERC,
    });
    expect(run.exitCode).toBe(1);
    const crossed = problems.filter((p) => p.code === "firebase-json.other-environment-service");
    const line = lineContaining(CROSSED, '"serviceId": "echogate-chat-staging"');
    // production and preview (its channel is on the same site) would both call staging's server.
    // Staging's block (a target resolved through .firebaserc) names production's service: allowed,
    // echogate sends it to staging's own.
    expect(crossed.map((p) => /on (\w+)'s site/.exec(p.message)?.[1]).sort()).toEqual([
      "preview",
      "production",
    ]);
    for (const problem of crossed)
      expect(problem).toMatchObject({
        file: "firebase.json",
        line,
        keyPath: "hosting[0].rewrites[0].run.serviceId",
      });
    const unmatched = problems.filter((p) => p.code === "firebase-json.no-block");
    expect(unmatched.map((p) => [p.message, p.line])).toEqual([
      [
        "firebase.json has no hosting block for local's site echogate-local: its versions get no rewrites, redirects or headers.",
        2,
      ],
    ]);
    expect(crossed.find((p) => p.message.includes("production's"))?.message).toBe(
      "Can't send /api/** on production's site echogate-demo to Cloud Run service echogate-chat-staging: it is staging's service, so production's front end would talk to staging's server.",
    );
  });

  it("passes production's service named in one block for every environment, each resolved to its own", async () => {
    const single = `{ "hosting": { "public": "web/public", "rewrites": [{ "source": "/api/**", "run": { "serviceId": "echogate-chat", "region": "europe-west1" } }] } }`;
    const cwd = await testdir(withFile("firebase.json", single));
    const run = await runEchogate(["check"], { cwd });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const loaded = await loadFirebaseJson(cwd);
    const homes: RunHome[] = [
      { environment: "staging", kind: "staging", service: "echogate-chat-staging", regions: ["us-central1"] },
      { environment: "production", kind: "production", service: "echogate-chat", regions: ["us-central1"] },
    ];
    const served = (i: number) =>
      firebaseServingFor(loaded, { ...homes[i]!, site: "any-site", project: "echogate-demo" }, homes).config;
    // The region is the environment's own: its service runs there, not where firebase.json says.
    expect(served(0)?.rewrites).toEqual([
      { glob: "/api/**", run: { serviceId: "echogate-chat-staging", region: "us-central1" } },
    ]);
    expect(served(1)?.rewrites).toEqual([
      { glob: "/api/**", run: { serviceId: "echogate-chat", region: "us-central1" } },
    ]);
    // A preview deploys its branch's own service (not its environment's base name): that one.
    const preview = runHomeOf(
      {
        name: "preview",
        config: { kind: "preview", service: { name: "echogate-chat-preview", regions: ["europe-west1"] } },
      },
      "echogate-chat-preview-feat-x",
    );
    const branch = firebaseServingFor(loaded, { ...preview, site: "any-site", project: "echogate-demo" }, [
      ...homes,
      runHomeOf({
        name: "preview",
        config: { kind: "preview", service: { name: "echogate-chat-preview", regions: ["europe-west1"] } },
      }),
    ]);
    expect(branch.config?.rewrites).toEqual([
      { glob: "/api/**", run: { serviceId: "echogate-chat-preview-feat-x", region: "europe-west1" } },
    ]);
    expect(servingConfigProblem(branch.config)).toBeUndefined();
    // One block naming its site is that site's only.
    const named = await loadFirebaseJson(
      await testdir({ "firebase.json": `{ "hosting": { "site": "prod-site", "cleanUrls": true } }` }),
    );
    const on = (site: string) =>
      firebaseServingFor(named, { ...homes[0]!, site, project: "echogate-demo" }, homes).config;
    expect([on("prod-site"), on("other-site")]).toEqual([{ cleanUrls: true }, undefined]);
  });

  it("warns when firebase.json's public directory is not hosting.publicDir (exit 0)", async () => {
    const text = `{\n  "hosting": {\n    "public": "dist"\n  }\n}\n`;
    const { run, problems } = await problemsOf(withFile("firebase.json", text));
    expect(run.exitCode).toBe(0);
    const warned = problems.filter((p) => p.code === "firebase-json.public-dir");
    expect(warned).toHaveLength(4);
    expect(warned[0]).toMatchObject({ file: "firebase.json", line: 3, keyPath: "hosting.public" });
    expect(warned[0]?.message).toMatch(
      /^firebase\.json publishes dist for \w+'s site [\w-]+, but echogate uploads hosting\.publicDir \(web\/public\)\.$/,
    );
  });

  it("refuses an invalid hosting block (exit 2) naming each key and line", async () => {
    const broken = `{
  "hosting": {
    "public": "web/public",
    "rewrites": [{ "source": "**", "regex": "^/x$", "destination": "/index.html" }],
    "redirects": [{ "source": "/old", "destination": "/new", "type": 307 }],
    "cleanURLs": true
  }
}
`;
    const { run, problems } = await problemsOf(withFile("firebase.json", broken));
    expect(run.exitCode).toBe(2);
    const mine = problems.filter((p) => p.file === "firebase.json");
    expect(mine.map((p) => [p.line, p.keyPath])).toEqual([
      [lineContaining(broken, '"regex"'), "hosting.rewrites[0].regex"],
      [lineContaining(broken, '"type": 307'), "hosting.redirects[0].type"],
      [lineContaining(broken, "cleanURLs"), "hosting.cleanURLs"],
    ]);
    expect(mine.at(-1)?.message).toBe('Unknown key "cleanURLs".');
  });
});
