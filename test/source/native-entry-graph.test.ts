import { describe, expect, it } from "vitest";
import { chooseBuildMode } from "../../deploy/build/build-mode.js";
import { detectedLayout } from "../../deploy/source/collect-source-facts.js";
import { scanNativeDeps } from "../../deploy/source/scan-native-deps.js";
import { testdir } from "../helpers/testdir.js";

const json = (value: unknown) => JSON.stringify(value);

/** Shaped like sqlite3@5.1.7: binding.gyp, `prebuild-install -r napi || node-gyp rebuild`, N-API. */
const SQLITE3 = {
  "node_modules/sqlite3/package.json": json({
    name: "sqlite3",
    version: "5.1.7",
    main: "lib/sqlite3.js",
    binary: { napi_versions: [3, 6] },
    scripts: { install: "prebuild-install -r napi || node-gyp rebuild" },
    dependencies: { bindings: "^1.5.0", "prebuild-install": "^7.1.1" },
  }),
  "node_modules/sqlite3/binding.gyp": "{}",
  "node_modules/sqlite3/lib/sqlite3.js": 'module.exports = require("bindings")("node_sqlite3.node");\n',
  "node_modules/bindings/package.json": json({ name: "bindings", version: "1.5.0" }),
  "node_modules/bindings/index.js": "module.exports = () => ({});\n",
  "node_modules/prebuild-install/package.json": json({ name: "prebuild-install", version: "7.1.1" }),
};

/** Shaped like bcrypt@6: prebuildify binaries in the tarball, node-gyp-build at install. */
function bcrypt(prebuilds: string[]) {
  return {
    "node_modules/bcrypt/package.json": json({
      name: "bcrypt",
      version: "6.0.0",
      scripts: { install: "node-gyp-build" },
      dependencies: { "node-gyp-build": "^4.8.4" },
    }),
    "node_modules/bcrypt/binding.gyp": "{}",
    "node_modules/bcrypt/bcrypt.js": 'module.exports = require("node-gyp-build")(__dirname);\n',
    "node_modules/node-gyp-build/package.json": json({ name: "node-gyp-build", version: "4.8.4" }),
    "node_modules/node-gyp-build/index.js": "module.exports = () => ({});\n",
    ...Object.fromEntries(prebuilds.map((file) => [`node_modules/bcrypt/prebuilds/${file}`, ""])),
  };
}

/** A next app's build tool: an optional native dependency no server loads. */
const NEXT = {
  "node_modules/next/package.json": json({
    name: "next",
    version: "15.0.0",
    optionalDependencies: { "@next/swc-linux-x64-gnu": "15.0.0" },
  }),
  "node_modules/next/index.js": "module.exports = {};\n",
  "node_modules/@next/swc-linux-x64-gnu/package.json": json({
    name: "@next/swc-linux-x64-gnu",
    version: "15.0.0",
  }),
  "node_modules/@next/swc-linux-x64-gnu/next-swc.linux-x64-gnu.node": "",
};

const ALPINE_DOCKERFILE = [
  "FROM node:18-alpine",
  "WORKDIR /app",
  "COPY package*.json ./",
  "RUN npm ci --omit=dev",
  "COPY . .",
  'CMD ["node", "server.js"]',
].join("\n");

function project(server: string, dependencies: Record<string, string>, files: Record<string, string>) {
  return testdir({
    "package.json": json({
      name: "app",
      version: "1.0.0",
      scripts: { start: "node server.js" },
      dependencies,
    }),
    Dockerfile: ALPINE_DOCKERFILE,
    "server.js": server,
    ...files,
  });
}

async function native(dir: string) {
  const report = await scanNativeDeps(dir, detectedLayout(dir));
  return {
    loaded: report.addons.map((addon) => addon.name),
    unloaded: report.unloaded.map((addon) => addon.name),
    loadedBy: report.loadedBy,
    findings: report.findings.map((finding) => [finding.code, finding.severity, finding.line]),
  };
}

