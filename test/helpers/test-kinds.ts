import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

// Sorts test files into the two vitest projects: `system` when the file, or a test helper it
// imports (followed through test/), starts a process, opens a socket, runs the CLI or the
// emulator; `unit` otherwise. The unit project's setup file (unit-guard.ts) makes a wrong guess
// fail loudly instead of slowing the fast run down.

const SYSTEM_MARKERS = [
  /["']node:(child_process|net|http|https|http2|dgram|tls)["']/,
  /["'](execa|ws|ioredis|pg|socket\.io|socket\.io-client|puppeteer-core|playwright-core)["']/,
  /\bfetch\(/,
  /\bruns?Cli\b|\brunEchogate\w*\b|\bbin\/echogate/,
  /deploy\/emulator\/|deploy\/cli\/main|useEmulatedProject|startTestEmulator/,
  /\b(bundleServer|buildImage|buildCli|referenceServer|makeImage)\b|from ["']esbuild["']/,
  /chromium|\.listen\(|#!\/bin\/sh|#!\/usr\/bin\/env/,
];

const IMPORT = /(?:import|export)[^"'`;]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "fixtures" ? [] : testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** `system` or `unit` for every test file under `testDir` (paths relative to `root`). */
export function testKinds(root: string, testDir = join(root, "test")): { unit: string[]; system: string[] } {
  const known = new Map<string, boolean>();
  const isSystem = (file: string, seen: Set<string>): boolean => {
    const cached = known.get(file);
    if (cached !== undefined) return cached;
    if (seen.has(file)) return false;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return false;
    }
    const system =
      SYSTEM_MARKERS.some((marker) => marker.test(text)) ||
      [...text.matchAll(IMPORT)].some((match) => {
        const target = resolve(dirname(file), (match[1] ?? match[2] ?? "").replace(/\.js$/, ".ts"));
        return target.startsWith(testDir) && isSystem(target, seen);
      });
    known.set(file, system);
    return system;
  };
  const unit: string[] = [];
  const system: string[] = [];
  for (const file of testFiles(testDir).sort())
    (isSystem(file, new Set()) ? system : unit).push(relative(root, file));
  return { unit, system };
}
