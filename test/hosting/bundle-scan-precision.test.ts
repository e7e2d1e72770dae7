import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { scanBundle } from "../../deploy/hosting/bundle-scan.js";

// Precision on a build shaped like a real Next.js chat app (test/fixtures/scan-next-shaped): 13 dev
// fallbacks to http://localhost:3001 among comparisons, log text and a LAN address list, plus
// socket.io-client's own published builds (real third-party minified code) beside them.

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const site = join(repoRoot, "test", "fixtures", "scan-next-shaped", "out");

function siteFiles(): { path: string; content: Buffer }[] {
  const files: { path: string; content: Buffer }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push({ path: `/${relative(site, full).split(sep).join("/")}`, content: readFileSync(full) });
    }
  };
  walk(site);
  for (const name of ["socket.io.min.js", "socket.io.js", "socket.io.esm.min.js"])
    files.push({
      path: `/_next/static/chunks/vendor/${name}`,
      content: readFileSync(join(repoRoot, "node_modules", "socket.io-client", "dist", name)),
    });
  return files;
}

describe("bundle scan precision on a Next.js-shaped build", () => {
  it("finds every one of the 13 dev fallbacks and nothing else", () => {
    const files = siteFiles();
    const findings = scanBundle(files, {
      environment: "production",
      ownHosts: ["chat-production-qwertyuiop-uc.a.run.app"],
      ownServiceName: "chat-production",
      allowOwnServer: true,
      others: [{ name: "staging", liveHosts: [], serviceName: "chat-staging", perBranch: false }],
      forbidden: [],
      allowLoopback: false,
      strict: true,
    });
    // The 13 fallbacks, per file (the fixture's README lists the shapes).
    const perFile: Record<string, number> = {};
    for (const finding of findings) perFile[finding.file] = (perFile[finding.file] ?? 0) + 1;
    expect(perFile).toEqual({
      "/index.html": 1,
      "/_next/static/chunks/452-8d0c7b3e6f11.js": 5,
      "/_next/static/chunks/app/page-7c1e44b2a09f.js": 1,
      "/_next/static/chunks/app/rooms/page-19aa03cd71e2.js": 4,
      "/_next/static/chunks/main-app-55e0f1a2b3c4.js": 2,
    });
    expect(new Set(findings.map((finding) => finding.match))).toEqual(new Set(["localhost:3001"]));
    expect(new Set(findings.map((finding) => finding.kind))).toEqual(new Set(["loopback"]));
    // The corpus does hold the words that are not findings.
    const text = files.map((file) => file.content.toString("latin1")).join("\n");
    expect(text).toContain('"localhost"===window.location.hostname');
    expect(text).toContain('"192.168.1.1","192.168.0.10","10.0.0.1"');
    expect(text).toContain("falling back to http://localhost:3001 for development");
  });
});
