// Google API requests per release command, counted on the wire: `deploy staging`, `web deploy
// staging` and `promote production` (each first on an empty emulator, then as an update) run as the
// real CLI against the embedded emulators behind counting proxies. `run` is the Cloud Run Admin API
// v2 without operation polls (`run_polls`); file uploads go to the URL the Hosting API hands out
// (on Google another host), so they are not counted.
// Run: npx tsx scripts/bench/admin-api.ts   (BENCH_RUNS=n: scenarios on fresh projects, default 3)
import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator, startHostingEmulator } from "@echogate/emulator";
import { createProjectSites } from "../../test/helpers/hosting-sites.js";
import { makeImage } from "../../test/helpers/images.js";
import { type ApiName, type ClassifiedRequest, classifyRequest } from "./admin-api/classify-request.js";
import { type CountingProxy, startCountingProxy } from "./admin-api/counting-proxy.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
// The scenario takes seconds; three runs show in every report whether the counts are stable.
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const APIS: ApiName[] = ["run", "secretmanager", "iamcredentials", "hosting", "other"];
type Figure = ApiName | `${ApiName}_polls`;
const FIGURES: Figure[] = APIS.flatMap((api): Figure[] => [api, `${api}_polls`]);
/** [lowest, highest] over the runs. */
type Range = [number, number];

/**
 * Measured on main at 2010d74, before the Platform took over the clients and the config was read once: 22 runs,
 * every figure but the polls the same in each.
 */
const BASELINE: { commit: string; commands: Record<string, Partial<Record<Figure, Range>>> } = {
  commit: "2010d74",
  commands: {
    "deploy_staging.first": {
      run: [9, 9],
      run_polls: [6, 12],
      secretmanager: [4, 4],
      iamcredentials: [2, 2],
      hosting: [1, 1],
    },
    "web_deploy_staging.first": { run: [7, 7], run_polls: [1, 2], hosting: [9, 9] },
    "promote_production.first": {
      run: [17, 17],
      run_polls: [7, 13],
      secretmanager: [4, 4],
      iamcredentials: [2, 2],
      hosting: [12, 12],
    },
    deploy_staging: { run: [14, 14], run_polls: [6, 10], secretmanager: [2, 2], hosting: [1, 1] },
    web_deploy_staging: { run: [7, 7], run_polls: [1, 2], hosting: [9, 9] },
    promote_production: { run: [22, 22], run_polls: [7, 11], secretmanager: [2, 2], hosting: [12, 12] },
  },
};

type Counted = Map<string, ClassifiedRequest[]>;

/** This repo's environments and web page in a throw-away project, sites created, two images built. */
async function throwAwayProject(): Promise<{ dir: string; images: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), "echogate-bench-api-"));
  for (const [from, to] of [
    ["environments", "environments"],
    ["web/public", "web/public"],
  ] as const) {
    await mkdir(join(dir, to), { recursive: true });
    for (const name of await readdir(join(root, from)))
      await copyFile(join(root, from, name), join(dir, to, name));
  }
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "bench", version: "0.1.0", private: true }),
  );
  await createProjectSites(dir);
  const images = [];
  for (const version of ["0.1.0+bench01", "0.1.1+bench02"])
    images.push((await makeImage(dir, { version })).digest);
  return { dir, images };
}

/** `echogate …` as a user runs it; async, since the emulators and proxies live in this process. */
function echogate(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [join(root, "bin/echogate.js"), ...args, "--json"], {
      cwd,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const stderr: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", failed);
    child.on("close", (code) => {
      if (code === 0) done();
      else
        failed(
          new Error(
            `echogate ${args.join(" ")} exited ${code}:\n${Buffer.concat(stderr).toString().slice(-2000)}`,
          ),
        );
    });
  });
}

