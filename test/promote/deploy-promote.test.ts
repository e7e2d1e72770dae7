import { beforeAll, describe, expect, it } from "vitest";
import { GATES_ANNOTATION, readGateRecords } from "../../deploy/model/gate-records.js";
import { LOCK_ANNOTATION, readLock } from "../../deploy/model/lock.js";
import { toWireTraffic } from "../../deploy/platform/cloudrun/service-model.js";
import type { PromotionSmoke } from "../../deploy/promote/smoke-types.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage, type TestImage } from "../helpers/images.js";
import { echogate, fastSmoke, promotionProject } from "../helpers/project.js";

let good: TestImage;
let second: TestImage;

const STAGING = "echogate-chat-staging";
const PRODUCTION = "echogate-chat-production";
const UNREACHABLE = { ECHOGATE_EMULATOR_ENDPOINT: "http://127.0.0.1:9" };

const run = (...argv: string[]) => project.echogate(...argv);
const service = async (name: string) => (await project.adapter.getService(name))!.snapshot;
const serving = (traffic: { percent: number; revision?: string }[]) => traffic.filter((t) => t.percent > 0);

/**
 * Each test starts from the same known state, whatever ran before it (or not): staging and
 * production both serve `good`. Cheap when they already do (an already-serving re-check).
 */
async function baseline(): Promise<void> {
  const staged = await run("deploy", "staging", "--image", good.digest);
  expect(staged.exitCode, staged.stderr).toBe(0);
  // Staging has no web release in this file: server-only, as the first test promotes.
  const promoted = await run("promote", "production", "--image", good.digest, "--server-only");
  expect(promoted.exitCode, promoted.stderr).toBe(0);
}

const project = useEmulatedProject(fastSmoke);
beforeAll(async () => {
  [good, second] = await Promise.all([
    makeImage(project.dir, { version: "0.1.0+aaaaaaa" }),
    makeImage(project.dir, { version: "0.1.0+bbbbbbb" }),
  ]);
}, 30_000);

