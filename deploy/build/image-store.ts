import { readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  IMAGE_STORE_RELATIVE_DIR,
  type ImageManifest,
  imageDirName,
  imageManifestSchema,
} from "@echogate/common/image-manifest";
import { ensurePrivateDir } from "@echogate/common/state-file";
import { pathExists } from "../core/path-exists.js";

export function imageStoreDir(projectDir: string): string {
  return join(projectDir, IMAGE_STORE_RELATIVE_DIR);
}

export function imageDir(projectDir: string, digest: string): string {
  return join(imageStoreDir(projectDir), imageDirName(digest));
}

/** The manifest of a stored image, or undefined when the store doesn't have it. */
export async function findImage(projectDir: string, digest: string): Promise<ImageManifest | undefined> {
  try {
    const text = await readFile(join(imageDir(projectDir, digest), "manifest.json"), "utf8");
    return imageManifestSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

export async function listImages(projectDir: string): Promise<ImageManifest[]> {
  let names: string[];
  try {
    names = await readdir(imageStoreDir(projectDir));
  } catch {
    return [];
  }
  const manifests = await Promise.all(
    names
      .filter((name) => name.startsWith("sha256-"))
      .map((name) => findImage(projectDir, name.replace("-", ":"))),
  );
  return manifests
    .filter((manifest): manifest is ImageManifest => manifest !== undefined)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * Moves a fully written staging directory into the store under its digest.
 * Images are immutable: when the digest is already stored, the staged copy is
 * discarded and the stored one kept (same digest = same content).
 */
export async function commitImage(
  projectDir: string,
  stagingDir: string,
  digest: string,
): Promise<{ dir: string; reused: boolean }> {
  const target = imageDir(projectDir, digest);
  await ensurePrivateDir(imageStoreDir(projectDir));
  if (await pathExists(join(target, "manifest.json"))) {
    await rm(stagingDir, { recursive: true, force: true });
    return { dir: target, reused: true };
  }
  await rm(target, { recursive: true, force: true });
  await rename(stagingDir, target);
  return { dir: target, reused: false };
}
