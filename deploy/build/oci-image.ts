import { createHash } from "node:crypto";
import type { ImageManifest } from "@echogate/common/image-manifest";

// Image manifests and configs as the OCI image spec (image-spec v1.1: manifest.md, config.md) and
// Docker's Image Manifest V2 Schema 2 define them. A pushed image keeps its base image's format.

export const MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface ImageManifestDocument {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

interface ImageConfigDocument {
  config?: Record<string, unknown> & { Env?: string[] };
  rootfs: { type: "layers"; diff_ids: string[] };
  history?: Record<string, unknown>[];
  [key: string]: unknown;
}

interface ComposedImage {
  config: Buffer;
  manifest: Buffer;
  mediaType: string;
  /** The manifest's digest: what the registry answers in Docker-Content-Digest and Cloud Run pins. */
  digest: string;
}

/** Where the server lives in the container (Dockerfile.minimal's WORKDIR). */
export const APP_DIR = "app";
/** Fixed so the same build on the same base gives the same digest. */
const CREATED = "1970-01-01T00:00:00Z";

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The manifest of an index that runs on Cloud Run (linux/amd64). */
export function cloudRunPlatformOf(index: { manifests?: Descriptor[] }): Descriptor | undefined {
  return index.manifests?.find(
    (entry) => entry.platform?.os === "linux" && entry.platform.architecture === "amd64",
  );
}

/**
 * The base image plus one layer holding the built server under /app, configured to start it as
 * the local image does: its entrypoint as CMD (the base's ENTRYPOINT, e.g. node's
 * docker-entrypoint.sh, still runs first, as with Dockerfile.minimal's CMD), its env over the base's.
 */
export function composeImage(
  base: { manifest: ImageManifestDocument; config: ImageConfigDocument },
  layer: { gzip: Buffer; tar: Buffer },
  built: Pick<ImageManifest, "entrypoint" | "env" | "workingDir" | "version">,
): ComposedImage {
  const docker = base.manifest.mediaType === MEDIA_TYPES.dockerManifest;
  const baseEnv = (base.config.config?.Env ?? []).filter((entry) => !(entry.split("=")[0]! in built.env));
  const config: ImageConfigDocument = {
    ...base.config,
    created: CREATED,
    config: {
      ...base.config.config,
      Env: [...baseEnv, ...Object.entries(built.env).map(([key, value]) => `${key}=${value}`)],
      WorkingDir: built.workingDir === "." ? `/${APP_DIR}` : `/${APP_DIR}/${built.workingDir}`,
      Cmd: built.entrypoint,
      Labels: {
        ...((base.config.config?.Labels as Record<string, string> | undefined) ?? {}),
        "dev.echogate.version": built.version,
      },
    },
    rootfs: { type: "layers", diff_ids: [...base.config.rootfs.diff_ids, sha256Digest(layer.tar)] },
    history: [...(base.config.history ?? []), { created: CREATED, created_by: "echogate build --push" }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest: ImageManifestDocument = {
    schemaVersion: 2,
    mediaType: docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest,
    config: {
      mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig,
      digest: sha256Digest(configBytes),
      size: configBytes.length,
    },
    layers: [
      ...base.manifest.layers,
      {
        mediaType: docker ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.ociLayerGzip,
        digest: sha256Digest(layer.gzip),
        size: layer.gzip.length,
      },
    ],
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return {
    config: configBytes,
    manifest: manifestBytes,
    mediaType: manifest.mediaType,
    digest: sha256Digest(manifestBytes),
  };
}
