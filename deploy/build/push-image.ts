import { lstat, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HttpRequestError } from "@echogate/common/http-request";
import { type ImageManifest, imageDirName } from "@echogate/common/image-manifest";
import { PlatformError, UsageError } from "../core/errors.js";
import { imageTagFor } from "./cloud-build.js";
import { formatImageReference, parseImageReference, withDefaultRegistry } from "./image-reference.js";
import { commitImage, findImage, imageDir, imageStoreDir } from "./image-store.js";
import {
  APP_DIR,
  cloudRunPlatformOf,
  composeImage,
  type Descriptor,
  type ImageManifestDocument,
  MEDIA_TYPES,
  sha256Digest,
} from "./oci-image.js";
import { type CredentialsFor, RegistryClient, RegistryError } from "./registry-client.js";
import { type TarFile, tarLayer } from "./tar-layer.js";

interface PushImageRequest {
  projectDir: string;
  /** The local store's image (what `echogate build` printed). */
  localDigest: string;
  /** `REGISTRY/PATH/IMAGE`, no tag or digest: where the image goes. */
  repository: string;
  /** The base image the server runs on (Node on PATH), e.g. `node:20-slim`. */
  base: string;
  credentials: CredentialsFor;
  signal?: AbortSignal;
  onStep?: (step: "base" | "upload", detail: string) => void;
}

export interface PushedImage {
  /** `REGISTRY/PATH/IMAGE@sha256:…`: what a Cloud Run template pins. */
  imageRef: string;
  digest: string;
  localDigest: string;
  /** The base image as pinned (`…@sha256:…`). */
  base: string;
  /** Bytes of the server's own layer (gzipped). */
  layerBytes: number;
  uploadedBlobs: number;
  reusedBlobs: number;
}

export const DEFAULT_BASE_IMAGE = "node:20-slim";

/** `--push` takes a repository: a registry host and a path, no tag or digest (the push picks those). */
export function parsePushRepository(value: string): { registry: string; repository: string } {
  const reference = parseImageReference(value);
  if (!reference.registry || reference.tag || reference.digest || !reference.repository) {
    throw new UsageError(`Can't push to ${value}: it is not a repository.`, {
      hint: "Pass REGION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE (no tag, no digest).",
    });
  }
  return { registry: reference.registry, repository: reference.repository };
}

/**
 * Pushes a locally built image to a registry as a runnable image: the base image's layers (copied
 * from its registry), one layer with the server under /app, a config that starts it. The pushed
 * digest is also written into the local store as an alias of the local image, so `deploy --image
 * REGISTRY/…@sha256:…` knows its version and the emulator runs it by digest.
 */
export async function pushImage(request: PushImageRequest): Promise<PushedImage> {
  const target = parsePushRepository(request.repository);
  const built = await findImage(request.projectDir, request.localDigest);
  if (!built) {
    throw new UsageError(`Can't push ${request.localDigest}: it is not in .echogate/images/.`, {
      hint: "Run `echogate build` first.",
    });
  }
  const client = (registry: string) => new RegistryClient(registry, request.credentials, request.signal);
  try {
    const base = await resolveBase(client, request.base);
    request.onStep?.("base", base.pinned);
    const layer = tarLayer(await rootfsFiles(imageDir(request.projectDir, built.digest)));
    const image = composeImage(base, layer, built);

    const pusher = client(target.registry);
    let uploadedBlobs = 0;
    const push = async (descriptor: Descriptor, bytes: () => Promise<Buffer>) => {
      if (await pusher.hasBlob(target.repository, descriptor.digest)) return;
      await pusher.pushBlob(target.repository, descriptor, await bytes());
      uploadedBlobs++;
    };
    const baseRegistry = client(base.registry);
    for (const descriptor of base.manifest.layers) {
      await push(descriptor, () => baseRegistry.blob(base.repository, descriptor.digest));
    }
    const manifest = JSON.parse(image.manifest.toString("utf8")) as ImageManifestDocument;
    await push(manifest.layers.at(-1)!, async () => layer.gzip);
    await push(manifest.config, async () => image.config);
    const digest = await pusher.pushManifest(
      target.repository,
      imageTagFor(built.version),
      image.mediaType,
      image.manifest,
    );
    request.onStep?.("upload", `${uploadedBlobs} of ${manifest.layers.length + 1} blobs uploaded`);
    await storeAlias(request.projectDir, built, digest);
    return {
      imageRef: `${target.registry}/${target.repository}@${digest}`,
      digest,
      localDigest: built.digest,
      base: base.pinned,
      layerBytes: layer.gzip.length,
      uploadedBlobs,
      reusedBlobs: manifest.layers.length + 1 - uploadedBlobs,
    };
  } catch (error) {
    if (error instanceof RegistryError || error instanceof HttpRequestError) {
      throw new PlatformError("build.push", `Failed to push to ${target.registry}: ${error.message}.`, {
        hint: "Check that the repository exists and that your credentials may write to it (Artifact Registry: roles/artifactregistry.writer; `gcloud auth application-default login` locally).",
      });
    }
    throw error;
  }
}

