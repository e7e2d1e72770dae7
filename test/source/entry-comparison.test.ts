import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { collectSourceFacts } from "../../deploy/source/collect-source-facts.js";
import {
  compareServerEntries,
  entryFromCloudbuild,
  entryFromDevScript,
  entryFromDockerfile,
} from "../../deploy/source/entry-comparison.js";
import { lines } from "../helpers/lines.js";
import { testdir } from "../helpers/testdir.js";

const REPO_ROOT = resolve(import.meta.dirname, "../..");

describe("this repository", () => {
  it("runs the same server entry in dev, in Dockerfile.minimal and in Cloud Build", () => {
    const facts = collectSourceFacts(REPO_ROOT);
    expect(facts.dockerfile).toMatchObject({ entry: "server/src/main.ts", file: "Dockerfile.minimal" });
    expect(facts.devScript).toMatchObject({ entry: "server/src/main.ts", file: "package.json" });
    expect(facts.cloudbuild).toMatchObject({
      entry: "server/src/main.ts",
      file: "cloudbuild.yaml",
      dockerfile: "Dockerfile.minimal",
    });
    expect(facts.dockerfile.trace.map((step) => step.text)).toEqual([
      expect.stringMatching(/^CMD/),
      expect.stringMatching(/^COPY --from=build/),
      expect.stringMatching(/^RUN npx esbuild server\/src\/main\.ts/),
      expect.stringMatching(/^COPY server/),
    ]);
    expect(compareServerEntries(facts)).toMatchObject({ consistent: true, unknown: [] });
  });
});

describe("the seeds' drift", () => {
  const seedProject = () =>
    testdir({
      "package.json": JSON.stringify(
        {
          name: "festival-chat",
          scripts: { dev: "npm run server", server: "nodemon signaling-server-sqlite-enhanced.js" },
        },
        null,
        2,
      ),
      "Dockerfile.minimal": lines(
        "FROM node:18-slim",
        "WORKDIR /app",
        "COPY package*.json ./",
        "RUN npm ci --omit=dev",
        "# Copy the production server",
        "COPY signaling-server-production.js ./server.js",
        "EXPOSE 8080",
        'CMD ["node", "server.js"]',
      ),
      "deployment/cloudbuild-minimal.yaml": lines(
        "steps:",
        "  - name: gcr.io/cloud-builders/docker",
        "    args: ['build', '-f', '${_DOCKERFILE}', '-t', 'gcr.io/$PROJECT_ID/x', '.']",
        "substitutions:",
        "  _DOCKERFILE: Dockerfile.minimal",
      ),
    });

  it("reports the Dockerfile and dev script disagreeing, with file and line", async () => {
    const dir = await seedProject();
    const facts = collectSourceFacts(dir, { cloudbuild: "deployment/cloudbuild-minimal.yaml" });
    expect(facts.dockerfile).toMatchObject({ entry: "signaling-server-production.js", line: 6 });
    expect(facts.devScript).toMatchObject({ entry: "signaling-server-sqlite-enhanced.js", line: 5 });
    expect(facts.devScript.trace.map((step) => step.line)).toEqual([4, 5]);
    // Steps run at the source root, so `-f` is relative to it, not to the YAML file's folder.
    expect(facts.cloudbuild).toMatchObject({
      entry: "signaling-server-production.js",
      file: "deployment/cloudbuild-minimal.yaml",
      line: 3,
      dockerfile: "Dockerfile.minimal",
    });

    const comparison = compareServerEntries(facts);
    expect(comparison.consistent).toBe(false);
    expect(comparison.mismatches.map((m) => m.message)).toEqual([
      "the Dockerfile runs signaling-server-production.js (Dockerfile.minimal:6), " +
        "but the dev script runs signaling-server-sqlite-enhanced.js (package.json:5).",
      "the dev script runs signaling-server-sqlite-enhanced.js (package.json:5), " +
        "but Cloud Build runs signaling-server-production.js (deployment/cloudbuild-minimal.yaml:3).",
    ]);
  });

  it("follows Cloud Build's -f to the Dockerfile it actually builds", async () => {
    const dir = await testdir({
      "package.json": JSON.stringify({ scripts: { dev: "node signaling-server-production-FIXED.js" } }),
      "Dockerfile.minimal": lines(
        "FROM node:20-slim",
        "COPY signaling-server-production-FIXED.js ./server.js",
        "CMD node server.js",
      ),
      "Dockerfile.legacy": lines(
        "FROM node:18",
        "COPY signaling-server-production.js ./server.js",
        "CMD node server.js",
      ),
      "cloudbuild.yaml": lines(
        "steps:",
        "  - name: gcr.io/cloud-builders/docker",
        "    args:",
        "      - build",
        "      - -f",
        "      - Dockerfile.legacy",
        "      - .",
      ),
    });
    const facts = collectSourceFacts(dir);
    expect(facts.cloudbuild).toMatchObject({
      entry: "signaling-server-production.js",
      dockerfile: "Dockerfile.legacy",
      line: 6,
    });
    expect(facts.cloudbuild.trace.at(-1)).toMatchObject({ file: "Dockerfile.legacy", line: 2 });
    expect(compareServerEntries(facts).mismatches.map((m) => m.message)).toEqual([
      "the Dockerfile runs signaling-server-production-FIXED.js (Dockerfile.minimal:2), " +
        "but Cloud Build runs signaling-server-production.js (cloudbuild.yaml:6).",
      "the dev script runs signaling-server-production-FIXED.js (package.json:1), " +
        "but Cloud Build runs signaling-server-production.js (cloudbuild.yaml:6).",
    ]);
  });
});