async function scenario(): Promise<Counted> {
  const { dir, images } = await throwAwayProject();
  const emulator = await startEmulator({
    stateDir: join(dir, ".echogate", "emulator"),
    imageStoreDir: join(dir, ".echogate", "images"),
    port: 0,
    idleStopMs: 2_000,
    terminationGraceMs: 1_000,
  });
  const hosting = await startHostingEmulator({ dir: join(dir, ".echogate", "hosting") });
  const proxies: CountingProxy[] = [];
  try {
    const cloudRun = await startCountingProxy(emulator.apiEndpoint);
    proxies.push(cloudRun);
    const hostingApi = await startCountingProxy(hosting.url);
    proxies.push(hostingApi);
    const env = {
      ...process.env,
      NO_COLOR: "1",
      ECHOGATE_EMULATOR_ENDPOINT: cloudRun.url,
      ECHOGATE_HOSTING_URL: hostingApi.url,
    };
    const counted: Counted = new Map();
    const measure = async (label: string, args: string[]) => {
      cloudRun.take();
      hostingApi.take();
      await echogate(dir, env, args);
      counted.set(label, [
        ...cloudRun.take().map((r) => classifyRequest("cloudrun", r.method, r.url)),
        ...hostingApi.take().map((r) => classifyRequest("hosting", r.method, r.url)),
      ]);
    };
    await measure("deploy_staging.first", ["deploy", "staging", "--image", images[0]!]);
    await measure("web_deploy_staging.first", ["web", "deploy", "staging"]);
    await measure("promote_production.first", ["promote", "production"]);
    await measure("deploy_staging", ["deploy", "staging", "--image", images[1]!]);
    await measure("web_deploy_staging", ["web", "deploy", "staging"]);
    await measure("promote_production", ["promote", "production"]);
    return counted;
  } finally {
    await Promise.allSettled(proxies.map((proxy) => proxy.close()));
    await hosting.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const tally = <T extends string>(values: T[]): Record<T, number> => {
  const counts = {} as Record<T, number>;
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};

/** Operation polls are reported apart: their number follows how fast a revision starts, the rest does not. */
const figureOf = (request: ClassifiedRequest): Figure =>
  request.kind === "poll" ? `${request.api}_polls` : request.api;

const figuresOf = (requests: ClassifiedRequest[]): Record<Figure, number> => {
  const counts = tally(requests.map(figureOf));
  return Object.fromEntries(FIGURES.map((figure) => [figure, counts[figure] ?? 0])) as Record<Figure, number>;
};

const rangeText = ([low, high]: Range) => (low === high ? `${low}` : `${low}..${high}`);

const runs: Counted[] = [];
for (let i = 0; i < RUNS; i++) runs.push(await scenario());

console.log(
  "admin_api: requests per command; .first = on an empty emulator; a..b = lowest..highest over the runs",
);
const summary: Record<string, Partial<Record<Figure, Range>>> = {};
for (const [label, requests] of runs[0]!) {
  const ranges: Partial<Record<Figure, Range>> = {};
  for (const figure of FIGURES) {
    const values = runs.map((counted) => figuresOf(counted.get(label) ?? [])[figure]);
    if (figure === "run" || Math.max(...values) > 0)
      ranges[figure] = [Math.min(...values), Math.max(...values)];
  }
  summary[label] = ranges;
  const baseline = BASELINE.commands[label] ?? {};
  const shown = FIGURES.filter((figure) => ranges[figure] || baseline[figure]);
  const text = shown.map((figure) => {
    const before = baseline[figure] ? ` (baseline ${BASELINE.commit}: ${rangeText(baseline[figure])})` : "";
    return `${figure}=${rangeText(ranges[figure] ?? [0, 0])}${before}`;
  });
  console.log(`admin_api.${label} ${text.join(" ")}${RUNS > 1 ? ` runs=${RUNS}` : ""}`);
  // The breakdown is the first run's.
  for (const api of APIS) {
    const ofApi = requests.filter((r) => r.api === api);
    if (ofApi.length === 0) continue;
    const kinds = Object.entries(tally(ofApi.map((r) => r.kind))).map(([kind, n]) => `${kind}=${n}`);
    console.log(`  ${api}: ${kinds.join(" ")}`);
  }
  for (const [route, count] of Object.entries(tally(requests.map((r) => r.route))))
    console.log(`    ${String(count).padStart(3)} × ${route}`);
}
console.log(`admin_api.json ${JSON.stringify({ baseline: BASELINE, runs: RUNS, commands: summary })}`);
