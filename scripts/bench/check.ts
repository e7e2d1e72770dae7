// Benchmarks `echogate --help` cold start and `echogate check` (this repo, and a
// generated 50 environments × 200 variables project). Run: npx tsx scripts/bench/check.ts
// Medians of wall time; cpu_median (user+sys of the child, Linux) is steadier on a busy machine.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bin = join(root, "bin/echogate.js");
// bin/ first rebuilds dist/ when a source is newer; dist/ directly shows the steady state.
const dist = join(root, "dist/echogate.js");
// The children's V8 code cache (deploy/core/code-cache.ts) of their own: another checkout on the
// same machine building other islands would evict it between samples (one cache file per island
// name), and a status sample would then measure a compile instead of the steady state.
const cacheHome = mkdtempSync(join(tmpdir(), "echogate-bench-cache-"));
process.on("exit", () => rmSync(cacheHome, { recursive: true, force: true }));

/** CPU ms (user+sys) of finished children, from /proc (Linux); undefined elsewhere. */
function childrenCpuMs(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    // cutime and cstime (fields 16 and 17 of stat) in clock ticks of 10 ms.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

interface Sample {
  wallMs: number;
  cpuMs: number | undefined;
}

function time(
  entry: string,
  args: string[],
  cwd: string,
  expectCode: number,
  env: NodeJS.ProcessEnv = {},
): Sample {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const result = spawnSync(process.execPath, [entry, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: cacheHome, ...env },
  });
  const wallMs = performance.now() - started;
  const cpuAfter = childrenCpuMs();
  if (result.status !== expectCode) {
    throw new Error(
      `echogate ${args.join(" ")} exited ${result.status}, expected ${expectCode}:\n${result.stderr}`,
    );
  }
  return {
    wallMs,
    cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function report(name: string, samples: Sample[], targetMs?: number): void {
  const wall = samples.map((sample) => sample.wallMs);
  const cpu = samples.flatMap((sample) => (sample.cpuMs === undefined ? [] : [sample.cpuMs]));
  const median = quantile(wall, 0.5);
  const target = targetMs === undefined ? "" : ` target<${targetMs} ${median < targetMs ? "ok" : "MISSED"}`;
  const cpuText = cpu.length ? ` cpu_median=${quantile(cpu, 0.5).toFixed(0)}` : "";
  console.log(
    `${name} median=${median.toFixed(1)} p90=${quantile(wall, 0.9).toFixed(1)} n=${samples.length}${target}${cpuText}`,
  );
}

function bench(
  name: string,
  args: string[],
  cwd: string,
  runs: number,
  expectCode: number,
  targetMs?: number,
): void {
  time(bin, args, cwd, expectCode); // warm-up: builds dist/ if sources changed, fills the page cache
  const samples = (entry: string) => Array.from({ length: runs }, () => time(entry, args, cwd, expectCode));
  report(name, samples(bin), targetMs);
  report(name.replace(/_ms$/, "_dist_ms"), samples(dist), targetMs);
}

/** A valid project with `environments` environments × `variables` variables. */
export function generateProject(dir: string, environments: number, variables: number): void {
  const envDir = join(dir, "environments");
  mkdirSync(envDir, { recursive: true });
  const schema = ["version: 1", "variables:", "  BUILD_TARGET:", "    environmentName: true"];
  schema.push(
    "  SIGNALING_SERVER:",
    "    type: url",
    "    public: true",
    "    realtimeServer: true",
    "    protocols: { default: [wss] }",
  );
  schema.push("  ALLOWED_ORIGINS:", "    corsOrigins: true");
  const kinds = ["int", "enum", "bool", "url", "string"] as const;
  for (let v = 3; v < variables; v++) {
    const kind = kinds[v % kinds.length]!;
    schema.push(`  VAR_${v}:`, `    type: ${kind}`);
    if (kind === "enum") schema.push("    values: [a, b, c]");
    if (kind === "string" && v % 10 === 4) schema.push("    secret: true");
    else if (v % 7 === 0) schema.push("    public: true");
  }
  writeFileSync(join(envDir, "env.schema.yaml"), `${schema.join("\n")}\n`);
  for (let e = 0; e < environments; e++) {
    const name = `env-${String(e).padStart(2, "0")}`;
    writeFileSync(
      join(envDir, `${name}.yaml`),
      [
        "kind: staging",
        "service:",
        "  endpoint: google",
        "  project: echogate-bench",
        "  regions: [us-central1]",
        `  name: chat-${name}`,
        `  envFile: .env.${name}`,
        "hosting:",
        "  provider: firebase",
        `  site: site-${name}`,
        "",
      ].join("\n"),
    );
    const lines = [
      `BUILD_TARGET=${name}`,
      `SIGNALING_SERVER=wss://chat-${name}-abc123-uc.a.run.app`,
      `ALLOWED_ORIGINS=https://site-${name}.web.app,https://site-${name}.firebaseapp.com`,
    ];
    for (let v = 3; v < variables; v++) {
      const kind = kinds[v % kinds.length]!;
      const value =
        kind === "int"
          ? String(v * 10)
          : kind === "enum"
            ? "b"
            : kind === "bool"
              ? "true"
              : kind === "url"
                ? `https://api-${v}.example.com/x`
                : `value ${v} for ${name}`;
      lines.push(`VAR_${v}=${kind === "string" && v % 10 === 4 ? `secret-${name}-${v}-x7Qp` : value}`);
    }
    writeFileSync(join(envDir, `.env.${name}`), `${lines.join("\n")}\n`);
  }
}

/**
 * `status` on the emulator (this repo's 4 environments) as a ratio to `--help`, and `--help` as a
 * ratio to Node's own start. The three are sampled in turn, so a busy spell weighs on each alike.
 */
function benchStatusOverHelp(runs: number): void {
  const samples = { node: [] as number[], help: [] as number[], status: [] as number[] };
  time(dist, ["status"], root, 0); // starts the emulator daemon once, outside the samples
  try {
    for (let i = 0; i < runs; i++) {
      samples.node.push(time("-e", ["0"], root, 0).wallMs);
      samples.help.push(time(dist, ["--help"], root, 0).wallMs);
      samples.status.push(time(dist, ["status"], root, 0).wallMs);
    }
    const [node, help, status] = [samples.node, samples.help, samples.status].map((wall) =>
      quantile(wall, 0.5),
    );
    const line = (name: string, ratio: number, target: number, medians: string) =>
      console.log(
        `check.${name} ratio=${ratio.toFixed(2)} ${medians} n=${runs} target<=${target} ${ratio <= target ? "ok" : "MISSED"}`,
      );
    line(
      "status_over_help",
      status! / help!,
      3,
      `status_median=${status!.toFixed(0)} help_median=${help!.toFixed(0)}`,
    );
    line(
      "help_over_node",
      help! / node!,
      1.5,
      `help_median=${help!.toFixed(0)} node_median=${node!.toFixed(0)}`,
    );
  } finally {
    time(dist, ["emulator", "stop"], root, 0);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.env.BENCH_RUNS ?? 15);
  // Node's own start on this machine: what --help costs beyond it is echogate's.
  report(
    "check.node_baseline_ms",
    Array.from({ length: runs }, () => time("-e", ["0"], root, 0)),
  );
  bench("check.help.cold_ms", ["--help"], root, runs, 0, 150);
  bench("check.repo_ms", ["check"], root, runs, 0);
  const dir = mkdtempSync(join(tmpdir(), "echogate-bench-"));
  try {
    generateProject(dir, 50, 200);
    const checkRuns = Math.max(5, Math.ceil(runs / 2));
    bench("check.50x200_ms", ["check"], dir, checkRuns, 0, 200);
    // Without any cache (compiled code, parsed and validated YAML): the first run after an install,
    // or after every file changed. The figures above are runs on unchanged files.
    report(
      "check.50x200_uncached_dist_ms",
      Array.from({ length: checkRuns }, () => time(dist, ["check"], dir, 0, { ECHOGATE_CODE_CACHE: "off" })),
    );
    bench("check.50x200_json_ms", ["check", "--json"], dir, Math.max(5, Math.ceil(runs / 2)), 0, 200);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Last: the emulator it starts and stops would still be exiting while later samples ran.
  benchStatusOverHelp(runs);
}
