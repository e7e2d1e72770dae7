import { type AddressUse, addressUse } from "./scan-context.js";

// Pure: finds server addresses in a web build and classifies them against resolved facts (every
// environment's live URLs and Cloud Run URL shapes), so a build carrying another environment's
// server is refused before it is uploaded or promoted. Loopback and private addresses count only
// where the page would connect to them (scan-context.ts): words and comparisons are not servers.

interface ScanFile {
  path: string;
  content: Uint8Array;
}

export interface ForbiddenTarget {
  /** What it is, for the message: `staging server`. */
  label: string;
  /** A host (`chat-staging.example.com`) or full URL; matched case-insensitively as a literal. */
  needle: string;
  /** A secret's value: the finding shows the label, never the needle. */
  secret?: boolean;
  /** This environment's own server, in a build that must not carry it. */
  own?: boolean;
}

export type FindingSeverity = "error" | "warning";

/**
 * What was found: another environment's server (live host, Cloud Run shape or env-file URL),
 * this environment's own server where the build must not carry it, a secret's value, a Cloud Run
 * host nobody owns, or a loopback / private address the page connects to. Only the last three may
 * be accepted in environments/bundle-scan.yaml.
 */
export type FindingKind =
  | "other-environment"
  | "own-server"
  | "secret"
  | "unknown-run-app"
  | "loopback"
  | "private";

/** What a finding shows for a secret's value. */
export const SECRET_MATCH = "(secret value hidden)";

export interface ScanFinding {
  file: string;
  /** 0-based byte offset of the match. */
  offset: number;
  line: number;
  column: number;
  match: string;
  label: string;
  severity: FindingSeverity;
  kind: FindingKind;
}

/** Another environment, as the scan knows it. */
interface OtherEnvironmentFacts {
  name: string;
  /** Hosts (`host` or `host:port`, lowercase) of its live service URL and tag URLs, read from Cloud Run. */
  liveHosts: readonly string[];
  /** Its Cloud Run service name: both URL shapes of that name are refused. */
  serviceName: string;
  /** Previews deploy one service per branch, named `<serviceName>-<branch>`. */
  perBranch: boolean;
}

export interface ScanFacts {
  environment: string;
  /** This environment's live hosts (service + tags) and service name. */
  ownHosts: readonly string[];
  ownServiceName: string;
  /** Build-time modes bake this environment's own server on purpose; runtime-config builds must not. */
  allowOwnServer: boolean;
  others: readonly OtherEnvironmentFacts[];
  /** Literal needles (URLs written in other environments' env files). */
  forbidden?: readonly ForbiddenTarget[];
  /** Local environments may point at loopback; every other kind may not. */
  allowLoopback: boolean;
  /** A `*.run.app` host that is nobody's known server is an error instead of a warning. */
  strict: boolean;
}

const LOOPBACK_NEEDLES = ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"];

const RUN_APP = Buffer.from(".run.app");
const LOCALHOST = Buffer.from("localhost");
const IPV6_LOOPBACK = Buffer.from("[::1]");
const IPV4 = /(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9]|\.\d)/g;

export function scanBundle(files: readonly ScanFile[], facts: ScanFacts): ScanFinding[] {
  const classify = classifier(facts);
  const needles = (facts.forbidden ?? []).filter((target) => target.needle.length >= 4);
  const findings: ScanFinding[] = [];
  for (const file of files) {
    const bytes = lowerAscii(file.content);
    const found = new Map<number, Omit<ScanFinding, "line" | "column" | "file">>();
    for (const candidate of hostCandidates(bytes)) {
      const verdict = classify(candidate.host, () =>
        addressUse(bytes, candidate.offset, candidate.offset + candidate.host.length),
      );
      if (verdict)
        found.set(candidate.offset, { offset: candidate.offset, match: candidate.host, ...verdict });
    }
    for (const target of needles) {
      const needle = Buffer.from(target.needle.toLowerCase(), "utf8");
      for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + needle.length))
        if (found.get(at)?.severity !== "error")
          found.set(at, {
            offset: at,
            match: target.secret ? SECRET_MATCH : target.needle,
            label: target.label,
            severity: "error",
            kind: target.secret ? "secret" : target.own ? "own-server" : "other-environment",
          });
    }
    const lines = lineStarts(file.content, found.size);
    for (const finding of found.values())
      findings.push({ file: file.path, ...finding, ...position(lines, finding.offset) });
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.offset - b.offset);
}

