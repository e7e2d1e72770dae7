// Journey: Next.js and Vite front ends built by their own CLIs.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readFrontEnd } from "../../deploy/hosting/read-front-end.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";
import { echogate } from "../helpers/project.js";
import { getText, hostingEmulator } from "./fixtures.js";
import { fixtureProject, installSeconds } from "./framework-fixture.js";
import { VITE_BUILD } from "./vite-project.js";

// One project per front-end framework, built by the framework's own CLI: `init --yes`, hosting as
// the front-end detector proposes it, a staging web deploy through the pair gate on the
// emulators, a promotion to production, and a production build carrying staging's server refused.

const emulators: TestEmulator[] = [];
afterAll(async () => {
  await Promise.allSettled(emulators.map((emulator) => emulator.close()));
  if (Object.keys(installSeconds).length > 0) console.log(`npm ci (s): ${JSON.stringify(installSeconds)}`);
});

interface WebJson {
  url: string;
  mode: string;
  webDigest?: string;
  scanWarnings: string[];
  scanAccepted: unknown[];
}
interface ErrorJson {
  error: { code: string; message: string; hint?: string };
}

/** Builds may not phone home from a test (Next.js telemetry). */
const QUIET = { NEXT_TELEMETRY_DISABLED: "1" };

/**
 * `init --yes`, then its drafted `hosting:` block uncommented (a plain static site, which init
 * leaves to the user, gets the block detectWebFrontEnd proposes); the fixture's env schema and env
 * files are the user's, kept by init.
 */
async function initProject(fixture: string, site: string) {
  const cwd = await fixtureProject(fixture);
  const init = await echogate(cwd, QUIET, "init", "--yes");
  expect(init.exitCode, init.stderr).toBe(0);
  const frontEnd = readFrontEnd(cwd, ".");
  for (const name of ["staging", "production"]) {
    const file = join(cwd, "environments", `${name}.yaml`);
    const text = await readFile(file, "utf8");
    // The Vite fixture has its environments already (init keeps them); its build runs the repo's vite.
    if (text.includes("\nhosting:")) {
      await writeFile(file, text.replace("command: npx vite build --outDir dist", `command: ${VITE_BUILD}`));
      continue;
    }
    const drafted = uncommentHosting(text);
    if (drafted !== undefined) {
      // init drafts the block detectWebFrontEnd proposes (commented): uncomment it, as its comment says.
      expect(drafted).toContain(`publicDir: ${frontEnd.publicDir}`);
      expect(drafted).toContain(`site: ${site}-${name}`);
      await writeFile(
        file,
        [
          drafted.replace(/build: \{ command: (.*) \}/, "build: { command: $1, timeoutS: 240 }").trimEnd(),
          "smoke:",
          "  health: { timeoutMs: 3000 }",
          "  echo: { timeoutMs: 1500 }",
          "",
        ].join("\n"),
      );
      continue;
    }
    await writeFile(
      file,
      [
        text.trimEnd(),
        "hosting:",
        "  provider: local",
        `  site: ${site}-${name}`,
        `  publicDir: ${frontEnd.publicDir}`,
        `  mode: ${frontEnd.mode}`,
        ...(frontEnd.buildCommand
          ? ["  build:", `    command: ${frontEnd.buildCommand}`, "    timeoutS: 240"]
          : []),
        "smoke:",
        "  health: { timeoutMs: 3000 }",
        "  echo: { timeoutMs: 1500 }",
        "",
      ].join("\n"),
    );
  }
  return { cwd, frontEnd };
}

