import { createHash } from "node:crypto";
import type { BuildFile } from "./substitute.js";

// Pure: proves that a per-environment rebuild differs from the gated build only where the public
// values differ. The gated build is turned into a template (its values → markers, remembering
// the escaped form each one was written in); rendering that template with the candidate's values
// must give the candidate's bytes. Content-hashed names change with the values, so files are
// matched by that rendered content and each match renames its references in the other files,
// until nothing new matches.

interface EquivalenceInput {
  gated: { files: readonly BuildFile[]; values: Readonly<Record<string, string>> };
  candidate: { files: readonly BuildFile[]; values: Readonly<Record<string, string>> };
}

interface EquivalenceDifference {
  /** The candidate's file (or the gated one when the candidate has no counterpart). */
  file: string;
  gatedFile?: string;
  /** First differing byte in `file`. */
  offset: number;
  reason: string;
}

interface EquivalenceResult {
  equivalent: boolean;
  files: number;
  /** Files matched under another (content-hashed) name. */
  renamed: number;
  difference?: EquivalenceDifference;
}

/** What a build refers to another of its files by (only these are followed across renames). */
const ASSET_NAME =
  /[\w.-]+\.(?:m?js|cjs|css|map|json|wasm|svg|png|jpe?g|gif|webp|avif|ico|woff2?|ttf|html?)(?![\w])/g;

type Form = "raw" | "json" | "js-single" | "js-template" | "html";
type Segment = Buffer | { key: string; form: Form };

export function checkEquivalence(input: EquivalenceInput): EquivalenceResult {
  const changed = Object.keys(input.candidate.values).filter(
    (key) => input.gated.values[key] !== input.candidate.values[key],
  );
  const templates = new Map(
    input.gated.files.map((file) => [file.path, toTemplate(file.content, changed, input.gated.values)]),
  );
  const render = (path: string): Buffer => renderTemplate(templates.get(path)!, input.candidate.values);
  const rendered = new Map(input.gated.files.map((file) => [file.path, render(file.path)]));
  const candidates = new Map(input.candidate.files.map((file) => [file.path, file.content]));

  const pairs = new Map<string, string>(); // gated path → candidate path
  for (const path of rendered.keys()) if (candidates.has(path)) pairs.set(path, path);
  const renames = new Map<string, string>(); // gated basename → candidate basename
  const pairedByPath = new Set(pairs.values());
  const candidateByDigest = new Map<string, string>();
  for (const [path, content] of candidates)
    if (!pairedByPath.has(path)) candidateByDigest.set(digest(content), path);
  // Unpaired gated files with the renames found so far applied; only files naming a newly renamed
  // file are rewritten and hashed again, so each round costs what changed, not the whole build.
  const unpaired = new Map<string, { text: string; digest: string }>();
  for (const [path, content] of rendered)
    if (!pairs.has(path)) unpaired.set(path, { text: content.toString("latin1"), digest: digest(content) });
  const gatedNames = new Set([...rendered.keys()].map(basename));
  const referencedBy = new Map<string, Set<string>>(); // gated basename → unpaired files naming it
  for (const [path, entry] of unpaired)
    for (const [token] of entry.text.matchAll(ASSET_NAME))
      if (gatedNames.has(token)) referencedBy.set(token, (referencedBy.get(token) ?? new Set()).add(path));
  let fresh: [string, string][] = [];
  const matchedByContent = new Set<string>();
  for (let progress = true; progress; ) {
    progress = false;
    const changedNames = fresh.filter(([from, to]) => from !== to);
    fresh = [];
    if (changedNames.length > 0) {
      const rename = renamer(new Map(changedNames));
      const affected = new Set(changedNames.flatMap(([from]) => [...(referencedBy.get(from) ?? [])]));
      for (const path of affected) {
        const entry = unpaired.get(path);
        if (!entry) continue;
        const renamed = rename(Buffer.from(entry.text, "latin1"));
        entry.text = renamed.toString("latin1");
        entry.digest = digest(renamed);
      }
    }
    for (const [path, entry] of unpaired) {
      const match = candidateByDigest.get(entry.digest);
      if (!match) continue;
      pairs.set(path, match);
      matchedByContent.add(path);
      candidateByDigest.delete(entry.digest);
      unpaired.delete(path);
      renames.set(basename(path), basename(match));
      fresh.push([basename(path), basename(match)]);
      progress = true;
    }
  }

  const result: EquivalenceResult = {
    equivalent: true,
    files: input.candidate.files.length,
    renamed: [...pairs].filter(([a, b]) => a !== b).length,
  };
  const differences: EquivalenceDifference[] = [];
  for (const [gatedPath, candidatePath] of pairs) {
    if (matchedByContent.has(gatedPath)) continue; // equal by digest, renames applied
    const expected = applyRenames(rendered.get(gatedPath)!, renames);
    const actual = candidates.get(candidatePath)!;
    const offset = firstDifference(expected, actual);
    if (offset !== -1)
      differences.push({
        file: candidatePath,
        gatedFile: gatedPath,
        offset,
        reason: "differs from the gated build beyond the public values",
      });
  }
  const pairedCandidates = new Set(pairs.values());
  const unpairedGated = [...rendered.keys()].filter((path) => !pairs.has(path));
  for (const path of [...candidates.keys()].filter((p) => !pairedCandidates.has(p))) {
    const twin = unpairedGated.find((gated) => stem(gated) === stem(path));
    differences.push(
      twin
        ? {
            file: path,
            gatedFile: twin,
            offset: firstDifference(applyRenames(rendered.get(twin)!, renames), candidates.get(path)!),
            reason: `differs from the gated build's ${twin} beyond the public values`,
          }
        : { file: path, offset: 0, reason: "is not in the gated build" },
    );
  }
  for (const path of unpairedGated)
    if (!differences.some((d) => d.gatedFile === path))
      differences.push({
        file: path,
        gatedFile: path,
        offset: 0,
        reason: "is in the gated build but not in this one",
      });
  if (differences.length > 0) {
    result.equivalent = false;
    result.difference = differences.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))[0]!;
  }
  return result;
}