describe("entryFromDockerfile", () => {
  it("handles shell-form CMD, COPY . . and continuation lines", () => {
    const fact = entryFromDockerfile(
      lines(
        "FROM node:20",
        "WORKDIR /srv",
        "COPY . .",
        "RUN npm ci \\",
        "    --omit=dev",
        "CMD node --enable-source-maps src/index.js",
      ),
    );
    expect(fact).toMatchObject({ entry: "src/index.js", line: 6 });
  });

  it("combines an exec-form ENTRYPOINT with CMD and follows a named stage", () => {
    const fact = entryFromDockerfile(
      lines(
        "FROM node:20 AS build",
        "WORKDIR /build",
        "COPY src/ ./src/",
        "RUN npx esbuild src/server.ts --bundle --platform=node --outdir=out",
        "FROM gcr.io/distroless/nodejs20",
        "COPY --from=build /build/out/server.js /app/",
        'ENTRYPOINT ["/nodejs/bin/node"]',
        'CMD ["/app/server.js"]',
      ),
    );
    expect(fact).toMatchObject({ entry: "src/server.ts", line: 4 });
  });

  it("says why when the CMD runs an npm script or a file from another image", () => {
    expect(entryFromDockerfile(lines("FROM node:20", 'CMD ["npm", "start"]')).detail).toMatch(/npm start/);
    const fromImage = entryFromDockerfile(
      lines("FROM node:20", "COPY --from=ghcr.io/x/y:1 /y.js /y.js", "CMD node /y.js"),
    );
    expect(fromImage).toMatchObject({
      entry: null,
      line: 2,
      detail: expect.stringMatching(/from the image ghcr\.io/),
    });
  });
});

describe("entryFromDevScript", () => {
  it.each([
    ["tsx watch --env-file=.env server/main.ts", "server/main.ts"],
    ["NODE_ENV=development node --import tsx ./server/main.ts", "server/main.ts"],
    ["ts-node -P tsconfig.server.json server.ts", "server.ts"],
    ["cross-env PORT=3001 nodemon --watch src src/server.js", "src/server.js"],
    ["npm run build && node dist/server.js", "dist/server.js"],
  ])("reads %s", (dev, entry) => {
    expect(entryFromDevScript(JSON.stringify({ scripts: { dev, build: "tsc" } })).entry).toBe(entry);
  });

  it("reports a missing dev script", () => {
    expect(entryFromDevScript("{}")).toMatchObject({
      entry: null,
      detail: 'package.json has no "dev" script.',
    });
  });
});

describe("entryFromCloudbuild", () => {
  it("reads docker build inside a bash step and prefixes a sub-directory context", () => {
    const files: Record<string, string> = {
      "server/Dockerfile": lines("FROM node:20", "COPY main.js .", 'CMD ["node","main.js"]'),
    };
    const fact = entryFromCloudbuild(
      lines(
        "steps:",
        "  - name: gcr.io/cloud-builders/docker",
        "    entrypoint: bash",
        "    args: ['-c', 'docker build --file=server/Dockerfile -t x server && docker push x']",
      ),
      (p) => files[p],
    );
    expect(fact).toMatchObject({ entry: "server/main.js", dockerfile: "server/Dockerfile", line: 4 });
  });
});
