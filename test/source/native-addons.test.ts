import { describe, expect, it } from "vitest";
import { nativeAddons } from "../../deploy/source/native-addons.js";
import { readProductionTree } from "../../deploy/source/production-deps.js";
import { testdir } from "../helpers/testdir.js";

const pkg = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, version: "1.0.0", ...extra });

describe("native addons in the production dependency tree", () => {
  it("finds binding.gyp, gypfile, loader dependencies and .node files, nested ones included; skips dev dependencies", async () => {
    const dir = await testdir({
      "package.json": JSON.stringify({
        dependencies: { "with-gyp": "1", "with-loader": "1", pure: "1" },
        devDependencies: { "dev-addon": "1" },
      }),
      "node_modules/with-gyp/package.json": pkg("with-gyp"),
      "node_modules/with-gyp/binding.gyp": "{}",
      "node_modules/with-loader/package.json": pkg("with-loader", {
        dependencies: { "node-gyp-build": "4" },
      }),
      "node_modules/node-gyp-build/package.json": pkg("node-gyp-build"),
      "node_modules/pure/package.json": pkg("pure", { dependencies: { shipped: "1" } }),
      "node_modules/pure/node_modules/shipped/package.json": pkg("shipped"),
      "node_modules/pure/node_modules/shipped/prebuilds/linux-x64/shipped.node": "",
      "node_modules/dev-addon/package.json": pkg("dev-addon", { gypfile: true }),
    });
    const tree = await readProductionTree(dir);
    expect(tree.source).toBe("node_modules");
    expect(nativeAddons(tree.packages).map((addon) => [addon.name, addon.evidence, addon.compiles])).toEqual([
      ["shipped", ["prebuilds/linux-x64/shipped.node"], false],
      ["with-gyp", ["binding.gyp"], true],
      ["with-loader", ["depends on node-gyp-build"], false],
    ]);
  });

  it("reads package-lock.json before `npm ci` (no node_modules): loader + install script = a build", async () => {
    const dir = await testdir({
      "package.json": JSON.stringify({ dependencies: { "better-sqlite3": "^12" } }),
      "package-lock.json": JSON.stringify({
        lockfileVersion: 3,
        packages: {
          "": {},
          "node_modules/better-sqlite3": {
            version: "12.4.1",
            hasInstallScript: true,
            dependencies: { bindings: "^1.5.0", "prebuild-install": "^7.1.1" },
          },
          "node_modules/esbuild": { version: "0.28.2", hasInstallScript: true },
          "node_modules/vitest-native": {
            version: "1.0.0",
            dev: true,
            dependencies: { "node-gyp-build": "4" },
          },
        },
      }),
    });
    const tree = await readProductionTree(dir);
    expect(tree.source).toBe("package-lock.json");
    expect(nativeAddons(tree.packages)).toEqual([
      expect.objectContaining({ name: "better-sqlite3", version: "12.4.1", compiles: true }),
    ]);
  });
});
