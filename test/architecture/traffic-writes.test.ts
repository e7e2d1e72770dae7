import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Traffic moves one way: a plan (promotion or rollback) applied by the executor. Anything else that
// sets a service's routing would bypass the plan's lock, gate records and recovery.
const DEPLOY = fileURLToPath(new URL("../../deploy", import.meta.url));
const EXECUTOR = new Set([
  "promote/execute.ts",
  "promote/execution.ts",
  "promote/execute-steps.ts",
  "promote/execute-recovery.ts",
]);

/**
 * Lines that write a service's traffic: an assignment to `.traffic`, routing turned into the API's
 * wire form (only a write needs it), or the executor's own setter.
 */
const TRAFFIC_WRITE = /\.traffic\s*=(?!=)|(?<!function\s+)\b(?:toWireTraffic|setTraffic)\s*\(/;

function trafficWrites(path: string, text: string): string[] {
  return text
    .split("\n")
    .flatMap((line, index) => (TRAFFIC_WRITE.test(line) ? [`${path}:${index + 1}: ${line.trim()}`] : []));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function writesIn(root: string): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const path = relative(root, file).split("\\").join("/");
    const writes = trafficWrites(path, readFileSync(file, "utf8"));
    if (writes.length > 0) byFile.set(path, writes);
  }
  return byFile;
}

describe("traffic writes in deploy/", () => {
  it("happen only in the executor", () => {
    const outside = [...writesIn(DEPLOY)].filter(([path]) => !EXECUTOR.has(path)).flatMap(([, w]) => w);
    expect(outside).toEqual([]);
  });

  it("are seen where they are (the executor's shift and recovery write traffic)", () => {
    const seen = writesIn(DEPLOY);
    expect(seen.get("promote/execute-steps.ts")?.length).toBeGreaterThan(0);
    expect(seen.get("promote/execute-recovery.ts")?.length).toBeGreaterThan(0);
  });

  it("reports an assignment, a wire conversion and a setter call, not a comparison or a definition", () => {
    const text = [
      "raw.traffic = targets;",
      "await adapter.createService(name, { traffic: toWireTraffic(targets) });",
      "setTraffic(raw, targets);",
      "if (raw.traffic == undefined) return;",
      "export function toWireTraffic(traffic) {",
    ].join("\n");
    expect(trafficWrites("x.ts", text)).toEqual([
      "x.ts:1: raw.traffic = targets;",
      "x.ts:2: await adapter.createService(name, { traffic: toWireTraffic(targets) });",
      "x.ts:3: setTraffic(raw, targets);",
    ]);
  });
});
