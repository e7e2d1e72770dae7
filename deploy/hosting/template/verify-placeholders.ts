import type { BuildFile } from "./substitute.js";

// Pure: after the template build, every public variable the source uses must appear in the
// output as its whole placeholder. A placeholder the bundler split, case-folded, hashed or
// dropped can't be substituted, so the build is refused naming the file and the variable.

interface PlaceholderProblem {
  key: string;
  /** The output file where a fragment sits, or the source file that uses the variable. */
  file: string;
  reason: string;
}

export function verifyPlaceholders(input: {
  files: readonly BuildFile[];
  placeholders: Readonly<Record<string, string>>;
  nonce: string;
  /** key → source files that mention it (outside the build output). */
  references: ReadonlyMap<string, readonly string[]>;
}): PlaceholderProblem[] {
  const problems: PlaceholderProblem[] = [];
  const nonceBytes = [Buffer.from(input.nonce), Buffer.from(input.nonce.toUpperCase())];
  const found = new Map<string, number>();
  for (const file of input.files) {
    if (nonceBytes.some((nonce) => file.path.includes(nonce.toString()))) {
      problems.push({
        key: keyNear(file.path, input.placeholders) ?? "(a public variable)",
        file: file.path,
        reason: "a placeholder ended up in a file name; the value would be hashed into names",
      });
    }
    let whole = 0;
    for (const [key, placeholder] of Object.entries(input.placeholders)) {
      const count = countOf(file.content, Buffer.from(placeholder));
      if (count > 0) found.set(key, (found.get(key) ?? 0) + count);
      whole += count;
    }
    const fragments = nonceBytes.reduce((sum, nonce) => sum + countOf(file.content, nonce), 0);
    if (fragments > whole) {
      const at = fragmentOffset(file.content, input.placeholders, nonceBytes);
      problems.push({
        key:
          keyNear(file.content.toString("latin1", Math.max(0, at - 80), at + 40), input.placeholders) ??
          "(a public variable)",
        file: file.path,
        reason: `a placeholder is split or transformed at byte ${at}; substitution can't reach it`,
      });
    }
  }
  for (const [key, sources] of input.references) {
    if (found.has(key) || !(key in input.placeholders)) continue;
    if (problems.some((problem) => problem.key === key)) continue;
    problems.push({
      key,
      file: sources[0]!,
      reason:
        "the source uses it but its placeholder is not in the build output (hashed, transformed or inlined by the bundler)",
    });
  }
  return problems;
}

function countOf(haystack: Buffer, needle: Buffer): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length))
    count++;
  return count;
}

/** The first nonce occurrence that is not part of a whole placeholder. */
function fragmentOffset(
  content: Buffer,
  placeholders: Readonly<Record<string, string>>,
  nonces: Buffer[],
): number {
  const covered: [number, number][] = [];
  for (const placeholder of Object.values(placeholders)) {
    const needle = Buffer.from(placeholder);
    for (let at = content.indexOf(needle); at !== -1; at = content.indexOf(needle, at + needle.length))
      covered.push([at, at + needle.length]);
  }
  let first = Number.POSITIVE_INFINITY;
  for (const nonce of nonces)
    for (let at = content.indexOf(nonce); at !== -1; at = content.indexOf(nonce, at + nonce.length))
      if (!covered.some(([start, end]) => at >= start && at < end)) first = Math.min(first, at);
  return Number.isFinite(first) ? first : 0;
}

/** The variable whose name appears in `text` (case-insensitively), for the message. */
function keyNear(text: string, placeholders: Readonly<Record<string, string>>): string | undefined {
  const lower = text.toLowerCase();
  return Object.keys(placeholders)
    .sort((a, b) => b.length - a.length)
    .find((key) => lower.includes(key.toLowerCase()));
}