function formsOf(value: string): [Form, Buffer][] {
  const json = JSON.stringify(value).slice(1, -1);
  const single = value.replaceAll("\\", "\\\\").replaceAll("'", "\\'").replaceAll("\n", "\\n");
  const template = value.replaceAll("\\", "\\\\").replaceAll("`", "\\`").replaceAll("${", "\\${");
  const html = value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
  const forms: [Form, string][] = [
    ["raw", value],
    ["json", json],
    ["js-single", single],
    ["js-template", template],
    ["html", html],
  ];
  const seen = new Set<string>();
  return forms
    .filter(([, text]) => text.length > 0 && !seen.has(text) && seen.add(text))
    .map(([form, text]) => [form, Buffer.from(text)]);
}

function encode(value: string, form: Form): Buffer {
  return formsOf(value).find(([f]) => f === form)?.[1] ?? Buffer.from(formsOf(value)[0]?.[1] ?? "");
}

/** The gated file with each changed value replaced by a marker (longest match first, no overlaps). */
function toTemplate(
  content: Buffer,
  keys: readonly string[],
  values: Readonly<Record<string, string>>,
): Segment[] {
  if (keys.length === 0) return [content];
  const matches: { start: number; end: number; key: string; form: Form }[] = [];
  for (const key of keys) {
    const value = values[key];
    if (!value) continue;
    for (const [form, bytes] of formsOf(value))
      for (let at = content.indexOf(bytes); at !== -1; at = content.indexOf(bytes, at + bytes.length))
        matches.push({ start: at, end: at + bytes.length, key, form });
  }
  matches.sort((a, b) => a.start - b.start || b.end - a.end);
  const segments: Segment[] = [];
  let last = 0;
  for (const match of matches) {
    if (match.start < last) continue;
    segments.push(content.subarray(last, match.start), { key: match.key, form: match.form });
    last = match.end;
  }
  segments.push(content.subarray(last));
  return segments;
}

function renderTemplate(segments: readonly Segment[], values: Readonly<Record<string, string>>): Buffer {
  if (segments.length === 1 && Buffer.isBuffer(segments[0])) return segments[0];
  return Buffer.concat(
    segments.map((segment) =>
      Buffer.isBuffer(segment) ? segment : encode(values[segment.key] ?? "", segment.form),
    ),
  );
}

function applyRenames(content: Buffer, renames: ReadonlyMap<string, string>): Buffer {
  return renamer(renames)(content);
}

function renamer(renames: ReadonlyMap<string, string>): (content: Buffer) => Buffer {
  const changed = [...renames].filter(([from, to]) => from !== to);
  if (changed.length === 0) return (content) => content;
  const pattern = new RegExp(
    changed.map(([from]) => from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"),
    "g",
  );
  const lookup = new Map(changed);
  return (content) => {
    const text = content.toString("latin1");
    const replaced = text.replace(pattern, (name) => lookup.get(name)!);
    return replaced === text ? content : Buffer.from(replaced, "latin1");
  };
}

function digest(content: Buffer): string {
  return createHash("sha1").update(content).digest("hex");
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** A path with its content hash taken out: `/assets/index-3f2aB9_c.js` → `/assets/index.js`. */
export function stem(path: string): string {
  return path.replace(/[-.][A-Za-z0-9_-]{6,}(?=\.[A-Za-z0-9]+$)/, "");
}

function firstDifference(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}
