import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDockerfile, splitStages } from "../../deploy/source/dockerfile-parser.js";
import type { NativeAddon } from "../../deploy/source/native-addons.js";
import { nativePreflight } from "../../deploy/source/native-preflight.js";

const sqlite: NativeAddon = {
  name: "better-sqlite3",
  version: "12.4.1",
  dir: "node_modules/better-sqlite3",
  evidence: ["binding.gyp", "depends on prebuild-install"],
  compiles: true,
};

function preflight(dockerfile: string, addons: NativeAddon[] = [sqlite]) {
  return nativePreflight(splitStages(parseDockerfile(dockerfile)), addons).map((f) => ({
    code: f.code,
    line: f.line,
  }));
}

const fixtureDockerfile = readFileSync(
  fileURLToPath(new URL("../fixtures/adopt/native-ws/Dockerfile", import.meta.url)),
  "utf8",
);

describe("native-dependency preflight (rules over a parsed Dockerfile)", () => {
  it("passes the native fixture's Dockerfile: toolchain in the install stage, node_modules copied to runtime", () => {
    expect(preflight(fixtureDockerfile)).toEqual([]);
  });

  it("refuses a slim image installing with --ignore-scripts, at that line", () => {
    const text = [
      "FROM node:20-slim",
      "WORKDIR /app",
      "COPY package*.json ./",
      "RUN npm ci --omit=dev --ignore-scripts",
      "COPY src ./src",
      'CMD ["node", "src/server.js"]',
    ].join("\n");
    expect(preflight(text)).toEqual([{ code: "native.ignore-scripts", line: 4 }]);
  });

  it("accepts --ignore-scripts followed by an npm rebuild of the addon in the same stage", () => {
    const text = [
      "FROM node:20",
      "WORKDIR /app",
      "COPY package*.json ./",
      "RUN npm ci --ignore-scripts && npm rebuild better-sqlite3",
      'CMD ["node", "src/server.js"]',
    ].join("\n");
    expect(preflight(text)).toEqual([]);
  });

  it("refuses a slim or alpine install stage without python3, make and g++; a full node base has them", () => {
    const slim = [
      "FROM node:20-bookworm-slim",
      "WORKDIR /app",
      "COPY . .",
      "RUN npm ci --omit=dev",
      'CMD ["node","a.js"]',
    ];
    expect(preflight(slim.join("\n"))).toEqual([{ code: "native.no-toolchain", line: 4 }]);
    const alpine = ["FROM node:20-alpine", "RUN apk add --no-cache python3 make g++", ...slim.slice(1)];
    expect(preflight(alpine.join("\n"))).toEqual([]);
    expect(preflight(["FROM node:20", ...slim.slice(1)].join("\n"))).toEqual([]);
  });

  it("follows an install stage built FROM an earlier stage that installed the toolchain", () => {
    const text = [
      "FROM node:20-slim AS base",
      "RUN apt-get update && apt-get install -y python3 make g++",
      "FROM base AS deps",
      "WORKDIR /app",
      "RUN npm ci",
      'CMD ["node","a.js"]',
    ].join("\n");
    expect(preflight(text)).toEqual([]);
  });

  it("refuses a bundler step that would inline the addon; --packages=external or --external passes", () => {
    const text = (flags: string) =>
      [
        "FROM node:20 AS build",
        "WORKDIR /app",
        "RUN npm ci",
        `RUN npx esbuild src/server.js --bundle --platform=node ${flags} --outfile=dist/server.js`,
        'CMD ["node","dist/server.js"]',
      ].join("\n");
    expect(preflight(text(""))).toEqual([{ code: "native.bundled", line: 4 }]);
    expect(preflight(text("--packages=external"))).toEqual([]);
    expect(preflight(text("--external:better-sqlite3"))).toEqual([]);
  });

  it("refuses a runtime stage that copies only the bundle, not node_modules (line of its FROM)", () => {
    const text = [
      "FROM node:20 AS build",
      "WORKDIR /app",
      "RUN npm ci",
      "RUN npx esbuild src/server.js --bundle --packages=external --outfile=dist/server.js",
      "FROM node:20-slim",
      "COPY --from=build /app/dist/server.js ./server.js",
      'CMD ["node","server.js"]',
    ].join("\n");
    expect(preflight(text)).toEqual([{ code: "native.runtime-without-node-modules", line: 5 }]);
    const whole = text.replace(
      "COPY --from=build /app/dist/server.js ./server.js",
      "COPY --from=build /app /app",
    );
    expect(preflight(whole)).toEqual([]);
  });

  it("says nothing when the production tree has no native addon", () => {
    expect(preflight("FROM node:20-slim\nRUN npm ci --ignore-scripts\nCMD node a.js", [])).toEqual([]);
  });
});
