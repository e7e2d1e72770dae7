// Pure: refuses web builds that hard-code a server, so the same build can move between environments.

export interface ScanFile {
  path: string;
  content: Uint8Array;
}

export interface ForbiddenTarget {
  /** What it is, for the message: `staging server`. */
  label: string;
  /** A host (`chat-staging-abc.a.run.app`) or full URL; matched case-insensitively. */
  needle: string;
}

export interface ScanFinding {
  file: string;
  /** 0-based byte offset of the match. */
  offset: number;
  line: number;
  column: number;
  match: string;
  label: string;
}

export const LOOPBACK_NEEDLES = ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"];

export interface ScanOptions {
  forbidden: readonly ForbiddenTarget[];
  /** Local environments may point at loopback; every other kind may not. */
  allowLoopback: boolean;
}

export function scanBundle(files: readonly ScanFile[], options: ScanOptions): ScanFinding[] {
  const targets: ForbiddenTarget[] = [
    ...options.forbidden.filter((target) => target.needle.length >= 4),
    ...(options.allowLoopback
      ? []
      : LOOPBACK_NEEDLES.map((needle) => ({ label: "a loopback address", needle }))),
  ];
  const findings: ScanFinding[] = [];
  for (const file of files) {
    const haystack = lowerAscii(file.content);
    for (const target of targets) {
      const needle = Buffer.from(target.needle.toLowerCase(), "utf8");
      for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
        const { line, column } = position(file.content, at);
        findings.push({
          file: file.path,
          offset: at,
          line,
          column,
          match: target.needle,
          label: target.label,
        });
      }
    }
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.offset - b.offset);
}

/** Hosts to look for, from URLs found in another environment's settings. */
export function forbiddenFromUrls(label: string, urls: readonly string[]): ForbiddenTarget[] {
  const targets = new Map<string, ForbiddenTarget>();
  for (const url of urls) {
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      continue;
    }
    if (LOOPBACK_NEEDLES.some((needle) => host.startsWith(needle))) continue;
    targets.set(host, { label, needle: host });
  }
  return [...targets.values()];
}

export function formatFinding(finding: ScanFinding): string {
  return `${finding.file}:${finding.line}:${finding.column} (byte ${finding.offset}): contains ${finding.label} "${finding.match}"`;
}

function lowerAscii(bytes: Uint8Array): Buffer {
  const copy = Buffer.from(bytes);
  for (let i = 0; i < copy.length; i++) {
    const byte = copy[i]!;
    if (byte >= 65 && byte <= 90) copy[i] = byte + 32;
  }
  return copy;
}

function position(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
