// Bench: preview deploy on both emulators (the whole pipeline: per-branch service, gate, web
// channel, pair gate), the web half alone (--server-url), preview list with 200 previews, and a
// 500-file upload with 490 unchanged.
// Run: npx tsx scripts/bench/preview.ts
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { startEmulator, startHostingEmulator } from "@echogate/emulator";
import { buildImage } from "../../deploy/build/build-image.js";
import { runCli } from "../../deploy/cli/main.js";
import { uploadVersion } from "../../deploy/hosting/publish.js";
import { siteFile } from "../../deploy/hosting/site-files.js";
import { EMULATOR_ENDPOINT_ENV } from "../../deploy/platform/cloudrun/target.js";
import { FirebaseHostingAdapter } from "../../deploy/platform/hosting/firebase-adapter.js";
import { createSites } from "../../deploy/platform/hosting/local-sites.js";
import { LABEL, MANAGED_BY, type PreviewService } from "../../deploy/preview/model.js";
import { setPreviewServicesFactory } from "../../deploy/preview/preview-services.js";
import { startServer } from "../../server/src/start-server.js";
import { realProject } from "../../test/preview/real-project.js";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function project(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "echogate-bench-"));
  const files: Record<string, string> = {
    "environments/preview.yaml":
      "kind: preview\nservice:\n  endpoint: local\n  project: demo\n  regions: [us-central1]\n  name: chat-preview\n  envFile: .env.preview\nhosting:\n  provider: local\n  site: chat-preview\n",
    "environments/.env.preview": "PUBLIC_APP_NAME=chat\n",
    "web/public/index.html": "<!doctype html><script src=/app.js></script>",
    "web/public/app.js": "fetch('/echogate.json')",
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

async function cli(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; events: Record<string, unknown>[] }> {
  const stdout = new PassThrough().resume();
  const stderr = new PassThrough();
  const lines: string[] = [];
  stderr.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n").filter(Boolean)));
  const code = await runCli(argv, { cwd, env: { ...process.env, ...env }, stdout, stderr, isTTY: false });
  return {
    code,
    events: lines.flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    }),
  };
}

/** Median per step over runs, names made comparable across branches and revisions. */
function collectSteps(events: Record<string, unknown>[], into: Map<string, number[]>): void {
  for (const event of events.filter((e) => e.event === "step.done")) {
    const name = String(event.step)
      .replace(
        /bench\/[a-z]+-\d|echogate-chat-[a-z0-9-]+|chat-preview-[a-z0-9-]+|bench-[a-z0-9-]+/g,
        "<branch>",
      )
      .replace(/http:\/\/127\.0\.0\.1:\d+/g, "<url>");
    into.set(name, [...(into.get(name) ?? []), Number(event.ms)]);
  }
}

// 0. The whole preview deploy on the emulators: the reference server built from a git copy of
// this repo, deployed per branch through the promotion pipeline, then the web channel.
{
  const cwd = await realProject(await mkdtemp(join(tmpdir(), "echogate-bench-")), "main");
  await buildImage({ projectDir: cwd });
  const cloudRun = await startEmulator({
    stateDir: join(cwd, ".echogate", "emulator"),
    imageStoreDir: join(cwd, ".echogate", "images"),
    port: 0,
    idleStopMs: 2_000,
    terminationGraceMs: 1_000,
  });
  const hosting = await startHostingEmulator({ dir: join(cwd, ".echogate", "hosting") });
  const env = { [EMULATOR_ENDPOINT_ENV]: cloudRun.apiEndpoint, ECHOGATE_HOSTING_URL: hosting.url };
  const totals: number[] = [];
  const steps = new Map<string, number[]>();
  try {
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const run = await cli(["preview", "deploy", "--branch", `bench/full-${i}`, "--json"], cwd, env);
      if (run.code !== 0) throw new Error(`preview deploy exited ${run.code}`);
      totals.push(performance.now() - started);
      collectSteps(run.events, steps);
    }
  } finally {
    await cloudRun.close();
    await hosting.close();
    await rm(cwd, { recursive: true, force: true });
  }
  console.log(
    `preview deploy, whole pipeline on the emulators: median ${Math.round(median(totals))} ms over 3`,
  );
  for (const [name, values] of steps) console.log(`  ${name}: median ${median(values)} ms`);
}

