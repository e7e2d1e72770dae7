import { createHash } from "node:crypto";

export interface LayerFile {
  /** Path relative to rootfs/, forward slashes. */
  path: string;
  sha256: string;
  mode: number;
}

export interface ImageConfig {
  entrypoint: string[];
  env: Record<string, string>;
  workingDir: string;
}

/**
 * The image digest covers exactly what runs: every file's content hash and mode,
 * plus the entrypoint, baked env and working dir. Timestamps and names don't
 * count, so the same source and version always give the same digest.
 */
export function computeImageDigest(files: readonly LayerFile[], config: ImageConfig): string {
  const canonical = JSON.stringify({
    files: [...files]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((f) => [f.path, f.sha256, f.mode]),
    entrypoint: config.entrypoint,
    env: Object.fromEntries(Object.entries(config.env).sort(([a], [b]) => (a < b ? -1 : 1))),
    workingDir: config.workingDir,
  });
  return `sha256:${createHash("sha256").update(canonical).digest("hex")}`;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