interface ResolvedBase {
  registry: string;
  repository: string;
  pinned: string;
  manifest: ImageManifestDocument;
  config: Parameters<typeof composeImage>[0]["config"];
}

/** The base image's linux/amd64 manifest and config; an index (multi-platform) is resolved first. */
async function resolveBase(
  client: (registry: string) => RegistryClient,
  base: string,
): Promise<ResolvedBase> {
  const reference = withDefaultRegistry(parseImageReference(base));
  const registry = client(reference.registry);
  let read = await registry.manifest(reference.repository, reference.digest ?? reference.tag ?? "latest");
  if (read.mediaType === MEDIA_TYPES.ociIndex || read.mediaType === MEDIA_TYPES.dockerList) {
    const chosen = cloudRunPlatformOf(JSON.parse(read.bytes.toString("utf8")));
    if (!chosen) {
      throw new UsageError(
        `Can't use base image ${base}: it has no linux/amd64 image (Cloud Run runs amd64).`,
      );
    }
    read = await registry.manifest(reference.repository, chosen.digest);
  }
  const manifest = JSON.parse(read.bytes.toString("utf8")) as ImageManifestDocument;
  manifest.mediaType ??= read.mediaType;
  if (manifest.mediaType !== MEDIA_TYPES.ociManifest && manifest.mediaType !== MEDIA_TYPES.dockerManifest) {
    throw new UsageError(`Can't use base image ${base}: its manifest is ${manifest.mediaType}.`);
  }
  const config = JSON.parse(
    (await registry.blob(reference.repository, manifest.config.digest)).toString("utf8"),
  ) as ResolvedBase["config"];
  return {
    registry: reference.registry,
    repository: reference.repository,
    pinned: formatImageReference({ ...reference, tag: undefined, digest: sha256Digest(read.bytes) }),
    manifest,
    config,
  };
}

/** The image's files as the container sees them: rootfs/ under /app. */
async function rootfsFiles(dir: string): Promise<TarFile[]> {
  const rootfs = join(dir, "rootfs");
  const files: TarFile[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(join(rootfs, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const full = join(rootfs, path);
        const mode = (await lstat(full)).mode & 0o111 ? 0o755 : 0o644;
        files.push({ path: `${APP_DIR}/${path}`, content: await readFile(full), mode });
      }
    }
  };
  await walk("");
  return files;
}

/** The pushed digest in the local store: the same files and version, under the registry's digest. */
async function storeAlias(projectDir: string, built: ImageManifest, digest: string): Promise<void> {
  if (digest === built.digest || (await findImage(projectDir, digest))) return;
  await mkdir(imageStoreDir(projectDir), { recursive: true });
  const staging = await mkdtemp(join(imageStoreDir(projectDir), ".staging-"));
  await symlink(join("..", imageDirName(built.digest), "rootfs"), join(staging, "rootfs"));
  const alias: ImageManifest = { ...built, digest, pushedFrom: built.digest };
  await writeFile(join(staging, "manifest.json"), `${JSON.stringify(alias, null, 2)}\n`);
  await commitImage(projectDir, staging, digest);
}
