// npm run bench -- drift: `echogate drift` (in-process, real clients) against the embedded emulator,
// over 3 environments and over 50 environments × 2 regions (100 services). Target: < 1 s for 100.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import type { ImageManifest } from "@echogate/common/image-manifest";
import { startEmulator } from "@echogate/emulator";
import { runCli } from "../../deploy/cli/main.js";
import { mapLimit } from "../../deploy/core/map-limit.js";
import { createCloudRunClients } from "../../deploy/platform/cloudrun/clients.js";

const PROJECT = "bench-project";
const REGIONS = ["europe-west1", "us-central1"];
const RUNS = 5;
const VERSION = "1.0.0+bench";

// The smallest server that answers /health like the reference server, so 100 of them fit on 2 cores.
const SERVER = `require("node:http").createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ status: "ok", version: process.env.APP_VERSION, revision: process.env.K_REVISION }));
}).listen(Number(process.env.PORT), "0.0.0.0");
process.on("SIGTERM", () => process.exit(0));
`;

async function write(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

async function writeImage(store: string): Promise<{ ref: string; digest: string }> {
  const hex = createHash("sha256").update(`${VERSION}\n${SERVER}`).digest("hex");
  const digest = `sha256:${hex}`;
  const dir = join(store, `sha256-${hex}`);
  await write(join(dir, "rootfs", "server.cjs"), SERVER);
  const manifest: ImageManifest = {
    schemaVersion: 1,
    digest,
    name: "bench",
    version: VERSION,
    gitSha: "bench00",
    createdAt: new Date().toISOString(),
    entrypoint: ["node", "server.cjs"],
    env: { APP_VERSION: VERSION },
    workingDir: ".",
  };
  await write(join(dir, "manifest.json"), JSON.stringify(manifest));
  return { ref: `local/bench@${digest}`, digest };
}

async function writeProject(dir: string, names: string[], regions: string[]): Promise<void> {
  await write(
    join(dir, "package.json"),
    JSON.stringify({ name: "bench", version: "1.0.0", scripts: { dev: "node server.js" } }),
  );
  await write(
    join(dir, "Dockerfile.minimal"),
    'FROM node:20-slim\nCOPY server.js ./\nCMD ["node", "server.js"]\n',
  );
  await write(
    join(dir, "environments/env.schema.yaml"),
    "variables:\n  LOG_LEVEL: { type: string }\n  SESSION_SECRET: { type: string, secret: true }\n",
  );
  for (const name of names) {
    await write(
      join(dir, `environments/${name}.yaml`),
      `kind: staging\nservice:\n  endpoint: local\n  project: ${PROJECT}\n  regions: [${regions.join(", ")}]\n  name: ${name}\n${regions.length > 1 ? "  backplane: redis\n" : ""}  envFile: .env.${name}\n`,
    );
    await write(
      join(dir, `environments/.env.${name}`),
      "LOG_LEVEL=info\nSESSION_SECRET=bench-secret-value\n",
    );
  }
}

const sink = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

async function timeDrift(cwd: string, apiEndpoint: string, expected: number): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    const out: Buffer[] = [];
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        out.push(chunk as Buffer);
        done();
      },
    });
    const code = await runCli(["drift", "--json"], {
      cwd,
      env: { ...process.env, ECHOGATE_EMULATOR_ENDPOINT: apiEndpoint },
      stdout,
      stderr: sink(),
      isTTY: false,
    });
    const ms = performance.now() - started;
    const text = Buffer.concat(out).toString("utf8");
    const report = JSON.parse(text) as { facts?: { targets: Array<{ status: string }> } };
    if (!report.facts) throw new Error(`drift exited ${code} without a report: ${text.slice(0, 2000)}`);
    const ok = report.facts.targets.filter((t) => t.status === "ok").length;
    if (code !== 0 || ok !== expected)
      throw new Error(`drift exited ${code} with ${ok}/${expected} services read`);
    if (run > 0) times.push(ms); // run 0 warms module loading and the JIT
  }
  return times;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const root = await mkdtemp(join(tmpdir(), "echogate-bench-drift-"));
const store = join(root, "images");
const emulator = await startEmulator({
  stateDir: join(root, "state"),
  imageStoreDir: store,
  idleStopMs: 600_000,
  startupTimeoutMs: 30_000,
});
const clients = createCloudRunClients({ kind: "emulator", apiEndpoint: emulator.apiEndpoint });
try {
  const image = await writeImage(store);
  const create = async (name: string, region: string) => {
    const revision = `${name}-v1`;
    const gates = [
      { revision, version: VERSION, digest: image.digest, result: "passed", at: new Date().toISOString() },
    ];
    const [operation] = await clients.services.createService({
      parent: `projects/${PROJECT}/locations/${region}`,
      serviceId: name,
      service: {
        annotations: { "echogate.dev/gates": JSON.stringify(gates) },
        template: {
          revision,
          annotations: { "echogate.dev/version": VERSION },
          containers: [
            {
              image: image.ref,
              env: [
                { name: "LOG_LEVEL", value: "info" },
                { name: "SESSION_SECRET", value: "bench-secret-value" },
              ],
            },
          ],
          timeout: { seconds: 3600 },
          sessionAffinity: true,
          scaling: { maxInstanceCount: 1 },
        },
      },
    });
    await operation.promise();
  };

  const small = ["local", "staging", "production"].map((n) => `bench-${n}`);
  const large = Array.from({ length: 50 }, (_, i) => `env-${String(i).padStart(3, "0")}`);
  const setupStarted = performance.now();
  await mapLimit(
    [
      ...small.map((n) => [n, REGIONS[0]!] as const),
      ...large.flatMap((n) => REGIONS.map((r) => [n, r] as const)),
    ],
    8,
    ([n, r]) => create(n, r),
  );
  console.log(
    `setup: ${small.length + large.length * REGIONS.length} services in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
  );

  const smallDir = join(root, "small");
  await writeProject(smallDir, small, [REGIONS[0]!]);
  const largeDir = join(root, "large");
  await writeProject(largeDir, large, REGIONS);

  const three = await timeDrift(smallDir, emulator.apiEndpoint, 3);
  console.log(
    `drift.3_envs_ms median=${median(three).toFixed(0)} runs=${three.map((t) => t.toFixed(0)).join(",")}`,
  );
  const hundred = await timeDrift(largeDir, emulator.apiEndpoint, 100);
  console.log(
    `drift.100_services_ms median=${median(hundred).toFixed(0)} runs=${hundred.map((t) => t.toFixed(0)).join(",")} target<1000`,
  );
  if (median(hundred) >= 1000) process.exitCode = 1;
} finally {
  await clients.close();
  await emulator.close();
  await rm(root, { recursive: true, force: true });
}
