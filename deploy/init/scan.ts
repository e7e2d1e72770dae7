import { join } from "node:path";
import { readConfigFileSync } from "../core/read-config-file.js";
import { cloudbuildCandidates, dockerfileCandidates } from "../source/layout.js";
import { listProjectFiles } from "../source/project-files.js";
import { importGraph } from "./import-graph.js";
import type { ProjectSnapshot } from "./snapshot.js";

/** Source files larger than this are skipped: a bundle or generated file, not the server's own code. */
const MAX_SOURCE_BYTES = 512 * 1024;
const MAX_SOURCE_FILES = 400;
const SOURCE_FILE = /\.(c|m)?(j|t)sx?$/;
const ENV_FILE = /^(?:[^/]+\/)?\.env(\.[\w-]+)?$/;

interface ScanResult {
  snapshot: ProjectSnapshot;
  /** Files init needed but could not read, with the reason. */
  unreadable: Array<{ file: string; reason: string }>;
}

/** Reads what detection needs, never writing; files that can't be read are listed, not skipped silently. */
export function scanProject(projectDir: string): ScanResult {
  const files = listProjectFiles(projectDir, 3);
  const wanted = new Set<string>([
    ...files.filter((file) => file.endsWith("package.json") && file.split("/").length <= 3),
    ...dockerfileCandidates(files),
    ...cloudbuildCandidates(files),
    ...files.filter((file) => /(^|\/)Procfile$/.test(file)),
    ...files.filter((file) => file === ".gitignore"),
    ...files.filter((file) => ENV_FILE.test(file)),
    ...files.filter((file) => file === ".firebaserc" || file === "firebase.json"),
  ]);
  // Where existing service names and deploy commands are written down; read when small enough.
  const notes = files.filter(
    (file) => /(^|\/)([\w.-]+\.(sh|md)|Makefile)$/i.test(file) && file.split("/").length <= 3,
  );
  const sources = files
    .filter((file) => SOURCE_FILE.test(file) && !file.endsWith(".d.ts"))
    .slice(0, MAX_SOURCE_FILES);
  const texts = new Map<string, string>();
  const unreadable: ScanResult["unreadable"] = [];
  const read = (file: string, required: boolean | "optional") => {
    const result = readConfigFileSync(join(projectDir, file), MAX_SOURCE_BYTES, projectDir);
    if (result.ok) texts.set(file, result.bytes.toString("utf8").replace(/^\uFEFF/, ""));
    else if (required === true || (required === false && result.reason !== "too-large"))
      unreadable.push({ file, reason: result.detail });
  };
  for (const file of wanted) read(file, true);
  for (const file of sources) read(file, false);
  for (const file of notes) if (!texts.has(file)) read(file, "optional");
  return { snapshot: { files, texts }, unreadable };
}

/**
 * The snapshot with every file the server entry imports read too: the scan's depth and file cap
 * stop at folders, the server's own modules may sit deeper or beyond the cap (a big client folder
 * sorted first). Files that can't be read end their branch, as a missing file does.
 */
export function withServerGraph(
  projectDir: string,
  snapshot: ProjectSnapshot,
  entry: string,
): ProjectSnapshot {
  const texts = new Map(snapshot.texts);
  const missing = new Set<string>();
  const textOf = (file: string): string | undefined => {
    if (texts.has(file)) return texts.get(file);
    if (missing.has(file) || file.split("/").includes("node_modules")) return undefined;
    const result = readConfigFileSync(join(projectDir, file), MAX_SOURCE_BYTES, projectDir);
    if (!result.ok) {
      missing.add(file);
      return undefined;
    }
    const text = result.bytes.toString("utf8").replace(/^\uFEFF/, "");
    texts.set(file, text);
    return text;
  };
  importGraph(entry, textOf, MAX_SOURCE_FILES);
  return texts.size === snapshot.texts.size ? snapshot : { files: snapshot.files, texts };
}
