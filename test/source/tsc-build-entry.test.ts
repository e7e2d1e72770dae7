import { describe, expect, it } from "vitest";
import { entryFromDockerfile } from "../../deploy/source/dockerfile-entry.js";
import { builderCompiledFrom } from "../../deploy/source/ts-build-entry.js";
import { lines } from "../helpers/lines.js";

const packageJson = (scripts: Record<string, string>) => ({
  text: JSON.stringify({ name: "app", type: "module", scripts }, null, 2),
  file: "package.json",
});

/** A build context as a map of files; the reader the tracer gets. */
const context =
  (files: Record<string, string>) =>
  (path: string): string | undefined =>
    files[path];

const tsconfig = (compilerOptions: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ compilerOptions, ...extra });

const twoStage = (buildRun: string, copySource = "COPY src ./src") =>
  lines(
    "FROM node:20-alpine AS build",
    "WORKDIR /app",
    "COPY package.json package-lock.json ./",
    "RUN npm ci",
    "COPY tsconfig.json ./",
    copySource,
    buildRun,
    "FROM node:20-alpine",
    "WORKDIR /app",
    "COPY package.json package-lock.json ./",
    "RUN npm ci --omit=dev",
    "COPY --from=build /app/dist ./dist",
    'CMD ["npm","start"]',
  );

describe("a tsc build stage traced back to the TypeScript entry", () => {
  it("maps dist/server.js through `npm run build` = `tsc -p .` and tsconfig outDir → rootDir to src/server.ts, and says so", () => {
    const fact = entryFromDockerfile(
      twoStage("RUN npm run build"),
      "Dockerfile",
      packageJson({ build: "tsc -p .", start: "node dist/server.js" }),
      context({
        "tsconfig.json": tsconfig({ outDir: "dist", rootDir: "src" }),
        "src/server.ts": "await 1;",
      }),
    );
    expect(fact.entry).toBe("src/server.ts");
    expect(fact.detail).toBe(
      "Dockerfile runs src/server.ts (as /app/dist/server.js; built by tsc with tsconfig.json (outDir dist → rootDir src; .js from .ts/.tsx/.jsx)).",
    );
    expect(fact.trace.map((step) => `${step.file}: ${step.text}`)).toEqual([
      'Dockerfile: CMD ["npm","start"]',
      'package.json: "start": "node dist/server.js"',
      "Dockerfile: COPY --from=build /app/dist ./dist",
      "Dockerfile: RUN npm run build",
      'package.json: "build": "tsc -p ."',
      "Dockerfile: COPY src ./src",
    ]);
  });

  it("reads a tsconfig with comments and trailing commas, a `tsc -p` file that extends another, and picks .tsx when that is the file that exists", () => {
    const fact = entryFromDockerfile(
      twoStage("RUN npx tsc --project tsconfig.build.json", "COPY . ."),
      "Dockerfile",
      packageJson({ start: "node dist/main.js" }),
      context({
        "tsconfig.json": '{\n  // shared\n  "compilerOptions": { "outDir": "dist", "rootDir": "app", },\n}',
        "tsconfig.build.json": '{ "extends": "./tsconfig.json", "exclude": ["**/*.test.ts"] }',
        "app/main.tsx": "",
      }),
    );
    expect(fact.entry).toBe("app/main.tsx");
    expect(fact.detail).toContain("tsc with tsconfig.build.json (outDir dist → rootDir app;");
  });

  it("infers the root from include when rootDir is not set, and maps .mjs to .mts", () => {
    const fact = entryFromDockerfile(
      twoStage("RUN ./node_modules/.bin/tsc"),
      "Dockerfile",
      packageJson({ start: "node dist/server.mjs" }),
      context({
        "tsconfig.json": tsconfig({ outDir: "./dist" }, { include: ["src/**/*"] }),
        "src/server.mts": "",
      }),
    );
    expect(fact.entry).toBe("src/server.mts");
    expect(fact.detail).toContain("rootDir src (from include); .mjs from .mts");
  });

  it("--outDir on the command line wins over tsconfig's", () => {
    const fact = entryFromDockerfile(
      twoStage("RUN tsc --outDir dist"),
      "Dockerfile",
      packageJson({ start: "node dist/server.js" }),
      context({ "tsconfig.json": tsconfig({ outDir: "build", rootDir: "src" }), "src/server.ts": "" }),
    );
    expect(fact.entry).toBe("src/server.ts");
  });

  it("follows esbuild run through a package.json script, as it does in a RUN line", () => {
    const fact = entryFromDockerfile(
      twoStage("RUN npm run bundle"),
      "Dockerfile",
      packageJson({
        bundle: "esbuild src/main.ts --bundle --platform=node --outfile=dist/server.js",
        start: "node dist/server.js",
      }),
      context({}),
    );
    expect(fact.entry).toBe("src/main.ts");
  });

  it("follows tsup (entry named on the command line, --out-dir default dist) and swc (-d, with or without --strip-leading-paths)", () => {
    const run = (build: string, files: Record<string, string>) =>
      entryFromDockerfile(
        twoStage("RUN npm run build"),
        "Dockerfile",
        packageJson({ build, start: "node dist/server.js" }),
        context(files),
      );
    const tsup = run("tsup src/server.ts --format esm --target node20", { "src/server.ts": "" });
    expect(tsup.entry).toBe("src/server.ts");
    expect(tsup.detail).toContain("built by tsup (dist/server.js from src/server.ts)");
    expect(run("swc src -d dist --strip-leading-paths", { "src/server.ts": "" }).entry).toBe("src/server.ts");
    // @swc/cli before 0.2 wrote dist/server.js without the flag, later ones dist/src/server.js: both are read.
    expect(run("swc src -d dist", { "src/server.ts": "" }).entry).toBe("src/server.ts");
    const nested = builderCompiledFrom(["swc", "src", "-d", "dist"], "/app/dist/src/server.js", "/app");
    expect(nested?.sources).toContain("/app/src/server.ts");
    expect(run("tsup src/main.ts", { "src/main.ts": "" }).entry).toBeNull();
  });

  it("names the missing piece when tsc's output is outside outDir, or the tsconfig isn't in the image", () => {
    const outside = entryFromDockerfile(
      twoStage("RUN npm run build"),
      "Dockerfile",
      packageJson({ build: "tsc", start: "node dist/server.js" }),
      context({ "tsconfig.json": tsconfig({ outDir: "out", rootDir: "src" }), "src/server.ts": "" }),
    );
    expect(outside.entry).toBeNull();
    expect(outside.detail).toContain(
      "no COPY, ADD, esbuild, tsc, tsup or swc step in Dockerfile produces /app/dist/server.js",
    );

    const noConfig = entryFromDockerfile(
      twoStage("RUN npm run build").replace("COPY tsconfig.json ./\n", ""),
      "Dockerfile",
      packageJson({ build: "tsc", start: "node dist/server.js" }),
      context({ "tsconfig.json": tsconfig({ outDir: "dist", rootDir: "src" }), "src/server.ts": "" }),
    );
    expect(noConfig.entry).toBeNull();

    const sourceNotCopied = entryFromDockerfile(
      twoStage("RUN npm run build", "COPY lib ./lib"),
      "Dockerfile",
      packageJson({ build: "tsc", start: "node dist/server.js" }),
      context({ "tsconfig.json": tsconfig({ outDir: "dist", rootDir: "src" }), "src/server.ts": "" }),
    );
    expect(sourceNotCopied.entry).toBeNull();
    expect(sourceNotCopied.detail).toContain(
      "compiles it from /app/src/server.ts, and no COPY or ADD puts that in the image",
    );
  });
});
