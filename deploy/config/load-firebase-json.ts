import { join } from "node:path";
import * as z from "zod";
import { Diagnostics } from "../core/diagnostics.js";
import { readConfigFile, refusalDiagnostic } from "../core/read-config-file.js";
import type { SourceLocation } from "../core/source-location.js";
import {
  type FirebaseHostingSite,
  type FirebaseRc,
  firebaseHostingSchema,
  firebaseRcSchema,
} from "./firebase-json-schema.js";
import { loadYamlFile } from "./yaml-file.js";
import { MAX_YAML_BYTES, parseYamlSource } from "./yaml-source.js";
import { addZodIssues } from "./zod-diagnostics.js";

export const FIREBASE_JSON = "firebase.json";
export const FIREBASE_RC = ".firebaserc";

interface FirebaseHostingBlock {
  site: FirebaseHostingSite;
  /** Its path in firebase.json: ["hosting"] or ["hosting", i]. */
  path: PropertyKey[];
}

export interface LoadedFirebaseJson {
  /** False when the project has no firebase.json (nothing to honour). */
  present: boolean;
  /** Undefined when absent or invalid. */
  blocks: FirebaseHostingBlock[] | undefined;
  /** True when `hosting` is one object (without site or target, it applies to every site). */
  single: boolean;
  rc: FirebaseRc | undefined;
  locate(path: readonly PropertyKey[], options?: { key?: boolean }): SourceLocation;
  diagnostics: Diagnostics;
}

/**
 * Reads firebase.json and .firebaserc (JSON is YAML, so positions come from the YAML parser);
 * every problem is a diagnostic naming the file, line and key.
 */
export async function loadFirebaseJson(projectDir: string): Promise<LoadedFirebaseJson> {
  const diagnostics = new Diagnostics();
  const absent: LoadedFirebaseJson = {
    present: false,
    blocks: undefined,
    single: false,
    rc: undefined,
    locate: () => ({ file: FIREBASE_JSON }),
    diagnostics,
  };
  const read = await readConfigFile(join(projectDir, FIREBASE_JSON), MAX_YAML_BYTES, projectDir);
  if (!read.ok) {
    if (read.reason === "missing") return absent;
    diagnostics.add(refusalDiagnostic("firebase-json", FIREBASE_JSON, read, MAX_YAML_BYTES));
    return { ...absent, present: true };
  }
  const source = parseYamlSource(FIREBASE_JSON, blankJsonComments(read.bytes.toString("utf8")));
  diagnostics.add(...source.diagnostics.items);
  const rc = await loadFirebaseRc(projectDir, diagnostics);
  const loaded = { ...absent, present: true, rc, locate: source.locate };
  if (source.diagnostics.hasErrors) return loaded;
  const value = source.value ?? {};
  if (typeof value !== "object" || Array.isArray(value)) {
    diagnostics.error(
      "firebase-json.not-an-object",
      "firebase.json must hold a JSON object.",
      source.locate([]),
    );
    return loaded;
  }
  const hosting = (value as { hosting?: unknown }).hosting;
  if (hosting === undefined) return { ...loaded, blocks: [] };
  const schema = firebaseHostingSchema(hosting);
  const parsed = schema.safeParse(hosting);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ ...issue, path: ["hosting", ...issue.path] }));
    addZodIssues(diagnostics, source, issues, z.object({ hosting: schema }));
    return loaded;
  }
  const data = parsed.data;
  if (!Array.isArray(data)) return { ...loaded, single: true, blocks: [{ site: data, path: ["hosting"] }] };
  return { ...loaded, blocks: data.map((site, index) => ({ site, path: ["hosting", index] })) };
}

/**
 * The Firebase CLI reads firebase.json with line and block comments allowed (its cjson reader):
 * they become spaces, so every line and column stays where it was.
 */
function blankJsonComments(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const char = text[i]!;
    if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"' && text[end] !== "\n") end += text[end] === "\\" ? 2 : 1;
      out += text.slice(i, end + 1);
      i = end + 1;
    } else if (text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? text.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else {
      out += char;
      i += 1;
    }
  }
  return out;
}

async function loadFirebaseRc(projectDir: string, diagnostics: Diagnostics): Promise<FirebaseRc | undefined> {
  const loaded = await loadYamlFile(projectDir, FIREBASE_RC, firebaseRcSchema, {
    optional: true,
    refusalCode: "firebase-json",
  });
  diagnostics.add(...loaded.diagnostics.items);
  return loaded.value;
}

/**
 * The hosting block that deploys to `site` of `project`, as the Firebase CLI picks it: one object
 * without `site` or `target` applies to any site; otherwise (a list, or one object naming its site), the block naming the site, else the block whose `target`
 * .firebaserc maps to the site (under the project, or under any project when it has none).
 */
export function hostingBlockFor(
  loaded: LoadedFirebaseJson,
  site: string,
  project: string,
): FirebaseHostingBlock | undefined {
  const blocks = loaded.blocks ?? [];
  const only = blocks[0];
  if (loaded.single && only?.site.site === undefined && only?.site.target === undefined) return only;
  const bySite = blocks.find((block) => block.site.site === site);
  if (bySite) return bySite;
  const targets = loaded.rc?.targets ?? {};
  const projectTargets = targets[project]?.hosting;
  const sitesOf = (target: string): string[] =>
    projectTargets
      ? (projectTargets[target] ?? [])
      : Object.values(targets).flatMap((byType) => byType.hosting?.[target] ?? []);
  return blocks.find((block) => block.site.target !== undefined && sitesOf(block.site.target).includes(site));
}