describe("native addons judged from what the server entry loads", () => {
  it("a listed sqlite3 the server never requires is not the server's addon: no finding on alpine, bundle mode", async () => {
    const dir = await project(
      'require("node:http").createServer().listen(8080);\n',
      { sqlite3: "^5" },
      SQLITE3,
    );
    expect(await native(dir)).toEqual({
      loaded: [],
      unloaded: ["sqlite3"],
      loadedBy: ["server.js"],
      findings: [],
    });
    expect(await chooseBuildMode(dir, dir, "server.js")).toEqual({
      mode: "bundle",
      reason: "server.js loads no native addon (sqlite3 installed, never loaded)",
    });
  });

  it("a loaded sqlite3 downloads an N-API prebuilt (musl included): a warning on toolchain-less alpine, not a refusal", async () => {
    const dir = await project('const sqlite3 = require("sqlite3");\n', { sqlite3: "^5" }, SQLITE3);
    expect(await native(dir)).toEqual({
      loaded: ["sqlite3"],
      unloaded: [],
      loadedBy: ["server.js"],
      findings: [["native.prebuilt-download", "warning", 4]],
    });
    expect((await chooseBuildMode(dir, dir, "server.js")).mode).toBe("installed-deps");
  });

  it("a bundled prebuilt for linux-musl-x64 passes alpine; one for glibc only must compile there and is refused", async () => {
    const server = 'require("bcrypt");\n';
    const both = await project(
      server,
      { bcrypt: "^6" },
      bcrypt(["linux-x64/bcrypt.glibc.node", "linux-x64/bcrypt.musl.node"]),
    );
    expect((await native(both)).findings).toEqual([]);
    const glibcOnly = await project(server, { bcrypt: "^6" }, bcrypt(["linux-x64/bcrypt.glibc.node"]));
    expect((await native(glibcOnly)).findings).toEqual([["native.no-toolchain", "error", 4]]);
  });

  it("a node-pre-gyp download (binary.host, like bcrypt 5) is a download too; without a host it compiles", async () => {
    const bcrypt5 = (binary: Record<string, unknown>) => ({
      "node_modules/bcrypt/package.json": json({
        name: "bcrypt",
        version: "5.1.1",
        binary,
        scripts: { install: "node-pre-gyp install --fallback-to-build" },
        dependencies: { "@mapbox/node-pre-gyp": "^1.0.11" },
      }),
      "node_modules/bcrypt/binding.gyp": "{}",
      "node_modules/bcrypt/bcrypt.js": "module.exports = {};\n",
      "node_modules/@mapbox/node-pre-gyp/package.json": json({
        name: "@mapbox/node-pre-gyp",
        version: "1.0.11",
      }),
    });
    const withHost = await project(
      'require("bcrypt/bcrypt.js");\n',
      { bcrypt: "^5" },
      bcrypt5({
        module_name: "bcrypt_lib",
        host: "https://github.com",
        package_name: "{module_name}-v{version}-napi-v{napi_build_version}-{platform}-{arch}-{libc}.tar.gz",
        napi_versions: [3],
      }),
    );
    expect((await native(withHost)).findings).toEqual([["native.prebuilt-download", "warning", 4]]);
    const noHost = await project(
      'require("bcrypt/bcrypt.js");\n',
      { bcrypt: "^5" },
      bcrypt5({ module_name: "bcrypt_lib" }),
    );
    expect((await native(noHost)).findings).toEqual([["native.no-toolchain", "error", 4]]);
  });

  it("an addon with no prebuilt at all compiles: refused on alpine without a toolchain, at the install line", async () => {
    const dir = await project(
      'require("gyp-only");\n',
      { "gyp-only": "1" },
      {
        "node_modules/gyp-only/package.json": json({ name: "gyp-only", version: "1.0.0", gypfile: true }),
        "node_modules/gyp-only/binding.gyp": "{}",
        "node_modules/gyp-only/index.js": 'module.exports = require("./build/Release/gyp_only.node");\n',
      },
    );
    expect(await native(dir)).toMatchObject({
      loaded: ["gyp-only"],
      findings: [["native.no-toolchain", "error", 4]],
    });
  });

  it("@next/swc-* is never the server's addon, even when the server loads next", async () => {
    const dir = await project('require("next");\n', { next: "15" }, NEXT);
    expect(await native(dir)).toEqual({ loaded: [], unloaded: [], loadedBy: ["server.js"], findings: [] });
  });

  it("a computed require in the server's own code can load anything: every addon counts", async () => {
    const dir = await project("require(process.env.DRIVER);\n", { sqlite3: "^5" }, SQLITE3);
    expect(await native(dir)).toMatchObject({ loaded: ["sqlite3"], loadedBy: null });
  });
});
