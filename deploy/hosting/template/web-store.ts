import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { webDigest } from "./digest.js";
import type { BuildFile } from "./substitute.js";

// Content-addressed store of web templates and gated builds under .echogate/web/, so a later
// promotion can substitute (template) or compare against (rebuild) exactly what was gated.

const WEB_STORE_DIR = join(".echogate", "web");

export interface StoredWeb {
  digest: string;
  kind: "template" | "build";
  /** Template: key → placeholder. */
  placeholders?: Record<string, string>;
  nonce?: string;
  /** Build: the public values it was built with. */
  values?: Record<string, string>;
  files: BuildFile[];
}

interface Manifest {
  digest: string;
  kind: "template" | "build";
  placeholders?: Record<string, string>;
  nonce?: string;
  values?: Record<string, string>;
  paths: string[];
}

function dirOf(projectDir: string, kind: StoredWeb["kind"], digest: string): string {
  return join(projectDir, WEB_STORE_DIR, `${kind}s`, digest);
}

export async function saveWeb(projectDir: string, stored: StoredWeb): Promise<void> {
  const final = dirOf(projectDir, stored.kind, stored.digest);
  const manifestPath = join(final, "manifest.json");
  if (
    await readFile(manifestPath).then(
      () => true,
      () => false,
    )
  )
    return;
  const staging = `${final}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  for (const file of stored.files) {
    const full = join(staging, "files", file.path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, file.content);
  }
  const { files, ...rest } = stored;
  const manifest: Manifest = { ...rest, paths: files.map((file) => file.path) };
  await writeFile(join(staging, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await mkdir(dirname(final), { recursive: true });
  await rename(staging, final).catch(async () => rm(staging, { recursive: true, force: true }));
}

export async function loadWeb(
  projectDir: string,
  kind: StoredWeb["kind"],
  digest: string,
): Promise<StoredWeb | undefined> {
  const dir = dirOf(projectDir, kind, digest);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
  const files: BuildFile[] = [];
  try {
    for (const path of manifest.paths)
      files.push({ path, content: await readFile(join(dir, "files", path)) });
  } catch {
    return undefined;
  }
  // A store entry whose bytes no longer hash to its name (edited, half-copied) is not that build.
  if (webDigest(files, manifest.kind === "template" ? (manifest.placeholders ?? {}) : {}) !== digest)
    return undefined;
  const { paths: _paths, ...rest } = manifest;
  return { ...rest, files };
}

/** One nonce per workspace, so rebuilding the same commit gives the same template digest. */
export async function workspaceNonce(projectDir: string, create: () => string): Promise<string> {
  const file = join(projectDir, WEB_STORE_DIR, "nonce");
  const existing = await readFile(file, "utf8").then(
    (text) => text.trim(),
    () => "",
  );
  if (/^[0-9a-f]{16}$/.test(existing)) return existing;
  const nonce = create();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${nonce}\n`);
  return nonce;
}
