import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEchogate } from "../helpers/run-cli.js";
import { hostingEmulator } from "./fixtures.js";
import { VITE_SITES, viteProject } from "./vite-project.js";

interface ErrorJson {
  error: { code: string; message: string; hint?: string; location?: { file: string } };
}

/** The Vite example with staging's build command replaced (and, optionally, timeoutS). */
async function projectBuilding(command: string, extra: Record<string, string> = {}, timeoutS = 120) {
  return viteProject((files) => {
    files["environments/staging.yaml"] = files["environments/staging.yaml"]!.replace(
      /command: .*\n/,
      `command: ${JSON.stringify(command)}\n`,
    ).replace("timeoutS: 120", `timeoutS: ${timeoutS}`);
    Object.assign(files, extra);
  });
}

async function webDeployStaging(cwd: string) {
  const { emulator } = await hostingEmulator({ sites: VITE_SITES });
  emulator.resetStats();
  const run = await runEchogate(
    ["web", "deploy", "staging", "--server-url", "http://127.0.0.1:9", "--json"],
    {
      cwd,
      env: { ECHOGATE_HOSTING_URL: emulator.url },
    },
  );
  return { run, emulator, error: () => run.json<ErrorJson>().error };
}

/** A "bundler" that writes the value split in two, as a minifier folding string concatenation might not. */
const SPLITTING_BUILD = [
  "const fs = require('node:fs');",
  "fs.mkdirSync('dist/assets', { recursive: true });",
  "const v = process.env.VITE_SERVER_URL;",
  "fs.writeFileSync('dist/index.html', '<script src=/assets/app-1a2b3c4d.js></script>');",
  "fs.writeFileSync('dist/assets/app-1a2b3c4d.js', 'const u = ' + JSON.stringify(v.slice(0, 10)) + ' + ' + JSON.stringify(v.slice(10)) + ';');",
].join("\n");

describe("build-time web builds: bad input is refused before anything is uploaded", () => {
  it("refuses a placeholder the bundler split, naming the file and the variable (exit 1)", async () => {
    const cwd = await projectBuilding("node split-build.cjs", { "split-build.cjs": SPLITTING_BUILD });
    const { run, emulator, error } = await webDeployStaging(cwd);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(error().code).toBe("web.placeholder-mangled");
    expect(error().message).toContain(
      "VITE_SERVER_URL in /assets/app-1a2b3c4d.js: a placeholder is split or transformed at byte",
    );
    expect(error().location?.file).toBe("dist/assets/app-1a2b3c4d.js");
    expect(emulator.stats.requests).toBe(0);
  });

  it("refuses a variable the real Vite build case-folded away, naming the source file that uses it", async () => {
    const cwd = await viteProject((files) => {
      files["src/main.js"] = files["src/main.js"]!.replace(
        "const appName = import.meta.env.VITE_APP_NAME;",
        'const appName = "Chat"; // VITE_APP_NAME is no longer read',
      );
      files["src/title.js"] = "export const title = `${import.meta.env.VITE_APP_NAME}`.length;\n";
      files["src/main.js"] += 'import { title } from "./title.js";\nglobalThis.titleLength = title;\n';
    });
    const { run, emulator, error } = await webDeployStaging(cwd);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(error().code).toBe("web.placeholder-mangled");
    expect(error().message).toMatch(
      /VITE_APP_NAME in src\/(main|title)\.js: the source uses it but its placeholder is not in the build output/,
    );
    expect(emulator.stats.requests).toBe(0);
  });

  it("a build command that fails: exit 1 with its output; nothing uploaded", async () => {
    const { run, emulator, error } = await webDeployStaging(
      await projectBuilding("echo compiling; echo 'boom: bad import' >&2; exit 3"),
    );
    expect(run.exitCode).toBe(1);
    expect(error().code).toBe("web.build-failed");
    expect(error().message).toContain("exited with 3");
    expect(error().message).toContain("boom: bad import");
    expect(emulator.stats.requests).toBe(0);
  });

  it("a build command that hangs: stopped after hosting.build.timeoutS, exit 1", async () => {
    const started = Date.now();
    const { run, emulator, error } = await webDeployStaging(await projectBuilding("sleep 30", {}, 1));
    expect(run.exitCode).toBe(1);
    expect(error().code).toBe("web.build-timeout");
    expect(error().message).toContain("did not finish in 1 s");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(emulator.stats.requests).toBe(0);
  });

  it("an empty output directory: exit 2", async () => {
    const { run, emulator, error } = await webDeployStaging(await projectBuilding("mkdir -p dist"));
    expect(run.exitCode).toBe(2);
    expect(error().message).toContain("dist is empty");
    expect(emulator.stats.requests).toBe(0);
  });

  it("a build that writes outside its output directory: exit 2 naming what it wrote", async () => {
    const cwd = await projectBuilding(
      "mkdir -p dist && echo '<p>x</p>' > dist/index.html && echo leak > src/generated.js",
    );
    const { run, emulator, error } = await webDeployStaging(cwd);
    expect(run.exitCode).toBe(2);
    expect(error().code).toBe("web.build-outside");
    expect(error().message).toContain("wrote outside dist: src/generated.js");
    expect(emulator.stats.requests).toBe(0);
    expect(await readdir(join(cwd, "src"))).toContain("generated.js");
  });

  it("a Next.js build's .next/ cache is the framework's; anything else it writes outside out/ is refused with Next's hint", async () => {
    const next = {
      "package.json": JSON.stringify({ name: "n", dependencies: { next: "16.5.0" } }),
      "next.config.mjs": 'export default { output: "export" };\n',
    };
    const cache =
      "mkdir -p dist .next/cache && echo id > .next/BUILD_ID && echo '<p>x</p>' > dist/index.html";
    const leak = await webDeployStaging(
      await projectBuilding(`${cache} && echo leak > src/generated.js`, next),
    );
    expect(leak.run.exitCode).toBe(2);
    expect(leak.error().message).toContain("wrote outside dist: src/generated.js.");
    expect(leak.error().hint).toContain('output: "export" in next.config');
    // The same cache from a project that is not Next.js is a write outside the output.
    const notNext = await webDeployStaging(await projectBuilding(cache));
    expect(notNext.error().message).toContain("wrote outside dist: .next/BUILD_ID");
  });
});