type Verdict = { label: string; severity: FindingSeverity; kind: FindingKind } | undefined;

/**
 * Pure: what a host found in the build is, given the facts; undefined when it is fine. `use` tells
 * whether the page connects to it there, asked only for loopback and private addresses.
 */
function classifier(facts: ScanFacts): (host: string, use: () => AddressUse) => Verdict {
  const otherLive = new Map<string, string>();
  for (const other of facts.others)
    for (const host of other.liveHosts) otherLive.set(host.toLowerCase(), other.name);
  const own = new Set(facts.ownHosts.map((host) => host.toLowerCase()));
  const ownLabel = `${facts.environment}'s own server (read it at runtime from /echogate.json, or use web mode template)`;
  return (host, use) => {
    const bare = stripPort(host);
    const otherName = otherLive.get(host) ?? otherLive.get(bare);
    if (otherName)
      return { label: `${otherName}'s live server`, severity: "error", kind: "other-environment" };
    const ownMatch = own.has(host) || (isRunApp(bare) && isServiceHost(bare, facts.ownServiceName, false));
    if (ownMatch)
      return facts.allowOwnServer ? undefined : { label: ownLabel, severity: "error", kind: "own-server" };
    if (isRunApp(bare)) {
      for (const other of facts.others)
        if (isServiceHost(bare, other.serviceName, other.perBranch))
          return {
            label: `${other.name}'s server (Cloud Run service ${other.serviceName})`,
            severity: "error",
            kind: "other-environment",
          };
      return {
        label: `a Cloud Run host that is not ${facts.environment}'s`,
        severity: facts.strict ? "error" : "warning",
        kind: "unknown-run-app",
      };
    }
    const local = localKind(bare);
    if (!local || facts.allowLoopback) return undefined;
    const how = use();
    if (!how) return undefined;
    return {
      label: `a ${local} address ${how === "url" ? "in a URL" : "passed to a connecting call"}`,
      severity: "error",
      kind: local,
    };
  };
}

/**
 * Both Cloud Run URL shapes of a service, with or without a `tag---` prefix:
 * `NAME-<10 lowercase alnum>-<region code>.a.run.app` and `NAME-<project number>.<region>.run.app`.
 */
export function isServiceHost(host: string, serviceName: string, perBranch: boolean): boolean {
  const untagged = host.includes("---") ? host.slice(host.lastIndexOf("---") + 3) : host;
  const name = escapeRegex(serviceName.toLowerCase());
  const branch = perBranch ? "(?:-[a-z0-9-]+)?" : "";
  return (
    new RegExp(`^${name}${branch}-[a-z0-9]{10}-[a-z]{2,4}\\.a\\.run\\.app$`).test(untagged) ||
    new RegExp(`^${name}${branch}-\\d{6,}\\.[a-z]+-[a-z]+\\d+\\.run\\.app$`).test(untagged)
  );
}

/** `loopback`, `private` or undefined, for a host without port. */
function localKind(host: string): "loopback" | "private" | undefined {
  if (host === "localhost" || host === "[::1]" || host === "0.0.0.0") return "loopback";
  const parts = host.split(".").map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part > 255)) return undefined;
  const [a, b] = parts as [number, number, number, number];
  if (a === 127) return "loopback";
  if (a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 169 && b === 254))
    return "private";
  return undefined;
}

