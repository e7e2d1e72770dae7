import { type CommandShape, defineCommand } from "../command.js";

export const buildShape = {
  options: {
    cloud: {
      type: "boolean",
      description: "Build and push with Cloud Build (needs gcloud and credentials)",
    },
    push: {
      type: "string",
      description:
        "Push the build to this registry repository (REGION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE) on --base; prints REPOSITORY@sha256:… to deploy",
      valueName: "<repository>",
    },
    base: {
      type: "string",
      description: "Base image for --push, with node on PATH (default: build.baseImage, else node:20-slim)",
      valueName: "<image>",
    },
    prune: {
      type: "boolean",
      description:
        "After building, delete old local images: keeps the newest build.keepImages (default 5) and every image the emulator's revisions or gate records use",
    },
    env: {
      type: "string",
      description: "Environment whose project/region/service the cloud build uses",
      valueName: "<name>",
    },
    fault: {
      type: "string",
      description: "Demo/test only: bake a known bug into the build (exclude-sender)",
      valueName: "<fault>",
      hidden: true,
    },
  },
} as const satisfies CommandShape;

export const buildCommands = [
  defineCommand({
    name: "build",
    summary: "Build one immutable, content-addressed server artifact (version = package version + git sha)",
    description:
      "Bundles the server entry (layout.serverEntry, else what the layout's Dockerfile builds; the dev script must run the same) into the local image store .echogate/images/; with a native addon in the production dependencies, ships the installed node_modules beside the bundled code (installed-deps mode). With --push, pushes that image to a registry (the base image's layers, the server under /app) through the OCI Distribution API and prints the pushed reference to deploy by digest (Artifact Registry: Application Default Credentials). With --cloud, runs the layout's Cloud Build file on Cloud Build and reads back the pushed digest. Layout and version source: environments/echogate.yaml.",
    examples: [
      "echogate build",
      "echogate build --json",
      "echogate build --prune",
      "echogate build --push europe-west1-docker.pkg.dev/my-project/echogate/server",
      "echogate build --cloud --env staging",
    ],
    ...buildShape,
    load: () => import("../handlers/build.js"),
  }),
];
