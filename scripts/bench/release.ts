// Release-path timings on the embedded emulator: `deploy staging` (build excluded) and `status`.
// Run: npx tsx scripts/bench/release.ts   Prints `release.<metric> median=…` lines.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { startEmulator } from "@echogate/emulator";
import { loadEnvironment } from "../../deploy/config/load-environments.js";
import { mapLimit } from "../../deploy/core/map-limit.js";
import { Output } from "../../deploy/core/output.js";
import { Redactor } from "../../deploy/core/redact.js";
import { openAdapter } from "../../deploy/platform/cloudrun/open-adapter.js";
import { toWireTraffic } from "../../deploy/platform/cloudrun/service-model.js";
import { EMULATOR_ENDPOINT_ENV } from "../../deploy/platform/cloudrun/target.js";
import { Platform } from "../../deploy/platform/platform.js";
import { Project } from "../../deploy/project/project.js";
import { promoteEnvironment } from "../../deploy/promote/promote-environment.js";
import { collectStatus, STATUS_CONCURRENCY, statusOfServices } from "../../deploy/promote/status.js";
import { createProjectSites } from "../../test/helpers/hosting-sites.js";
import { makeImage } from "../../test/helpers/images.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 7);
const SERVICES = 100;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Number.NaN;
};
const quiet = () => new Output({ stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });

const project = await mkdtemp(join(tmpdir(), "echogate-bench-"));
for (const name of await readdir(join(root, "environments"))) {
  await mkdir(join(project, "environments"), { recursive: true });
  await writeFile(join(project, "environments", name), await readFile(join(root, "environments", name)));
}
// The environments' Hosting sites, as `echogate emulator sites` makes them: deploy pairs a web half.
await createProjectSites(project);
const emulator = await startEmulator({
  stateDir: join(project, ".echogate", "emulator"),
  imageStoreDir: join(project, ".echogate", "images"),
  port: 0,
  idleStopMs: 2_000,
  terminationGraceMs: 1_000,
});
const env = { ...process.env, [EMULATOR_ENDPOINT_ENV]: emulator.apiEndpoint };

/** What one CLI invocation gets: the project read afresh, a platform (closed when the bench ends). */
const platforms: Platform[] = [];
function invocation(): { project: Project; platform: Platform } {
  const platform = new Platform(project, env);
  platforms.push(platform);
  return { project: new Project(project, new Redactor()), platform };
}

try {
  // deploy staging: every run is a new candidate next to the previous one.
  const totals: number[] = [];
  const bySteps = new Map<string, number[]>();
  for (let i = 0; i <= DEPLOYS; i++) {
    const image = await makeImage(project, { version: `0.1.0+bench${String(i).padStart(2, "0")}` });
    const started = performance.now();
    const { outcome } = await promoteEnvironment({
      ...invocation(),
      environment: "staging",
      mode: "deploy",
      image: image.digest,
      output: quiet(),
      signal: new AbortController().signal,
    });
    const ms = performance.now() - started;
    if (!outcome?.ok) throw new Error(`deploy ${i} failed: ${JSON.stringify(outcome?.failure)}`);
    if (i === 0) continue; // the first creates the service: not the steady state
    totals.push(ms);
    for (const step of outcome.steps) {
      const key = step.name
        .replace(/echogate-chat-staging-[0-9a-f]{7}-[0-9a-f]{5}/g, "<rev>")
        .replace(/http:\/\/127\.0\.0\.1:\d+/g, "<url>");
      bySteps.set(key, [...(bySteps.get(key) ?? []), step.ms]);
    }
  }
  const create = median([...bySteps.entries()].find(([k]) => k.startsWith("Create revision"))?.[1] ?? [0]);
  const shift = median([...bySteps.entries()].find(([k]) => k.startsWith("Shift traffic"))?.[1] ?? [0]);
  console.log(`release.deploy_ms median=${median(totals).toFixed(0)} runs=${totals.length}`);
  // The create step waits for the revision's process to listen; an update without one costs about a shift.
  console.log(`release.deploy_excl_start_ms median=${(median(totals) - create + shift).toFixed(0)}`);
  for (const [step, values] of bySteps)
    console.log(`release.deploy_step_ms step="${step}" median=${median(values).toFixed(0)}`);

  // status over the 3 deployed-to environments (+ local, absent).
  const staging = await loadEnvironment(project, "staging");
  const image = await makeImage(project, { version: "0.1.0+status0" });
  for (const environment of ["preview"]) {
    await promoteEnvironment({
      ...invocation(),
      environment,
      mode: "deploy",
      image: image.digest,
      output: quiet(),
      signal: new AbortController().signal,
    });
  }
  await promoteEnvironment({
    ...invocation(),
    environment: "production",
    mode: "promote",
    output: quiet(),
    signal: new AbortController().signal,
  });
  const statusTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const rows = await collectStatus(invocation());
    statusTimes.push(performance.now() - t0);
    if (rows.filter((r) => r.exists).length < 3) throw new Error("status saw fewer than 3 services");
  }
  console.log(`release.status_envs_ms median=${median(statusTimes).toFixed(0)} environments=4`);

  // status over 100 services: services whose revision exits at once (no 100 live servers on 2 cores).
  const adapter = openAdapter(
    { kind: "emulator", apiEndpoint: emulator.apiEndpoint },
    { project: staging.config.service.project, region: staging.config.service.regions[0]! },
  );
  const stub = await makeImage(project, { version: "0.0.0+stub", code: "process.exit(1);\n" });
  const names = Array.from({ length: SERVICES }, (_, i) => `bench-svc-${String(i).padStart(3, "0")}`);
  await mapLimit(names, 8, async (name) => {
    await adapter
      .createService(name, {
        template: { revision: `${name}-r1`, containers: [{ image: stub.imageRef }] },
        traffic: toWireTraffic([{ type: "REVISION", revision: `${name}-r1`, percent: 100 }]),
      })
      .catch(() => undefined); // the revision fails to start; the service exists, which is all status reads
  });
  const manyTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const rows = await statusOfServices(adapter, names);
    manyTimes.push(performance.now() - t0);
    if (rows.some((r) => !r.exists)) throw new Error("a bench service is missing");
  }
  console.log(
    `release.status_100_services_ms median=${median(manyTimes).toFixed(0)} concurrency=${STATUS_CONCURRENCY}`,
  );
  await adapter.close();
} finally {
  await Promise.all(platforms.map((platform) => platform.close()));
  await emulator.close();
  await rm(project, { recursive: true, force: true });
}
