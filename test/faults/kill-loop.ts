import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "@echogate/emulator";
import { openAdapter } from "../../deploy/platform/cloudrun/open-adapter.js";
import { EMULATOR_ENDPOINT_ENV } from "../../deploy/platform/cloudrun/target.js";
import { createProjectSites } from "../helpers/hosting-sites.js";
import { makeImage } from "../helpers/images.js";
import { connectTestRedis as connectRedis, dropPrefix, REDIS_URL, requireRedis } from "../helpers/redis.js";
import {
  type CliEvent,
  gateViolations,
  type LiveState,
  readLive,
  runEchogateProcess,
  type SwitchableImage,
  servingShare,
  switchableImage,
} from "./harness.js";

// Random kill -9 points across first deploys, re-deploys, canary steps (staging rolls out in
// [10, 50, 100] over a real Redis backplane), promotes and rollbacks, each followed by a re-run of
// the same command; the promise is checked after the kill and after the re-run, and the re-run must
// converge (lock released, a good build ends up serving, no tag left behind).

const STAGING = "echogate-chat-staging";
const PRODUCTION = "echogate-chat-production";

export interface KillLoopOptions {
  trials: number;
  seed?: number;
  log?: (line: string) => void;
  /** Filled in as trials finish, so a caller can report a partial run. */
  report?: KillLoopReport;
  /** Stops after the trial in progress. */
  signal?: AbortSignal;
}

export interface TrialFinding {
  trial: number;
  scenario: string;
  killedAt: string | undefined;
  detail: string;
}

export interface KillLoopReport {
  trials: number;
  kills: number;
  violations: TrialFinding[];
  notConverged: TrialFinding[];
  /**
   * Trials whose command reached its kill point but had already exited when the kill came (the
   * last step's event is read after the process ends): they count as finished runs, not kills.
   */
  exitedBeforeKill: number;
  /** Kills per step event (`step.start Shift traffic … 10%`, …): what the trials exercised. */
  killedAt: Record<string, number>;
  /** Kills during a partial canary step (a shift below 100 % or the smoke after it). */
  canaryKills: number;
  /** Trials in which a partial canary step started (in the killed run or its re-run). */
  canaryTrials: number;
  scenarios: Record<string, number>;
  ms: number;
}

type ImageKind = "good" | "faulty" | "flaky" | "crash";

interface Scenario {
  name: string;
  argv: string[];
  service: string;
  image?: { kind: ImageKind; digest: string };
  /** The gate is switched off between the kill and the re-run (a flaky build). */
  breakBeforeRerun?: SwitchableImage;
  prepare?: () => Promise<void>;
}