/** The environment YAML with init's commented `hosting:` block uncommented; undefined when init drafted none. */
function uncommentHosting(text: string): string | undefined {
  const lines = text.split("\n");
  const start = lines.indexOf("# hosting:");
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && lines[end]!.startsWith("#   ")) end++;
  const block = lines.slice(start, end).map((line) => line.slice(2).replace(/ {2}# firebase on Google$/, ""));
  return [...lines.slice(0, start), ...block, ...lines.slice(end)].join("\n");
}

async function deployStaging(fixture: string, site: string) {
  const { cwd, frontEnd } = await initProject(fixture, site);
  const checked = await echogate(cwd, QUIET, "check", "--env", "staging", "--env", "production", "--json");
  const problems = checked.json<{ problems?: { code: string; message: string }[] }>().problems;
  expect(problems, `${checked.stdout}${checked.stderr}`).toBeDefined();
  expect(
    problems!.filter((p) => p.code.startsWith("web.")),
    checked.stdout,
  ).toEqual([]);
  const cloudRun = await startTestEmulator(cwd);
  emulators.push(cloudRun);
  const { emulator: hosting } = await hostingEmulator({
    dir: join(cwd, ".echogate", "hosting"),
    sites: [`${site}-staging`, `${site}-production`],
  });
  const env = { ...cloudRun.env, ...QUIET, ECHOGATE_HOSTING_URL: hosting.url };
  const run = (...argv: string[]) => echogate(cwd, env, ...argv);
  const image = await makeImage(cwd, { version: "0.1.0+aaaaaaa" });
  const deployed = await run("deploy", "staging", "--image", image.digest, "--json");
  expect(deployed.exitCode, deployed.stderr).toBe(0);
  const stagingServer = deployed.json<{ outcome: { url: string } }>().outcome.url;
  const started = performance.now();
  const staged = await run("web", "deploy", "staging", "--json");
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  expect(staged.exitCode, staged.stderr).toBe(0);
  expect(staged.stderr).toContain("pair gate");
  return { cwd, run, hosting, stagingServer, frontEnd, staged: staged.json<WebJson>(), seconds };
}

/** Every text file the live channel serves that the page links, joined. */
async function servedText(url: string, paths: readonly string[]): Promise<string> {
  const texts = await Promise.all(paths.map(async (path) => (await getText(`${url}${path}`)).text));
  return texts.join("\n");
}

describe("front-end frameworks, built by their real CLIs", () => {
  it("Next.js static export (App and Pages Router): builds in place, NEXT_PUBLIC_* through template mode, promotes the gated template", async () => {
    const { cwd, run, hosting, stagingServer, frontEnd, staged, seconds } = await deployStaging(
      "web-next",
      "next-chat",
    );
    console.log(`next: web deploy staging (template build with next build) ${seconds} s`);
    expect(frontEnd).toMatchObject({ framework: "next", publicDir: "out", mode: "template" });
    expect(staged).toMatchObject({ mode: "template", webDigest: expect.stringMatching(/^[0-9a-f]{40}$/) });
    // Next.js's own runtime ("localhost"===host in its URL parser) is not a finding.
    expect(staged.scanWarnings).toEqual([]);
    expect(staged.scanAccepted).toEqual([]);

    const promoted = await run("promote", "production", "--json");
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const { outcome, web } = promoted.json<{ outcome: { url: string }; web: WebJson }>();
    expect(web).toMatchObject({ mode: "template", webDigest: staged.webDigest });
    expect(promoted.stderr).not.toContain("build the template");

    // Each site carries its own server and name; the Pages Router page is there too.
    const production = hosting.channelUrl("next-chat-production", "live")!;
    const page = (await getText(`${production}/`)).text;
    expect(page).toContain('<h1 id="title">Chat</h1>');
    const stagingPage = (await getText(`${hosting.channelUrl("next-chat-staging", "live")}/`)).text;
    expect(stagingPage).toContain('<h1 id="title">Chat (staging)</h1>');
    expect((await getText(`${production}/about.html`)).text).toContain("Chat on");
    const chunks = [...page.matchAll(/\/_next\/static\/chunks\/[\w.-]+\.js/g)].map((m) => m[0]);
    const bundle = await servedText(production, chunks);
    expect(bundle).toContain(outcome.url.replace(/^http/, "ws"));
    expect(bundle).not.toContain("__ECHOGATE_");
    expect(bundle).not.toContain(new URL(stagingServer).host);

    // A production build with staging's server hard-coded is refused before upload.
    const chat = join(cwd, "app", "chat.js");
    await writeFile(
      chat,
      (await readFile(chat, "utf8")).replace(
        "export default function Chat",
        `globalThis.fallbackServers = ["${stagingServer.replace(/^http/, "ws")}"];\n\nexport default function Chat`,
      ),
    );
    const refused = await run("web", "deploy", "production", "--upload", "--json");
    expect(refused.exitCode, refused.stderr).toBe(1);
    const error = refused.json<ErrorJson>().error;
    expect(error.code).toBe("hosting.bundle-scan");
    expect(error.message).toContain(`contains staging's live server "${new URL(stagingServer).host}"`);
    expect(error.hint).toContain("process.env.NEXT_PUBLIC_SERVER_URL");
  }, 240_000);

  it("Vite: init keeps the environments, the detector agrees with them, staging to production, staging's server refused", async () => {
    const { cwd, run, stagingServer, frontEnd, staged } = await deployStaging("vite-web", "vite-chat");
    expect(frontEnd).toMatchObject({ framework: "vite", publicDir: "dist", mode: "template" });
    expect(staged.mode).toBe("template");
    const promoted = await run("promote", "production", "--json");
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(promoted.json<{ web: WebJson }>().web.webDigest).toBe(staged.webDigest);
    const main = join(cwd, "src", "main.js");
    await writeFile(
      main,
      `${await readFile(main, "utf8")}globalThis.fallbackServers = ["${stagingServer.replace(/^http/, "ws")}"];\n`,
    );
    const refused = await run("web", "deploy", "production", "--upload", "--json");
    expect(refused.exitCode, refused.stderr).toBe(1);
    const error = refused.json<ErrorJson>().error;
    expect(error.message).toContain(`contains staging's live server "${new URL(stagingServer).host}"`);
    expect(error.hint).toContain("import.meta.env.VITE_SERVER_URL");
  }, 90_000);

  it("Create React App conventions (REACT_APP_*, build/), built by esbuild", async () => {
    const { cwd, run, hosting, stagingServer, frontEnd, staged } = await deployStaging("web-cra", "cra-chat");
    expect(frontEnd).toMatchObject({
      framework: "cra",
      publicDir: "build",
      mode: "template",
      buildCommand: "npm run build",
    });
    expect(staged.mode).toBe("template");
    const promoted = await run("promote", "production", "--json");
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const { outcome, web } = promoted.json<{ outcome: { url: string }; web: WebJson }>();
    expect(web.webDigest).toBe(staged.webDigest);
    const production = hosting.channelUrl("cra-chat-production", "live")!;
    const page = (await getText(`${production}/`)).text;
    const script = /src="(\/static\/js\/[\w.-]+\.js)"/.exec(page)![1]!;
    const bundle = (await getText(`${production}${script}`)).text;
    expect(bundle).toContain(outcome.url.replace(/^http/, "ws"));
    expect(bundle).toContain('"Chat"');

    const app = join(cwd, "src", "App.jsx");
    await writeFile(
      app,
      (await readFile(app, "utf8")).replace(
        "export function App",
        `globalThis.fallbackServers = ["${stagingServer.replace(/^http/, "ws")}"];\n\nexport function App`,
      ),
    );
    const refused = await run("web", "deploy", "production", "--upload", "--json");
    expect(refused.exitCode, refused.stderr).toBe(1);
    const error = refused.json<ErrorJson>().error;
    expect(error.code).toBe("hosting.bundle-scan");
    expect(error.hint).toContain("process.env.REACT_APP_SERVER_URL");
  }, 120_000);

  it("a plain static site reads /echogate.json (runtime-config), promoted by cloning", async () => {
    const { cwd, run, hosting, stagingServer, frontEnd, staged } = await deployStaging(
      "web-static",
      "static-chat",
    );
    expect(frontEnd).toMatchObject({ framework: "static", publicDir: "web/public", mode: "runtime-config" });
    expect(staged.mode).toBe("runtime-config");
    const promoted = await run("promote", "production", "--json");
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    const { outcome } = promoted.json<{ outcome: { url: string } }>();
    const production = hosting.channelUrl("static-chat-production", "live")!;
    const config = JSON.parse((await getText(`${production}/echogate.json`)).text) as { serverUrl: string };
    expect(config.serverUrl).toBe(outcome.url.replace(/^http/, "ws"));

    // A loopback URL the page connects to is refused, until bundle-scan.yaml accepts it with a reason.
    const app = join(cwd, "web", "public", "app.js");
    const original = await readFile(app, "utf8");
    await writeFile(app, `${original}if (isLocal) fetch("http://localhost:3001/debug");\n`);
    const loopback = await run("web", "deploy", "staging", "--json");
    expect(loopback.exitCode).toBe(1);
    const loopbackError = loopback.json<ErrorJson>().error;
    expect(loopbackError.message).toContain("/app.js:21:");
    expect(loopbackError.message).toContain('contains a loopback address in a URL "localhost:3001"');
    expect(loopbackError.hint).toContain("environments/bundle-scan.yaml");
    await writeFile(
      join(cwd, "environments", "bundle-scan.yaml"),
      "accept:\n  - host: localhost:3001\n    files: [/app.js]\n    environments: [staging]\n    reason: The debug probe runs only when the page itself is on localhost.\n",
    );
    const accepted = await run("web", "deploy", "staging", "--json");
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    expect(accepted.json<WebJson>().scanAccepted).toEqual([
      {
        finding: expect.stringMatching(
          /^\/app\.js:21:\d+ \(byte \d+\): contains a loopback address in a URL "localhost:3001"$/,
        ),
        reason: "The debug probe runs only when the page itself is on localhost.",
        acceptedBy: "environments/bundle-scan.yaml:2",
      },
    ]);
    expect(accepted.stderr).toContain("accepted /app.js:21:");

    // Staging's server in production's upload is refused (and can't be accepted).
    await writeFile(app, `${original}const fallback = "${stagingServer}";\n`);
    const refused = await run("web", "deploy", "production", "--upload", "--json");
    expect(refused.exitCode).toBe(1);
    expect(refused.json<ErrorJson>().error.message).toContain("staging's live server");
  }, 60_000);
});