/** Hosts (`host` or `host:port`) of URLs; unparsable ones are skipped. */
export function hostsOfUrls(urls: readonly (string | undefined)[]): string[] {
  const hosts = new Set<string>();
  for (const url of urls) {
    if (!url) continue;
    try {
      hosts.add(new URL(url).host.toLowerCase());
    } catch {
      // not a URL
    }
  }
  return [...hosts];
}

/** Literal hosts to look for, from URLs written in another environment's env file. */
export function forbiddenFromUrls(
  label: string,
  urls: readonly string[],
  options: { own?: boolean } = {},
): ForbiddenTarget[] {
  const targets = new Map<string, ForbiddenTarget>();
  for (const host of hostsOfUrls(urls)) {
    if (LOOPBACK_NEEDLES.some((needle) => host.startsWith(needle))) continue;
    targets.set(host, { label, needle: host, ...(options.own ? { own: true } : {}) });
  }
  return [...targets.values()];
}

export function formatFinding(finding: ScanFinding): string {
  return `${finding.file}:${finding.line}:${finding.column} (byte ${finding.offset}): contains ${finding.label} "${finding.match}"`;
}

interface Candidate {
  offset: number;
  host: string;
}

const isHostByte = (byte: number | undefined): boolean =>
  byte !== undefined &&
  ((byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte === 45 || byte === 46);

/** Every `*.run.app`, `localhost`, `[::1]` and dotted IPv4 in the (lower-cased) bytes, with its port. */
function hostCandidates(bytes: Buffer): Candidate[] {
  const candidates: Candidate[] = [];
  const withPort = (start: number, end: number): Candidate => {
    let stop = end;
    if (bytes[end] === 58) {
      let digits = end + 1;
      while (digits < bytes.length && digits - end <= 5 && bytes[digits]! >= 48 && bytes[digits]! <= 57)
        digits++;
      if (digits > end + 1) stop = digits;
    }
    return { offset: start, host: bytes.toString("latin1", start, stop) };
  };
  for (let at = bytes.indexOf(RUN_APP); at !== -1; at = bytes.indexOf(RUN_APP, at + RUN_APP.length)) {
    const end = at + RUN_APP.length;
    if (isHostByte(bytes[end]) && bytes[end] !== 46) continue;
    let start = at;
    while (start > 0 && isHostByte(bytes[start - 1])) start--;
    if (start < at) candidates.push(withPort(start, end));
  }
  for (let at = bytes.indexOf(LOCALHOST); at !== -1; at = bytes.indexOf(LOCALHOST, at + LOCALHOST.length)) {
    if (isHostByte(bytes[at - 1]) || isHostByte(bytes[at + LOCALHOST.length])) continue;
    candidates.push(withPort(at, at + LOCALHOST.length));
  }
  for (
    let at = bytes.indexOf(IPV6_LOOPBACK);
    at !== -1;
    at = bytes.indexOf(IPV6_LOOPBACK, at + IPV6_LOOPBACK.length)
  )
    candidates.push(withPort(at, at + IPV6_LOOPBACK.length));
  // Only bytes that can start an address are handed to the regex engine.
  const text = bytes.toString("latin1");
  for (const match of text.matchAll(IPV4)) {
    if (localKind(match[0]) === undefined) continue;
    candidates.push(withPort(match.index, match.index + match[0].length));
  }
  return candidates;
}

function stripPort(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

function isRunApp(host: string): boolean {
  return host.endsWith(".run.app");
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function lowerAscii(bytes: Uint8Array): Buffer {
  const copy = Buffer.from(bytes);
  for (let i = 0; i < copy.length; i++) {
    const byte = copy[i]!;
    if (byte >= 65 && byte <= 90) copy[i] = byte + 32;
  }
  return copy;
}

/** Line start offsets, computed only when something was found. */
function lineStarts(bytes: Uint8Array, found: number): number[] {
  if (found === 0) return [];
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) starts.push(i + 1);
  return starts;
}

function position(starts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - starts[low]! + 1 };
}
