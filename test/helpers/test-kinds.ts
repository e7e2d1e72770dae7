import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

// Sorts test files into the vitest projects:
// - `journey` when the file says so on a line of its own starting `// Journey:` (with why): a whole
//   user journey through outside toolchains or a reliability loop (npm pack and install, a
//   framework's build, Chromium, the kill -9 replays), run by `npm run test:journeys` and by CI;
// - `isolated` when the file, or a test helper it imports (followed through test/), changes what a
//   later file in the same worker would see: process.env, module mocks, or Google's auth libraries,
//   which cache what they detect (is there a metadata server?) for the life of the process;
// - `system` when it starts a process, opens a socket, runs the CLI or the emulator;
// - `unit` otherwise. The unit project's setup file (unit-guard.ts) makes a wrong guess fail loudly
//   instead of slowing the fast run down.
// `unit` and `system` share a worker process between files (vitest's isolate: false), which saves
// each file loading the same modules again; `isolated` and `journey` get a fresh one per file.

const SYSTEM_MARKERS = [
  /["']node:(child_process|net|http|https|http2|dgram|tls)["']/,
  /["'](execa|ws|ioredis|pg|socket\.io|socket\.io-client|puppeteer-core|playwright-core)["']/,
  /\bfetch\(/,
  /\bruns?Cli\b|\brunEchogate\w*\b|\bbin\/echogate/,
  /deploy\/emulator\/|deploy\/cli\/main|useEmulatedProject|startTestEmulator/,
  /\b(bundleServer|buildImage|buildCli|referenceServer|makeImage)\b|from ["']esbuild["']/,
  /chromium|\.listen\(|#!\/bin\/sh|#!\/usr\/bin\/env/,
];

const ISOLATION_MARKERS = [
  /\bvi\.(mock|doMock|stubEnv|stubGlobal)\(/,
  /\bprocess\.env(\.\w+|\[[^\]]+\])\s*=(?!=)|\bdelete process\.env\b/,
  /\bGCE_METADATA_HOST\b|["']google-auth-library["']/,
];

const JOURNEY = /^\/\/ Journey: /m;

const IMPORT = /(?:import|export)[^"'`;]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "fixtures" ? [] : testFiles(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Whether `file` or a test helper it imports (under `testDir`) matches one of `markers`. */
function reaches(markers: RegExp[], testDir: string): (file: string) => boolean {
  const known = new Map<string, boolean>();
  const visit = (file: string, seen: Set<string>): boolean => {
    const cached = known.get(file);
    if (cached !== undefined) return cached;
    if (seen.has(file)) return false;
    seen.add(file);
    const text = readText(file);
    if (text === undefined) return false;
    const found =
      markers.some((marker) => marker.test(text)) ||
      [...text.matchAll(IMPORT)].some((match) => {
        const target = resolve(dirname(file), (match[1] ?? match[2] ?? "").replace(/\.js$/, ".ts"));
        return target.startsWith(testDir) && visit(target, seen);
      });
    known.set(file, found);
    return found;
  };
  return (file) => visit(file, new Set());
}

export interface TestKinds {
  unit: string[];
  system: string[];
  isolated: string[];
  journey: string[];
}

/** The kind of every test file under `testDir` (paths relative to `root`). */
export function testKinds(root: string, testDir = join(root, "test")): TestKinds {
  const isSystem = reaches(SYSTEM_MARKERS, testDir);
  const needsIsolation = reaches(ISOLATION_MARKERS, testDir);
  const kindOf = (file: string): keyof TestKinds => {
    if (JOURNEY.test(readText(file) ?? "")) return "journey";
    if (needsIsolation(file)) return "isolated";
    return isSystem(file) ? "system" : "unit";
  };
  const kinds: TestKinds = { unit: [], system: [], isolated: [], journey: [] };
  for (const file of testFiles(testDir).sort()) kinds[kindOf(file)].push(relative(root, file));
  return kinds;
}
