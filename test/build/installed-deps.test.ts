import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { buildImage } from "../../deploy/build/build-image.js";
import { chooseBuildMode } from "../../deploy/build/build-mode.js";
import { findImage } from "../../deploy/build/image-store.js";
import { testdir } from "../helpers/testdir.js";

// A server whose dependency loads its plugins by computed path: esbuild can't follow that require,
// so only the installed-deps mode ships a server that runs.
const SERVER = `const { load } = require("plugin-host");
console.log(JSON.stringify({ greeting: load("hello"), version: process.env.APP_VERSION }));
`;

function projectFiles(extra: Record<string, string> = {}): Record<string, string> {
  return {
    "package.json": JSON.stringify({
      name: "dyn",
      version: "2.0.0",
      scripts: { start: "node src/server.js" },
      dependencies: { "plugin-host": "1.0.0" },
      devDependencies: { "dev-native": "1.0.0" },
    }),
    Dockerfile:
      'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD ["node", "src/server.js"]\n',
    "src/server.js": SERVER,
    "node_modules/plugin-host/package.json": JSON.stringify({
      name: "plugin-host",
      version: "1.0.0",
      dependencies: { "plugin-util": "1.0.0" },
    }),
    "node_modules/plugin-host/index.js":
      'const path = require("node:path");\nexports.load = (name) => require(path.join(__dirname, "plugins", name + ".js"))();\n',
    "node_modules/plugin-host/plugins/hello.js":
      'module.exports = () => require("plugin-util").shout("hello");\n',
    "node_modules/plugin-util/package.json": JSON.stringify({ name: "plugin-util", version: "1.0.0" }),
    "node_modules/plugin-util/index.js": "exports.shout = (text) => text.toUpperCase();\n",
    // A dev-only native addon: not in the production tree, so it doesn't choose the mode.
    "node_modules/dev-native/package.json": JSON.stringify({
      name: "dev-native",
      version: "1.0.0",
      gypfile: true,
    }),
    "node_modules/dev-native/binding.gyp": "{}",
    ...extra,
  };
}

/** Runs the image as the emulator does: `node server.js` in rootfs/ with the manifest's env. */
async function runImage(dir: string): Promise<{ greeting: string; version: string }> {
  const manifest = (await findImage(join(dir, "..", "..", ".."), digestOf(dir)))!;
  const { stdout } = await execa(process.execPath, ["server.js"], {
    cwd: join(dir, "rootfs"),
    env: manifest.env,
  });
  return JSON.parse(stdout) as { greeting: string; version: string };
}

function digestOf(imageDir: string): string {
  return imageDir.slice(imageDir.lastIndexOf("/") + 1).replace("-", ":");
}

describe("installed-deps build mode", () => {
  it("is the default only when the server loads a native addon (dev dependencies don't count; a dependency reached by a computed require does)", async () => {
    const pure = await testdir(projectFiles());
    expect(await chooseBuildMode(pure, pure, "src/server.js")).toEqual({
      mode: "bundle",
      reason: "no native addon",
    });
    // plugin-host requires its plugins by computed path, so plugin-util (its dependency) may be loaded.
    const native = await testdir(
      projectFiles({
        "node_modules/plugin-util/binding.gyp": "{}",
      }),
    );
    expect(await chooseBuildMode(native, native, "src/server.js")).toEqual({
      mode: "installed-deps",
      reason: "src/server.js loads native addon plugin-util",
    });
    expect(await chooseBuildMode(native, native, "src/server.js", "bundle")).toEqual({
      mode: "bundle",
      reason: "configured",
    });
  });

  it("ships the production node_modules beside the bundled code, so a dynamic require works", async () => {
    const dir = await testdir(projectFiles());
    const image = await buildImage({ projectDir: dir, mode: "installed-deps" });
    expect(image.mode).toBe("installed-deps");
    expect(await runImage(image.dir)).toEqual({ greeting: "HELLO", version: image.version });
    await expect(execa("ls", [join(image.dir, "rootfs", "node_modules", "dev-native")])).rejects.toThrow();
  });

  it("stays content-addressed: the same files give the same digest; a changed dependency file a new one", async () => {
    const dir = await testdir(projectFiles());
    const first = await buildImage({ projectDir: dir, mode: "installed-deps" });
    const again = await buildImage({ projectDir: dir, mode: "installed-deps" });
    expect(again.digest).toBe(first.digest);
    expect(again.reused).toBe(true);
    await writeFile(
      join(dir, "node_modules/plugin-util/index.js"),
      "exports.shout = (text) => `${text}!`;\n",
    );
    const changed = await buildImage({ projectDir: dir, mode: "installed-deps" });
    expect(changed.digest).not.toBe(first.digest);
    expect(await runImage(changed.dir)).toMatchObject({ greeting: "hello!" });
    expect(await findImage(dir, first.digest)).toBeDefined();
  });

  it("refuses, naming what to run, when the production dependencies aren't installed", async () => {
    const files = projectFiles();
    for (const key of Object.keys(files)) if (key.startsWith("node_modules/plugin-util")) delete files[key];
    const dir = await testdir(files);
    await expect(buildImage({ projectDir: dir, mode: "installed-deps" })).rejects.toMatchObject({
      code: "build.deps-not-installed",
      exitCode: 2,
    });
  });
});
