import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ImageManifest } from "@echogate/common/image-manifest";
import { ensurePrivateDir } from "@echogate/common/state-file";
import { requireProjectSettings } from "../config/load-project-settings.js";
import type { ProjectSettings } from "../config/project-schema.js";
import { ConfigError, messageOf } from "../core/errors.js";
import type { ResolvedLayout } from "../source/layout.js";
import { loadProjectLayout } from "../source/project-layout.js";
import { type BuildMode, chooseBuildMode } from "./build-mode.js";
import { bundleServer } from "./bundle-server.js";
import { computeImageDigest, type ImageConfig, sha256Hex } from "./digest.js";
import { resolveServerEntry } from "./entry-to-bundle.js";
import { FAULTS, type FaultName } from "./faults.js";
import { commitImage, findImage, imageDir, imageStoreDir } from "./image-store.js";
import { copyLayer, installedDepsLayer, type SourcedLayerFile } from "./installed-deps-layer.js";
import { resolveBuildVersion, withContentHash, withFault } from "./version.js";

const IMAGE_NAME = "echogate-server";
/**
 * The image lives inside the project, whose package.json may say "type": "module";
 * this marker makes Node read server.js as CommonJS, as it does in the container
 * (an ES module bundle is server.mjs, which Node reads as one either way).
 */
const PACKAGE_MARKER = `${JSON.stringify({ private: true, type: "commonjs" })}\n`;

interface BuildImageOptions {
  projectDir: string;
  /** environments/echogate.yaml and the resolved layout, when the caller has them; read otherwise. */
  settings?: ProjectSettings;
  layout?: ResolvedLayout;
  /** Demo/test only: bake a fault into the image (the gate must refuse it). */
  fault?: FaultName;
  /** `bundle` (one file) or `installed-deps` (bundle + node_modules); default: detected. */
  mode?: BuildMode;
  onStep?: (step: "version" | "bundle" | "store", detail: string) => void;
}

interface BuiltImage {
  digest: string;
  /** What a Cloud Run template references: pinned by digest, never a tag. */
  imageRef: string;
  version: string;
  gitSha: string;
  entry: string;
  mode: BuildMode;
  dir: string;
  /** True when an identical image was already in the store. */
  reused: boolean;
  manifest: ImageManifest;
}

/** Builds the server into a content-addressed image in `.echogate/images/`. */
export async function buildImage(options: BuildImageOptions): Promise<BuiltImage> {
  const { projectDir } = options;
  const settings = options.settings ?? (await requireProjectSettings(projectDir));
  const layout = options.layout ?? (await loadProjectLayout(projectDir, settings));
  // The server's package.json and node_modules live in the layout's working directory.
  const serverDir = join(projectDir, layout.workingDir);
  const committed = await resolveBuildVersion(projectDir, settings.version, layout.workingDir);
  const entry = await resolveServerEntry(projectDir, layout);
  const { mode, reason } = await chooseBuildMode(
    projectDir,
    serverDir,
    entry,
    options.mode ?? settings.build.mode,
  );
  const installedDeps = mode === "installed-deps";

  let bundle: Awaited<ReturnType<typeof bundleServer>>;
  try {
    bundle = await bundleServer(projectDir, entry, { externalPackages: installedDeps });
  } catch (error) {
    const at = compileErrorLocation(error);
    throw new ConfigError("build.bundle", `Can't bundle the server entry ${entry}: ${firstLine(error)}`, {
      hint: "Fix the compile error above; `npm run dev` runs the same entry.",
      ...(at ? { location: at } : {}),
    });
  }
  const { code: serverCode, file: serverFile } = bundle;
  const deps: SourcedLayerFile[] = installedDeps ? await installedDepsLayer(serverDir) : [];
  const size = `${(serverCode.length / 1024).toFixed(0)} KiB`;
  options.onStep?.(
    "bundle",
    installedDeps
      ? `${entry} → ${serverFile} (${size}, ${bundle.format}: ${bundle.reason}) + node_modules (${deps.length} files; ${mode}: ${reason})`
      : `${entry} → ${serverFile} (${size}, ${bundle.format}: ${bundle.reason})`,
  );
  const codeHash = installedDeps
    ? sha256Hex(JSON.stringify([sha256Hex(serverCode), deps.map((file) => [file.path, file.sha256])]))
    : sha256Hex(serverCode);
  const version = withFault(withContentHash(committed, codeHash), options.fault);
  options.onStep?.("version", version.version);

  const config: ImageConfig = {
    entrypoint: ["node", serverFile],
    env: {
      APP_VERSION: version.version,
      NODE_ENV: "production",
      ...(options.fault ? FAULTS[options.fault] : {}),
    },
    workingDir: ".",
  };
  const digest = computeImageDigest(
    [
      { path: serverFile, sha256: sha256Hex(serverCode), mode: 0o644 },
      { path: "package.json", sha256: sha256Hex(PACKAGE_MARKER), mode: 0o644 },
      ...deps.map(({ path, sha256, mode }) => ({ path, sha256, mode })),
    ],
    config,
  );
  const manifest: ImageManifest = {
    schemaVersion: 1,
    digest,
    name: IMAGE_NAME,
    version: version.version,
    gitSha: version.gitSha,
    createdAt: new Date().toISOString(),
    ...config,
  };

  const stored = await storeImage(projectDir, digest, manifest, { file: serverFile, code: serverCode }, deps);
  options.onStep?.("store", stored.reused ? `${digest} (already stored)` : digest);

  return {
    digest,
    imageRef: `local/${IMAGE_NAME}@${digest}`,
    version: version.version,
    gitSha: version.gitSha,
    entry,
    mode,
    dir: stored.dir,
    reused: stored.reused,
    manifest,
  };
}

/** Writes the image into the store under its digest; an identical stored image is reused without copying. */
async function storeImage(
  projectDir: string,
  digest: string,
  manifest: ImageManifest,
  server: { file: string; code: Buffer },
  deps: readonly SourcedLayerFile[],
): Promise<{ dir: string; reused: boolean }> {
  if (await findImage(projectDir, digest)) return { dir: imageDir(projectDir, digest), reused: true };
  await ensurePrivateDir(imageStoreDir(projectDir));
  const staging = await mkdtemp(join(imageStoreDir(projectDir), ".staging-"));
  // Owner-only: the image holds the server's code and its baked-in environment.
  const privateFile = { mode: 0o600 };
  await mkdir(join(staging, "rootfs"), { mode: 0o700 });
  await writeFile(join(staging, "rootfs", server.file), server.code, privateFile);
  await writeFile(join(staging, "rootfs", "package.json"), PACKAGE_MARKER, privateFile);
  await copyLayer(join(staging, "rootfs"), deps);
  await writeFile(join(staging, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, privateFile);
  return commitImage(projectDir, staging, digest);
}

/** Where esbuild's first error is (`server.js`, line 1, column 11), when it says. */
function compileErrorLocation(error: unknown): { file: string; line: number; column: number } | undefined {
  const first = (error as { errors?: { location?: { file: string; line: number; column: number } | null }[] })
    .errors?.[0]?.location;
  return first ? { file: first.file, line: first.line, column: first.column + 1 } : undefined;
}

function firstLine(error: unknown): string {
  return messageOf(error).split("\n").slice(0, 3).join(" ");
}
