import * as z from "zod";
import { projectRelativePath } from "./project-path.js";

/**
 * environments/echogate.yaml: settings of the repository, not of one environment (where the server
 * lives, which files build and start it, where its version comes from). One file, so the
 * environments can't disagree about them; every key has a detected default.
 */

const relativePath = projectRelativePath();

const layoutSchema = z
  .strictObject({
    workingDir: relativePath
      .default(".")
      .describe(
        "Directory of the server's package.json, relative to the project (the directory holding environments/). Set it when the server lives in a monorepo subfolder, e.g. `server`.",
      ),
    serverEntry: relativePath
      .optional()
      .describe(
        "The server's entry file, relative to the project (e.g. `src/index.js`). Default: the file the Dockerfile starts. When set, drift compares the Dockerfile, the dev script and Cloud Build against it.",
      ),
    devScript: z
      .union([z.string().min(1), z.literal(false)])
      .optional()
      .describe(
        "The package.json script that starts the server during development (`dev`, `start`, `server`, …); `false` when no script starts it. Default: the first of dev, start, server whose command runs a server file.",
      ),
    dockerfile: relativePath
      .optional()
      .describe(
        "The Dockerfile that builds the server image, relative to the project. Default: Dockerfile.minimal or Dockerfile in workingDir or the project, else the only Dockerfile found within two levels.",
      ),
    cloudbuild: z
      .union([relativePath, z.literal(false)])
      .optional()
      .describe(
        "The Cloud Build config, relative to the project; `false` when CI does not use Cloud Build. Default: cloudbuild.yaml, else the only cloudbuild*.yaml found within two levels (e.g. deployment/cloudbuild.yaml).",
      ),
  })
  .describe("Where the server and the files that build and start it are.");

const versionSourceSchema = z
  .discriminatedUnion("from", [
    z.strictObject({
      from: z
        .literal("package")
        .describe("The version field of workingDir/package.json, plus the short git sha."),
    }),
    z.strictObject({
      from: z
        .literal("file")
        .describe("`file`: a version read from `file` with `pattern`, plus the short git sha."),
      file: relativePath.describe(
        "File holding the version, relative to the project (e.g. `VERSION`, `src/version.ts`).",
      ),
      pattern: z
        .string()
        .min(1)
        .refine((text) => {
          try {
            new RegExp(text);
            return true;
          } catch {
            return false;
          }
        }, "must be a valid regular expression")
        .default("(\\S+)")
        .describe("Regular expression whose first capture group (or whole match) is the version."),
    }),
    z.strictObject({
      from: z
        .literal("command")
        .describe("`command`: the first line `command` prints, used as the whole version."),
      command: z
        .string()
        .min(1)
        .describe("Shell command run in the project directory, e.g. `git describe --tags`."),
    }),
  ])
  .describe(
    "Where the build's version comes from; the server reports it on /health (see the server contract).",
  );

export const buildModes = ["bundle", "installed-deps"] as const;
export type BuildMode = (typeof buildModes)[number];

/**
 * Project-wide build settings (`build:` in environments/echogate.yaml). The JSON
 * Schema and reference docs are generated from these descriptions.
 */
const buildSettingsSchema = z
  .strictObject({
    mode: z
      .enum(buildModes)
      .optional()
      .describe(
        "How `echogate build` packs the server into the local image. `bundle`: the server and its dependencies in one esbuild file (no node_modules). `installed-deps`: the project's own code bundled with every package left external, plus the installed production dependencies (node_modules) as they are, for native addons (better-sqlite3) and dynamic requires that can't be bundled; run `npm ci` first. Default: `installed-deps` when the server entry's import graph loads a native addon (an addon only listed in package.json, or a front-end build tool such as `@next/swc-*`, doesn't count), else `bundle`.",
      ),
    baseImage: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The image `echogate build --push` puts the server on: it must have `node` on PATH (the server starts as `node server.js` in /app). Pin it by digest (`node:20-slim@sha256:…`) or point it at an Artifact Registry copy (a remote repository) so CI doesn't depend on Docker Hub's pull limits. `--base` overrides it. Default: `node:20-slim`, as Dockerfile.minimal.",
      ),
    keepImages: z
      .number()
      .int()
      .min(1)
      .default(5)
      .describe(
        "How many of the newest local images (.echogate/images/) `echogate build --prune` keeps, besides every image a revision or gate record of the local emulator uses (those are never deleted).",
      ),
  })
  .describe(
    "How the local build packs the server, the base image it is pushed on, and how many local images to keep.",
  );

export type BuildSettings = z.infer<typeof buildSettingsSchema>;

export const projectSettingsSchema = z
  .strictObject({
    layout: layoutSchema.prefault({}),
    version: versionSourceSchema.default({ from: "package" }),
    build: buildSettingsSchema.prefault({}),
  })
  .describe("environments/echogate.yaml: project-wide settings (layout, version source, build mode).");

export type ProjectSettings = z.infer<typeof projectSettingsSchema>;
export type LayoutSettings = ProjectSettings["layout"];
export type VersionSource = ProjectSettings["version"];