/** Small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runKillLoop(options: KillLoopOptions): Promise<KillLoopReport> {
  const started = performance.now();
  const seed = options.seed ?? Date.now() % 1_000_000;
  const random = prng(seed);
  const log = options.log ?? (() => {});
  log(`kill loop: ${options.trials} trials, seed ${seed}`);
  // The canary steps' gate needs the message to cross revisions: the images share Redis.
  await requireRedis();
  const backplane = { REDIS_URL, REDIS_KEY_PREFIX: `echogate-faults:${randomBytes(6).toString("hex")}:` };
  const project = await faultsProject();
  // One emulator for every trial, in this process; the CLI runs as separate processes against it.
  const emulator = await startEmulator({
    stateDir: join(project, ".echogate", "emulator"),
    imageStoreDir: join(project, ".echogate", "images"),
    port: 0,
    idleStopMs: 1_000,
    terminationGraceMs: 1_000,
    startupTimeoutMs: 8_000,
  });
  const emu = { env: { [EMULATOR_ENDPOINT_ENV]: emulator.apiEndpoint } };
  const adapter = openAdapter(
    { kind: "emulator", apiEndpoint: emulator.apiEndpoint },
    { project: "echogate-demo", region: "us-central1" },
  );
  const report: KillLoopReport = options.report ?? {
    trials: 0,
    kills: 0,
    violations: [],
    notConverged: [],
    exitedBeforeKill: 0,
    killedAt: {},
    canaryKills: 0,
    canaryTrials: 0,
    scenarios: {},
    ms: 0,
  };
  try {
    const goods = await Promise.all(
      ["0.1.0+good001", "0.1.0+good002", "0.1.0+good003", "0.1.0+good004"].map((version) =>
        makeImage(project, { version, env: backplane }),
      ),
    );
    const faulty = await makeImage(project, {
      version: "0.1.0+fault01",
      env: { ...backplane, ECHOGATE_FAULT: "exclude-sender" },
    });
    const crash = await makeImage(project, { version: "0.1.0+crash01", code: "process.exit(3);\n" });
    const flaky = await switchableImage(project, "0.1.0+flaky01", backplane);
    // Kill points are drawn below the most step events a run of that scenario was seen to emit, so
    // nearly every trial kills; until a run has been seen, below a generous bound.
    const stepsSeen: Record<string, number> = {};
    const learnSteps = (name: string, run: { events: CliEvent[] }) => {
      const steps = run.events.filter((e) => e.event.startsWith("step.")).length;
      stepsSeen[name] = Math.max(stepsSeen[name] ?? 0, steps);
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

    const deployScenario = (name: string, prepare?: () => Promise<void>): Scenario => {
      const roll = random();
      const kind: ImageKind = roll < 0.55 ? "good" : roll < 0.7 ? "faulty" : roll < 0.9 ? "flaky" : "crash";
      const digest =
        kind === "good"
          ? pick(goods).digest
          : kind === "faulty"
            ? faulty.digest
            : kind === "crash"
              ? crash.digest
              : flaky.digest;
      return {
        name,
        argv: ["deploy", "staging", "--image", digest],
        service: STAGING,
        image: { kind, digest },
        ...(kind === "flaky" && random() < 0.5 ? { breakBeforeRerun: flaky } : {}),
        ...(prepare ? { prepare } : {}),
      };
    };
    const scenarios: (() => Scenario)[] = [
      () => deployScenario("first-deploy", () => adapter.deleteService(STAGING)),
      () => deployScenario("redeploy"),
      () => deployScenario("redeploy"),
      () => deployScenario("redeploy"),
      // --server-only: the loop judges server traffic; nothing here deploys the web front end, and
      // without it every promote would stop at the web preflight before any step worth killing.
      () => ({ name: "promote", argv: ["promote", "production", "--server-only"], service: PRODUCTION }),
      () => ({
        name: "first-promote",
        argv: ["promote", "production", "--server-only"],
        service: PRODUCTION,
        prepare: () => adapter.deleteService(PRODUCTION),
      }),
      () => ({ name: "rollback", argv: ["rollback", pick(["staging", "production"])], service: STAGING }),
    ];

    for (let trial = 1; trial <= options.trials && !options.signal?.aborted; trial++) {
      const scenario = pick(scenarios)();
      if (scenario.argv[0] === "rollback" && scenario.argv[1] === "production") scenario.service = PRODUCTION;
      report.scenarios[scenario.name] = (report.scenarios[scenario.name] ?? 0) + 1;
      await scenario.prepare?.();
      const killAt = Math.floor(random() * (stepsSeen[scenario.name] || 24));
      let steps = 0;
      let inCanaryStep = false;
      const killed = await runEchogateProcess(project, emu.env, scenario.argv, (event: CliEvent) => {
        if (!event.event.startsWith("step.")) return false;
        if (event.event === "step.start")
          inCanaryStep = isPartialShift(event.step) || (inCanaryStep && isSmoke(event.step));
        return steps++ === killAt;
      });
      const where = killed.killedAt;
      if (killed.killed) {
        report.kills += 1;
        const kind = stepKind(where!, inCanaryStep);
        report.killedAt[kind] = (report.killedAt[kind] ?? 0) + 1;
        if (inCanaryStep) report.canaryKills += 1;
      } else {
        learnSteps(scenario.name, killed);
        if (steps > killAt) report.exitedBeforeKill += 1;
      }
      const check = async (phase: string): Promise<LiveState> => {
        const live = await readLive(adapter, scenario.service);
        for (const detail of gateViolations(live))
          report.violations.push({
            trial,
            scenario: scenario.name,
            killedAt: where,
            detail: `${phase}: ${detail}`,
          });
        return live;
      };
      await check("after the kill");

      if (scenario.breakBeforeRerun) await scenario.breakBeforeRerun.fail();
      try {
        const rerun = await runEchogateProcess(project, emu.env, scenario.argv);
        learnSteps(scenario.name, rerun);
        if (
          [...killed.events, ...rerun.events].some((e) => e.event === "step.start" && isPartialShift(e.step))
        )
          report.canaryTrials += 1;
        const live = await check("after the re-run");
        // Rolling back a service that a first-promote trial has just deleted is a usage error (2).
        const nothingToRollBack =
          scenario.name === "rollback" && errorOf(rerun.stdout).startsWith("rollback.no-service");
        const problems = nothingToRollBack ? [] : convergence(scenario, rerun.exitCode, live);
        if (problems.length > 0 && rerun.exitCode !== 0) problems.push(`error: ${errorOf(rerun.stdout)}`);
        for (const detail of problems)
          report.notConverged.push({ trial, scenario: scenario.name, killedAt: where, detail });
        log(
          `trial ${trial} ${scenario.name}${scenario.image ? ` (${scenario.image.kind}${scenario.breakBeforeRerun ? ", broken before re-run" : ""})` : ""}: ${
            killed.killed ? `killed at ${where}` : `finished (exit ${killed.exitCode})`
          }; re-run exit ${rerun.exitCode}${problems.length ? ` — ${problems.join("; ")}` : ""}`,
        );
      } finally {
        if (scenario.breakBeforeRerun) await scenario.breakBeforeRerun.heal();
      }
      report.trials = trial;
      report.ms = Math.round(performance.now() - started);
    }
  } finally {
    await adapter.close();
    await emulator.close();
    await rm(project, { recursive: true, force: true });
    await dropRedisPrefix(backplane.REDIS_KEY_PREFIX);
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** This repo's environments with a canary rollout on staging and short smoke timeouts. */
async function faultsProject(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "echogate-faults-"));
  await mkdir(join(root, "environments"));
  // Generous enough that a loaded machine does not fail a good build's gate.
  const smoke = "smoke:\n  health: { timeoutMs: 5000 }\n  echo: { timeoutMs: 1500 }\n";
  for (const name of await readdir(join(repoRoot, "environments"))) {
    let text = await readFile(join(repoRoot, "environments", name), "utf8");
    // Canary steps need a declared backplane (the images' REDIS_URL); the replace must have
    // happened, or every canary trial would stop at a configuration error and test nothing.
    if (name === "staging.yaml") {
      const declared = text.replace(
        "  envFile: .env.staging\n",
        "  envFile: .env.staging\n  backplane: redis\n",
      );
      if (declared === text)
        throw new Error(
          "kill loop: environments/staging.yaml has no '  envFile: .env.staging' line to declare the backplane after",
        );
      text = `${declared}rollout:\n  steps: [10, 50, 100]\n${smoke}`;
    }
    if (name === "production.yaml") text += smoke;
    await writeFile(join(root, "environments", name), text);
  }
  await writeFile(
    join(root, "package.json"),
    JSON.stringify({ name: "fixture", version: "0.1.0", private: true }),
  );
  // Hosting sites exist before a deploy, as `echogate emulator sites` makes them.
  await createProjectSites(root);
  return root;
}

