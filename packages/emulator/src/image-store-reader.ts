import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  digestFromImageRef,
  type ImageManifest,
  imageDirName,
  imageManifestSchema,
} from "@echogate/common/image-manifest";

export interface ResolvedImage {
  manifest: ImageManifest;
  rootfs: string;
}

type ImageLookup = { ok: true; image: ResolvedImage } | { ok: false; message: string };

/** Resolves a container image reference (`<anything>@sha256:<hex>`) in the local image store. */
export async function resolveImage(imageStoreDir: string, imageRef: string): Promise<ImageLookup> {
  const digest = digestFromImageRef(imageRef);
  if (!digest) {
    return {
      ok: false,
      message: `Image '${imageRef}' not found. The local emulator only runs images referenced by digest (<name>@sha256:<hex>).`,
    };
  }
  const dir = path.join(imageStoreDir, imageDirName(digest));
  let raw: string;
  try {
    raw = await readFile(path.join(dir, "manifest.json"), "utf8");
  } catch {
    return { ok: false, message: `Image '${imageRef}' not found.` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, message: `Image '${imageRef}' has a manifest.json that is not valid JSON.` };
  }
  const parsed = imageManifestSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, message: `Image '${imageRef}' has an invalid manifest: ${parsed.error.message}` };
  }
  if (parsed.data.digest !== digest) {
    return {
      ok: false,
      message: `Image '${imageRef}' manifest digest ${parsed.data.digest} does not match.`,
    };
  }
  return { ok: true, image: { manifest: parsed.data, rootfs: path.join(dir, "rootfs") } };
}
