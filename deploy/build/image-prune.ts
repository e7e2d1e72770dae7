import { rm } from "node:fs/promises";
import type { ImageManifest } from "@echogate/common/image-manifest";
import { imageDir, listImages } from "./image-store.js";

/**
 * The stored images to delete (pure): all but the `keepNewest` newest and every image `referenced`
 * (by a revision or a gate record) or that a kept image was pushed from. `images` newest first.
 */
export function prunableImages(
  images: readonly ImageManifest[],
  referenced: ReadonlySet<string>,
  keepNewest: number,
): ImageManifest[] {
  const kept = new Set<string>([...referenced, ...images.slice(0, keepNewest).map((image) => image.digest)]);
  for (const image of images) if (kept.has(image.digest) && image.pushedFrom) kept.add(image.pushedFrom);
  return images.filter((image) => !kept.has(image.digest));
}

/** Deletes what `prunableImages` chooses from `.echogate/images/`; returns what it deleted. */
export async function pruneImages(
  projectDir: string,
  referenced: ReadonlySet<string>,
  keepNewest: number,
): Promise<{ deleted: ImageManifest[]; kept: number }> {
  const images = await listImages(projectDir);
  const deleted = prunableImages(images, referenced, keepNewest);
  for (const image of deleted) await rm(imageDir(projectDir, image.digest), { recursive: true, force: true });
  return { deleted, kept: images.length - deleted.length };
}