/** A kill point without the run's names and ports, so trials at the same step count together. */
function stepKind(where: string, inCanaryStep: boolean): string {
  const kind = where
    .replace(/https?:\/\/\S+/g, "<url>")
    .replace(/:.*$/, "")
    .replace(/\s+(?:echogate-chat-\S+|\(.*)/g, "")
    .trim();
  return inCanaryStep ? `${kind} (partial canary step)` : kind;
}

const isPartialShift = (step: string | undefined) =>
  /^Shift traffic\b.*\b(?:[1-9]|[1-9]\d)%/.test(step ?? "");
const isSmoke = (step: string | undefined) => /^Smoke\b/i.test(step ?? "");

async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = await connectRedis();
  try {
    await dropPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

function errorOf(stdout: string): string {
  try {
    const error = (JSON.parse(stdout) as { error?: { code?: string; message?: string } }).error;
    return `${error?.code ?? "?"} ${error?.message?.slice(0, 300) ?? ""}`;
  } catch {
    return stdout.slice(0, 300);
  }
}

/** What a finished re-run must leave: no lock; a good build serving 100% publicly; a bad one not public on it. */
function convergence(scenario: Scenario, exitCode: number | undefined, live: LiveState): string[] {
  const problems: string[] = [];
  if (exitCode === undefined || exitCode > 1) problems.push(`re-run exited ${exitCode ?? "by a signal"}`);
  if (live.lock) problems.push(`lock still held by pid ${live.lock.pid}`);
  if (scenario.image?.kind === "good" && !scenario.breakBeforeRerun) {
    if (exitCode !== 0) problems.push(`a good build's re-run exited ${exitCode}`);
    const serving = servingShare(live);
    if (serving.length !== 1 || serving[0]!.percent !== 100)
      problems.push("a good build does not serve 100%");
    if (live.access !== "public") problems.push("a good build's service is not public");
  }
  if (servingShare(live).length === 1 && live.traffic.some((t) => t.tag === "previous"))
    problems.push("the canary's 'previous' tag is left behind at 100 %");
  if (scenario.image && scenario.image.kind !== "good" && exitCode === 0 && scenario.image.kind !== "flaky")
    problems.push(`a ${scenario.image.kind} build passed`);
  return problems;
}
