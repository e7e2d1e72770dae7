import { describe, expect, it } from "vitest";
import { entryFromDockerfile } from "../../deploy/source/dockerfile-entry.js";
import { parseDockerfile, splitStages } from "../../deploy/source/dockerfile-parser.js";
import type { NativeAddon } from "../../deploy/source/native-addons.js";
import { nativePreflight } from "../../deploy/source/native-preflight.js";
import { lines } from "../helpers/lines.js";

const packageJson = (scripts: Record<string, string>) => ({
  text: JSON.stringify({ name: "app", scripts }, null, 2),
  file: "package.json",
});

describe("Dockerfile forms read through dockerfile-ast", () => {
  it('follows CMD ["npm","start"] through package.json scripts.start to the entry, relative to WORKDIR', () => {
    const text = lines(
      "FROM node:20-slim",
      "WORKDIR /srv/app",
      "COPY package*.json ./",
      "RUN npm ci --omit=dev",
      "COPY src ./src",
      'CMD ["npm","start"]',
    );
    const fact = entryFromDockerfile(text, "Dockerfile", packageJson({ start: "node src/index.js" }));
    expect(fact).toMatchObject({ entry: "src/index.js", line: 6 });
    expect(fact.trace.map((step) => step.text)).toEqual([
      'CMD ["npm","start"]',
      '"start": "node src/index.js"',
      "COPY src ./src",
    ]);
    // npm run <script> chains too, and a missing script says which one.
    const chained = entryFromDockerfile(
      text.replace('["npm","start"]', '["npm","run","serve"]'),
      "Dockerfile",
      packageJson({ serve: "npm run start:prod", "start:prod": "node src/index.js" }),
    );
    expect(chained.entry).toBe("src/index.js");
    const missing = entryFromDockerfile(text, "Dockerfile", packageJson({ dev: "node src/index.js" }));
    expect(missing.entry).toBeNull();
    expect(missing.detail).toContain('package.json has no "start" script');
  });

  it("honours `# escape=` (backtick continuations, backslashes literal)", () => {
    const text = lines(
      "# escape=`",
      "FROM node:20",
      "WORKDIR /app",
      "COPY server/main.js `",
      "     ./server.js",
      'CMD ["node", "server.js"]',
    );
    expect(entryFromDockerfile(text)).toMatchObject({ entry: "server/main.js", line: 4 });
  });

  it("substitutes ARG and ENV in the entry's COPY and CMD", () => {
    const text = lines(
      "FROM node:20",
      "ARG ENTRY=src/server.js",
      "ENV APP_HOME=/app OUT=server.js",
      "WORKDIR $APP_HOME",
      "COPY ${ENTRY} ./${OUT}",
      'CMD ["node", "/app/server.js"]',
    );
    expect(entryFromDockerfile(text)).toMatchObject({ entry: "src/server.js", line: 5 });
  });

  it("reads a start script written by COPY <<EOF and run by CMD, and a RUN <<EOF script", () => {
    const text = lines(
      "FROM node:20-slim",
      "WORKDIR /app",
      "COPY server.js ./",
      "COPY <<EOF start.sh",
      "#!/bin/sh",
      "set -e",
      "exec node server.js",
      "EOF",
      'CMD ["sh", "start.sh"]',
    );
    const fact = entryFromDockerfile(text);
    expect(fact).toMatchObject({ entry: "server.js", line: 3 });
    expect(fact.trace.map((step) => step.line)).toEqual([9, 4, 3]);

    const addon: NativeAddon = {
      name: "bcrypt",
      version: "5.1.1",
      dir: "node_modules/bcrypt",
      evidence: ["binding.gyp"],
      compiles: true,
    };
    const heredocRun = lines(
      "FROM node:20",
      "WORKDIR /app",
      "COPY . .",
      "RUN <<EOF",
      "set -e",
      "npm ci --omit=dev --ignore-scripts",
      "EOF",
      'CMD ["node", "server.js"]',
    );
    expect(
      nativePreflight(splitStages(parseDockerfile(heredocRun)), [addon]).map((f) => [f.code, f.line]),
    ).toEqual([["native.ignore-scripts", 4]]);
  });
});
