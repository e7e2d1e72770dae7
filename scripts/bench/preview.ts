// Bench: preview deploy (web half + gate, server via --server-url until the pipeline deploys
// per-branch services), preview list with 200 previews, and a 500-file upload with 490 unchanged.
// Run: npx tsx scripts/bench/preview.ts
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { runCli } from "../../deploy/cli/main.js";
import { startHostingEmulator } from "../../deploy/hosting/emulator/start-hosting-emulator.js";
import { FirebaseHostingAdapter } from "../../deploy/hosting/firebase-adapter.js";
import { uploadVersion } from "../../deploy/hosting/publish.js";
import { siteFile } from "../../deploy/hosting/site-files.js";
import { LABEL, MANAGED_BY, type PreviewService } from "../../deploy/preview/model.js";
import { setPreviewPlatformFactory } from "../../deploy/preview/platform.js";
import { startServer } from "../../server/src/start-server.js";

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

const dir = await mkdtemp(join(tmpdir(), "echogate-bench-hosting-"));
const emulator = await startHostingEmulator({ dir, channelQuota: 500 });
const adapter = new FirebaseHostingAdapter({ baseUrl: emulator.url, auth: "none" });
const server = await startServer({ port: 0, host: "127.0.0.1", env: {}, logger: { log: () => {} } });
const services: PreviewService[] = [];
setPreviewPlatformFactory(() => ({
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
  for (const event of run.events.filter((e) => e.event === "step.done")) {
    const name = String(event.step).replace(
      /bench\/run-\d|chat-preview-[a-z0-9-]+|bench-run-\d-[a-z0-9]+/g,
      "<branch>",
    );
    steps.set(name, [...(steps.get(name) ?? []), Number(event.ms)]);
  }
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

setPreviewPlatformFactory(undefined);
await server.close();
await emulator.close();
await rm(dir, { recursive: true, force: true });
await rm(cwd, { recursive: true, force: true });
