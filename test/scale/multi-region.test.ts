import { beforeAll, describe, expect, it } from "vitest";
import { openAdapter } from "../../deploy/platform/cloudrun/open-adapter.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { fastSmoke } from "../helpers/project.js";
import { REDIS_URL, requireRedis, testPrefix } from "../helpers/redis.js";
import { type ChatImage, writeChatImage } from "./chat-fixture.js";

const STAGING = "echogate-chat-staging";
const REGIONS = ["us-central1", "europe-west1"] as const;

let good: ChatImage;
let next: ChatImage;
let brokenInEurope: ChatImage;
let breaksAfterShift: ChatImage;

beforeAll(requireRedis);
const project = useEmulatedProject((files) => {
  fastSmoke(files);
  files["environments/staging.yaml"] = files["environments/staging.yaml"]!.replace(
    "regions: [us-central1]",
    `regions: [${REGIONS.join(", ")}]`,
  ).replace("  envFile: .env.staging\n", "  envFile: .env.staging\n  backplane: redis\n");
});
beforeAll(async () => {
  const store = `${project.dir}/.echogate/images`;
  const env = { REDIS_URL, REDIS_PREFIX: testPrefix("regions") };
  [good, next, brokenInEurope, breaksAfterShift] = await Promise.all([
    writeChatImage(store, { version: "1.0.0+aaaaaaa", env }),
    writeChatImage(store, { version: "1.1.0+bbbbbbb", env }),
    writeChatImage(store, { version: "1.2.0+ccccccc", env: { ...env, BROKEN_IN_REGION: "europe-west1" } }),
    writeChatImage(store, {
      version: "1.3.0+ddddddd",
      env: { ...env, BROKEN_IN_REGION: "europe-west1", BROKEN_AFTER: "1" },
    }),
  ]);
}, 30_000);

async function servingIn(region: string): Promise<{ revision?: string; percent: number }[]> {
  const adapter = openAdapter(
    { kind: "emulator", apiEndpoint: project.emu.emulator.apiEndpoint },
    { project: "echogate-demo", region },
  );
  try {
    return (await adapter.getService(STAGING))!.snapshot.traffic.filter((t) => t.percent > 0);
  } finally {
    await adapter.close();
  }
}

describe("multi-region: every region or none", () => {
  it("deploys and gates a candidate per region, then moves traffic in all of them", async () => {
    for (const image of [good, next]) {
      const result = await project.echogate("deploy", "staging", "--image", image.digest, "--json");
      expect(result.exitCode, result.stderr).toBe(0);
      const regions = result.json<{ regions: { region: string; ok: boolean }[] }>().regions;
      expect(regions.map((r) => [r.region, r.ok])).toEqual(REGIONS.map((r) => [r, true]));
    }
    for (const region of REGIONS) expect(await servingIn(region)).toHaveLength(1);
  }, 60_000);

  it("--dry-run plans every region and changes nothing", async () => {
    const before = await Promise.all(REGIONS.map(servingIn));
    const result = await project.echogate("deploy", "staging", "--image", next.digest, "--dry-run", "--json");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await Promise.all(REGIONS.map(servingIn))).toEqual(before);
  }, 30_000);

  it("gives the front end one URL: a balancer across the regions' service URLs", async () => {
    const result = await project.echogate("deploy", "staging", "--image", good.digest, "--json");
    expect(result.exitCode, result.stderr).toBe(0);
    const body = result.json<{ globalUrl: string; outcome: { url: string }; regions: { url: string }[] }>();
    expect(body.outcome.url).toBe(body.globalUrl);
    expect(body.regions.map((r) => r.url)).not.toContain(body.globalUrl);
    const answered = new Set<string>();
    for (let i = 0; i < 30 && answered.size < 2; i++) {
      const health = await fetch(`${body.globalUrl}/health`, { headers: { connection: "close" } });
      expect(((await health.json()) as { version: string }).version).toBe(good.version);
      answered.add(health.headers.get("set-cookie") ?? "");
    }
    expect(answered.size).toBe(2);
  }, 60_000);

  it("one region's gate fails → no traffic moves anywhere", async () => {
    const before = await Promise.all(REGIONS.map(servingIn));
    const result = await project.echogate("deploy", "staging", "--image", brokenInEurope.digest, "--json");
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toContain("in europe-west1: Smoke failed on the candidate tag URL");
    expect(await Promise.all(REGIONS.map(servingIn))).toEqual(before);
    const status = await project.echogate("status", "staging");
    expect(status.stdout).toContain("staging/us-central1");
    expect(status.stdout).toContain("staging/europe-west1");
    expect(status.stdout).toContain(good.version);
    const drift = await project.echogate("drift", "--json");
    expect(drift.stdout).toContain("staging/us-central1");
    expect(drift.stdout).toContain("staging/europe-west1");
  }, 60_000);

  it("a region failing after the shift → every region that shifted goes back to its gate-passed revision", async () => {
    const before = await Promise.all(REGIONS.map(servingIn));
    const result = await project.echogate("deploy", "staging", "--image", breaksAfterShift.digest, "--json");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("[us-central1] Shift traffic");
    expect(result.stderr).toContain("[us-central1] Roll traffic back");
    expect(result.stderr).toContain("held back: region europe-west1 failed");
    expect(await Promise.all(REGIONS.map(servingIn))).toEqual(before);
  }, 60_000);
});