describe("promotion pipeline on the emulator", () => {
  it("deploys staging, then promotes exactly staging's digest to production", async () => {
    const staged = await run("deploy", "staging", "--image", good.digest, "--json");
    expect(staged.exitCode, staged.stdout).toBe(0);
    const stagingRevision = staged.json<{ outcome: { revision: string } }>().outcome.revision;
    // Each smoke is recorded in the shape `echogate smoke --json` prints, plus the URL it checked,
    // and streamed with the same event names.
    const smokes = staged.json<{ outcome: { smoke: PromotionSmoke[] } }>().outcome.smoke;
    expect(smokes.map((smoke) => smoke.target)).toEqual(["candidate", "service"]);
    for (const smoke of smokes) {
      expect(smoke).toMatchObject({ ok: true, version: good.version, expectVersion: good.version });
      for (const check of smoke.checks)
        expect(Object.keys(check).sort()).toEqual(["detail", "ms", "name", "ok", "status"]);
    }
    const events = staged.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string; target?: string; check?: string });
    expect(events.filter((e) => e.event === "promotion.plan")).toHaveLength(1);
    expect(
      events.filter((e) => e.event === "smoke.check.done").map((e) => `${e.target}: ${e.check}`),
    ).toEqual(smokes.flatMap((smoke) => smoke.checks.map((check) => `${smoke.target}: ${check.name}`)));

    // Staging has no web release here: a server-only promotion has to be asked for.
    const promoted = await run("promote", "production", "--server-only", "--json");
    expect(promoted.exitCode, promoted.stdout).toBe(0);
    const result = promoted.json<{
      plan: { artifact: { digest: string; from: { revision: string } } };
      outcome: { revision: string; url: string };
    }>();
    expect(result.plan.artifact.digest).toBe(good.digest);
    expect(result.plan.artifact.from.revision).toBe(stagingRevision);

    const prod = await service(PRODUCTION);
    expect(serving(prod.traffic)).toEqual([
      { type: "REVISION", revision: result.outcome.revision, percent: 100 },
    ]);
    expect(prod.traffic.some((t) => t.tag === "candidate")).toBe(false);
    expect(prod.annotations[LOCK_ANNOTATION]).toBeUndefined();
    expect(readGateRecords(prod.annotations)).toEqual([
      expect.objectContaining({
        revision: result.outcome.revision,
        digest: good.digest,
        version: good.version,
        result: "passed",
        stage: "service",
      }),
    ]);
    const revision = await project.adapter.getRevision(PRODUCTION, result.outcome.revision);
    expect(revision?.annotations).toMatchObject({
      "echogate.dev/version": good.version,
      "echogate.dev/digest": good.digest,
    });
    expect(revision?.labels["echogate-version"]).toBe("0-1-0_aaaaaaa");
    const health = (await (await fetch(`${prod.uri}/health`)).json()) as {
      version: string;
      revision: string;
    };
    expect(health).toMatchObject({ version: good.version, revision: result.outcome.revision });
    // Secrets from the env file reach the revision but never the output.
    expect(promoted.stdout + promoted.stderr).not.toContain("production-demo-session-secret");
  }, 30_000);

  it("a re-run of the same deploy finds the revision and only re-checks it", async () => {
    await baseline();
    const before = await service(STAGING);
    const again = await run("deploy", "staging", "--image", good.digest, "--json");
    expect(again.exitCode).toBe(0);
    expect(again.json<{ outcome: { result: string } }>().outcome.result).toBe("already-serving");
    expect((await service(STAGING)).etag).toBe(before.etag);
  }, 20_000);

  it("--dry-run prints the plan and changes nothing", async () => {
    await baseline();
    const before = await service(STAGING);
    const dry = await run("deploy", "staging", "--image", second.digest, "--dry-run", "--json");
    expect(dry.exitCode).toBe(0);
    const { plan } = dry.json<{
      plan: {
        actions: { kind: string }[];
        finalTraffic: { revision: string; percent: number }[];
        candidate: { revision: string };
      };
    }>();
    expect(plan.actions.map((a) => a.kind)).toEqual(["create-revision", "smoke", "shift", "smoke", "finish"]);
    expect(plan.finalTraffic).toEqual([
      { type: "REVISION", revision: plan.candidate.revision, percent: 100 },
    ]);
    const human = await run("promote", "production", "--dry-run");
    expect(human.stdout).toContain("Plan: promote production");
    expect(human.stdout).toContain("traffic after");
    // The failure policy, per step: what a failed gate or an interruption leaves behind.
    expect(human.stdout).toMatch(
      /\n {2}if a gate fails\n {4}at steps? 1\S* +\S.* → (refused|rolled-back|private)\n/,
    );
    expect(human.stdout).toMatch(/\n {2}if interrupted\n {4}at steps? 1/);
    // The web front end follows the server on promote; the plan says so.
    expect(human.stdout).toMatch(/then \(web\)\s+clone staging's released web version \(no rebuild\)/);
    const dryJson = await run("promote", "production", "--dry-run", "--json");
    expect(dryJson.json<{ web?: string }>().web).toMatch(/release on echogate-chat-production\/live/);
    const after = await service(STAGING);
    expect(after.etag).toBe(before.etag);
    expect((await project.adapter.listRevisions(STAGING)).map((r) => r.name)).not.toContain(
      plan.candidate.revision,
    );
  }, 20_000);

  it("production refuses a digest that did not pass staging", async () => {
    await baseline();
    const before = await service(PRODUCTION);
    const refused = await run("promote", "production", "--image", second.digest);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`${second.digest} did not pass staging's gate`);
    expect((await service(PRODUCTION)).etag).toBe(before.etag);
    const direct = await run("deploy", "production", "--image", second.digest);
    expect(direct.exitCode).toBe(2);
    expect(direct.stderr).toContain("echogate promote production");
  }, 20_000);

  it("refuses an image digest that is not in the store, before any API call", async () => {
    const missing = await echogate(
      project.dir,
      UNREACHABLE,
      "deploy",
      "staging",
      "--image",
      `sha256:${"0".repeat(64)}`,
    );
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("Can't find image");
    const tag = await echogate(
      project.dir,
      UNREACHABLE,
      "deploy",
      "staging",
      "--image",
      "local/echogate-server:latest",
    );
    expect(tag.exitCode).toBe(2);
  });

  it("a build that breaks the echo is refused: traffic untouched, tag removed, result recorded", async () => {
    await baseline();
    const faulty = await makeImage(project.dir, {
      version: "0.1.0+fffffff",
      env: { ECHOGATE_FAULT: "exclude-sender" },
    });
    const before = await service(STAGING);
    const failed = await run("deploy", "staging", "--image", faulty.digest, "--json");
    expect(failed.exitCode).toBe(1);
    const body = failed.json<{
      error: {
        code: string;
        message: string;
        details: { smoke: { checks: { name: string; ok: boolean }[] }[]; revision: string };
      };
    }>();
    expect(body.error.code).toBe("promote.gate-failed");
    expect(body.error.details.smoke[0]!.checks.find((c) => c.name === "echo")?.ok).toBe(false);
    const after = await service(STAGING);
    expect(serving(after.traffic)).toEqual(serving(before.traffic));
    expect(after.traffic.some((t) => t.tag === "candidate")).toBe(false);
    expect(readGateRecords(after.annotations).at(-1)).toMatchObject({
      revision: body.error.details.revision,
      result: "failed",
      stage: "candidate",
    });
    // Production still serves the good version.
    const prod = await service(PRODUCTION);
    expect(((await (await fetch(`${prod.uri}/health`)).json()) as { version: string }).version).toBe(
      good.version,
    );
  }, 20_000);

  it("a build that reports the wrong version is refused", async () => {
    await baseline();
    const liar = await makeImage(project.dir, {
      version: "0.1.0+1111111",
      env: { APP_VERSION: "0.0.9+old" },
    });
    const before = await service(STAGING);
    const failed = await run("deploy", "staging", "--image", liar.digest, "--json");
    expect(failed.exitCode).toBe(1);
    const { error } = failed.json<{
      error: {
        code: string;
        details: { smoke: { checks: { name: string; ok: boolean; detail?: string }[] }[] };
      };
    }>();
    expect(error.code).toBe("promote.gate-failed");
    const health = error.details.smoke[0]!.checks.find((c) => c.name === "health");
    expect(health?.ok).toBe(false);
    expect(health?.detail).toMatch(
      /^version mismatch: .*reports (version )?0\.0\.9\+old, expected 0\.1\.0\+1111111/,
    );
    expect(serving((await service(STAGING)).traffic)).toEqual(serving(before.traffic));
  }, 20_000);

  it("a revision that crashes on start is refused without touching traffic", async () => {
    await baseline();
    const crash = await makeImage(project.dir, { version: "0.1.0+2222222", code: "process.exit(3);\n" });
    const before = await service(STAGING);
    const failed = await run("deploy", "staging", "--image", crash.digest, "--json");
    expect(failed.exitCode).toBe(1);
    expect(failed.json<{ error: { message: string } }>().error.message).toContain("failed to start");
    const after = await service(STAGING);
    expect(serving(after.traffic)).toEqual(serving(before.traffic));
    expect(after.traffic.some((t) => t.tag === "candidate")).toBe(false);
    expect(after.annotations[LOCK_ANNOTATION]).toBeUndefined();
  }, 20_000);

  it("shows pinned and split traffic in the plan, and leaves exactly one revision at 100%", async () => {
    await baseline();
    const staged = await run("deploy", "staging", "--image", second.digest, "--json");
    expect(staged.exitCode, staged.stdout).toBe(0);
    const revisions = (await project.adapter.listRevisions(STAGING))
      .filter((r) => r.ready === "succeeded")
      .map((r) => r.name);
    const current = staged.json<{ outcome: { revision: string } }>().outcome.revision;
    const old = revisions.find((r) => r !== current)!;
    // A manual canary (90/10) pinned away from the latest revision, as `gcloud run deploy --no-traffic` leaves it.
    await project.adapter.mutateService(STAGING, (raw) => {
      raw.traffic = toWireTraffic([
        { type: "REVISION", revision: old, percent: 90 },
        { type: "REVISION", revision: current, percent: 10 },
      ]);
      return raw;
    });
    const dry = await run("deploy", "staging", "--image", good.digest, "--dry-run", "--json");
    const { plan } = dry.json<{
      plan: {
        warnings: { code: string; message: string }[];
        finalTraffic: unknown[];
        candidate: { revision: string };
      };
    }>();
    expect(plan.warnings.map((w) => w.code)).toContain("traffic.split");
    expect(plan.finalTraffic).toEqual([
      { type: "REVISION", revision: plan.candidate.revision, percent: 100 },
    ]);
    const applied = await run("deploy", "staging", "--image", good.digest);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(serving((await service(STAGING)).traffic)).toEqual([
      { type: "REVISION", revision: plan.candidate.revision, percent: 100 },
    ]);
  }, 30_000);

  it("rolls back to the previous revision that passed its gate", async () => {
    await baseline();
    await run("deploy", "staging", "--image", second.digest);
    const before = await service(STAGING);
    const from = serving(before.traffic)[0]!.revision;
    const rolled = await run("rollback", "staging", "--json");
    expect(rolled.exitCode, rolled.stdout).toBe(0);
    const { outcome } = rolled.json<{ outcome: { to: string; version: string; smoke: { ok: boolean }[] } }>();
    expect(outcome.version).toBe(good.version);
    expect(outcome.smoke[0]?.ok).toBe(true);
    const after = await service(STAGING);
    expect(serving(after.traffic)).toEqual([{ type: "REVISION", revision: outcome.to, percent: 100 }]);
    expect(readGateRecords(after.annotations).find((r) => r.revision === from)?.rolledBackAt).toBeTruthy();
    expect(after.annotations[GATES_ANNOTATION]).toBeDefined();
  }, 20_000);

  it("status reports every environment", async () => {
    await baseline();
    const status = await run("status", "--json");
    expect(status.exitCode).toBe(0);
    const { environments } = status.json<{
      environments: {
        environment: string;
        version: string | null;
        gate: { result: string } | null;
        url: string | null;
        split: unknown[];
      }[];
    }>();
    expect(environments.map((e) => e.environment)).toEqual(["local", "preview", "production", "staging"]);
    const prod = environments.find((e) => e.environment === "production")!;
    expect(prod).toMatchObject({ version: good.version, gate: { result: "passed" } });
    expect(prod.split).toHaveLength(1);
  }, 20_000);

  it("one promotion at a time: a live lock is refused naming its holder; a dead holder's lock is taken over", async () => {
    await baseline();
    const lock = {
      id: "someone-else",
      holder: "ci@builder",
      host: "builder-7",
      pid: 4242,
      command: "echogate deploy staging",
      acquiredAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    };
    await project.adapter.mutateService(STAGING, (raw) => {
      raw.annotations = { ...raw.annotations, [LOCK_ANNOTATION]: JSON.stringify(lock) };
      return raw;
    });
    const refused = await run("deploy", "staging", "--image", second.digest);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain("ci@builder (pid 4242 on builder-7");
    await project.adapter.mutateService(STAGING, (raw) => {
      raw.annotations = {
        ...raw.annotations,
        [LOCK_ANNOTATION]: JSON.stringify({ ...lock, expiresAt: new Date(Date.now() - 1000).toISOString() }),
      };
      return raw;
    });
    const taken = await run("deploy", "staging", "--image", second.digest);
    expect(taken.exitCode, taken.stderr).toBe(0);
    expect(taken.stderr).toContain("stale lock");
    expect(readLock((await service(STAGING)).annotations)).toBeUndefined();
  }, 30_000);

  it("two concurrent deploys: one wins, the other refuses", async () => {
    await baseline();
    // Neither is serving yet, so both need the lock.
    const [third, fourth] = await Promise.all([
      makeImage(project.dir, { version: "0.1.0+3333333" }),
      makeImage(project.dir, { version: "0.1.0+4444444" }),
    ]);
    const [a, b] = await Promise.all([
      run("deploy", "staging", "--image", third.digest),
      run("deploy", "staging", "--image", fourth.digest),
    ]);
    const codes = [a.exitCode, b.exitCode].sort();
    expect(codes).toEqual([0, 3]);
    expect([a, b].find((r) => r.exitCode === 3)!.stderr).toContain("another promotion holds its lock");
  }, 30_000);
});