const dir = await mkdtemp(join(tmpdir(), "echogate-bench-hosting-"));
const emulator = await startHostingEmulator({ dir, channelQuota: 500 });
// Sites exist before anything is deployed to them, as on Firebase.
await createSites(emulator.url, [
  { site: "chat-preview", project: "demo" },
  { site: "upload-bench", project: "demo" },
]);
const adapter = new FirebaseHostingAdapter({ baseUrl: emulator.url, auth: "none" });
const server = await startServer({ port: 0, host: "127.0.0.1", env: {}, logger: { log: () => {} } });
const services: PreviewService[] = [];
setPreviewServicesFactory(() => ({
  listServices: async () => services,
  deleteService: async () => {},
  annotateService: async () => {},
  deployServer: async () => {
    throw new Error("unused");
  },
  close: async () => {},
}));
const cwd = await project();
const env = { ECHOGATE_HOSTING_URL: emulator.url };

// 1. preview deploy, 5 runs on distinct branches, split by step.
const totals: number[] = [];
const steps = new Map<string, number[]>();
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  const run = await cli(
    ["preview", "deploy", "--branch", `bench/run-${i}`, "--server-url", server.url, "--json"],
    cwd,
    env,
  );
  if (run.code !== 0) throw new Error(`preview deploy exited ${run.code}`);
  totals.push(performance.now() - started);
  collectSteps(run.events, steps);
}
console.log(
  `preview deploy (web + gates, server via --server-url): median ${Math.round(median(totals))} ms over 5`,
);
for (const [name, values] of steps) console.log(`  ${name}: median ${median(values)} ms`);

// 2. preview list with 200 previews (services + channels).
for (let i = 0; i < 200; i++) {
  const id = `bench-${i}`;
  services.push({
    name: `chat-preview-${id}`,
    uri: `https://chat-preview-${id}.a.run.app`,
    labels: { [MANAGED_BY.key]: MANAGED_BY.value, [LABEL.preview]: id },
    annotations: {},
    createTime: new Date().toISOString(),
  });
  await adapter.createChannel("chat-preview", id, {
    labels: { [MANAGED_BY.key]: MANAGED_BY.value, [LABEL.preview]: id },
    ttlSeconds: 86_400,
  });
}
const listTimes: number[] = [];
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  const run = await cli(["preview", "list", "--json"], cwd, env);
  if (run.code !== 0) throw new Error(`preview list exited ${run.code}`);
  if (i === 0)
    console.log(
      `  (listed ${services.length} services and ${(await adapter.listChannels("chat-preview")).length} channels)`,
    );
  listTimes.push(performance.now() - started);
}
console.log(
  `preview list, 200 previews (+5 deployed): median ${Math.round(median(listTimes))} ms (target < 1000 ms)`,
);

// 3. 500-file upload, then 490 unchanged.
const make = (salt: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    siteFile(`/assets/f${i}.js`, Buffer.from(`export const v${i} = "${salt}${i}";`)),
  );
const first = make("a", 500);
let started = performance.now();
const full = await uploadVersion(adapter, "upload-bench", first, { labels: {} });
console.log(
  `web upload 500 files (cold): ${Math.round(performance.now() - started)} ms, uploaded ${full.uploaded}`,
);
started = performance.now();
const second = await uploadVersion(
  adapter,
  "upload-bench",
  [...first.slice(0, 490), ...make("b", 500).slice(490)],
  { labels: {} },
);
console.log(
  `web upload 500 files, 490 unchanged: ${Math.round(performance.now() - started)} ms, uploaded ${second.uploaded}`,
);

setPreviewServicesFactory(undefined);
await server.close();
await emulator.close();
await rm(dir, { recursive: true, force: true });
await rm(cwd, { recursive: true, force: true });
