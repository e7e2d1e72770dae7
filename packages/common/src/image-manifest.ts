import * as z from "zod";

// The local image store contract: <project>/.echogate/images/sha256-<hex>/{manifest.json,rootfs/}.
// The builder writes it; the emulator reads it.

export const IMAGE_STORE_RELATIVE_DIR = ".echogate/images";
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

export const imageManifestSchema = z.object({
  schemaVersion: z.literal(1),
  digest: z.string().regex(DIGEST_PATTERN),
  name: z.string().min(1),
  version: z.string().min(1),
  gitSha: z.string(),
  createdAt: z.string(),
  /** `entrypoint[0] === "node"` means the running Node binary; other paths are relative to rootfs/. */
  entrypoint: z.array(z.string()).min(1),
  env: z.record(z.string(), z.string()).default({}),
  workingDir: z.string().default("."),
  /** Set on a pushed image's entry: the local image it was composed from (same rootfs, same version). */
  pushedFrom: z.string().regex(DIGEST_PATTERN).optional(),
});

export type ImageManifest = z.infer<typeof imageManifestSchema>;

/** `sha256:<hex>` -> `sha256-<hex>`, the directory name of an image in the store. */
export function imageDirName(digest: string): string {
  return digest.replace(":", "-");
}

/** Extracts `sha256:<hex>` from an image reference like `local/echogate-server@sha256:<hex>`. */
export function digestFromImageRef(ref: string): string | undefined {
  const at = ref.lastIndexOf("@");
  if (at < 0) return undefined;
  const digest = ref.slice(at + 1);
  return DIGEST_PATTERN.test(digest) ? digest : undefined;
}