describe("refused before any API call", () => {
  it("API unreachable → exit 3 with the cause", async () => {
    const down = await echogate(project.dir, UNREACHABLE, "deploy", "staging", "--image", good.digest);
    expect(down.exitCode).toBe(3);
    expect(down.stderr).toMatch(/Failed to .*(ECONNREFUSED|fetch failed|connect)/);
    expect(down.stderr).toContain("hint:");
    const status = await echogate(project.dir, UNREACHABLE, "status", "--json");
    expect(status.exitCode).toBe(3);
  }, 20_000);

  it("an env file invalid for the target → exit 1, nothing contacted", async () => {
    const broken = await promotionProject((files) => {
      files["environments/.env.staging"] = files["environments/.env.staging"]!.replace(
        "BUILD_TARGET=staging",
        "BUILD_TARGET=production",
      );
    });
    const image = await makeImage(broken, { version: "0.1.0+aaaaaaa" });
    const result = await echogate(broken, UNREACHABLE, "deploy", "staging", "--image", image.digest);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("BUILD_TARGET");
    expect(result.stderr).not.toContain("staging-demo-session-secret");
  });

  it("a service name over Cloud Run's limits → exit 2, naming the limit", async () => {
    const long = await promotionProject((files) => {
      files["environments/staging.yaml"] = files["environments/staging.yaml"]!.replace(
        "name: echogate-chat-staging",
        "name: echogate-chat-staging-for-the-whole-team",
      );
    });
    const result = await echogate(long, UNREACHABLE, "deploy", "staging", "--image", good.digest);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("cannot exceed 46 characters");
  });

  it("more than one region without a backplane → exit 2 before any API call", async () => {
    const twoRegions = await promotionProject((files) => {
      files["environments/staging.yaml"] = files["environments/staging.yaml"]!.replace(
        "regions: [us-central1]",
        "regions: [us-central1, europe-west1]",
      );
    });
    for (const argv of [
      ["deploy", "staging", "--image", good.digest],
      ["rollback", "staging"],
    ]) {
      const result = await echogate(twoRegions, UNREACHABLE, ...argv);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/environments\/staging\.yaml:\d+:\d+ \(service\.regions\)/);
      expect(result.stderr).toContain("users in different regions would never see each other's messages");
    }
  });
});
