// Journey: a canary rollout 20 times in a row through Redis, then its failures.
import { beforeAll, describe, expect, it } from "vitest";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { canaryStaging } from "../helpers/project.js";
import { REDIS_URL, requireRedis, testPrefix } from "../helpers/redis.js";
import { type ChatImage, writeChatImage } from "./chat-fixture.js";

const STAGING = "echogate-chat-staging";

let images: ChatImage[];
let apart: ChatImage;

beforeAll(requireRedis);
const project = useEmulatedProject(canaryStaging);
beforeAll(async () => {
  const store = `${project.dir}/.echogate/images`;
  const shared = { REDIS_URL, REDIS_PREFIX: testPrefix("canary") };
  images = await Promise.all([
    writeChatImage(store, { version: "1.0.0+aaaaaaa", env: shared }),
    writeChatImage(store, { version: "1.0.1+bbbbbbb", env: shared }),
  ]);
  apart = await writeChatImage(store, { version: "1.0.2+ccccccc" });
}, 30_000);

describe("canary steps for a realtime server", () => {
  it("a good build with a backplane passes [10, 50, 100] every time (20/20)", async () => {
    const first = await project.echogate("deploy", "staging", "--image", images[0]!.digest);
    expect(first.exitCode, first.stderr).toBe(0);
    const failures: string[] = [];
    for (let run = 1; run <= 20; run++) {
      const image = images[run % 2]!;
      const result = await project.echogate("deploy", "staging", "--image", image.digest, "--json");
      if (result.exitCode !== 0) failures.push(`run ${run}: ${result.stderr.slice(-400)}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it("each partial step puts clients on both revisions' tag URLs", async () => {
    // The 20th run above deployed images[0]; the other one makes a new candidate.
    await project.echogate("deploy", "staging", "--image", images[0]!.digest);
    const result = await project.echogate("deploy", "staging", "--image", images[1]!.digest, "--json");
    expect(result.exitCode, result.stderr).toBe(0);
    const smokes = result.json<{
      outcome: { smoke: { url: string; checks: { name: string; detail?: string }[] }[] };
    }>().outcome.smoke;
    const partial = smokes.filter((s) =>
      s.checks.some((c) => /on revision \S+ and revision \S+/.test(c.detail ?? "")),
    );
    expect(partial, JSON.stringify(smokes, null, 1)).toHaveLength(2);
    const service = (await project.adapter.getService(STAGING))!.snapshot;
    expect(service.traffic.some((t) => t.tag === "previous")).toBe(false);
    const status = await project.echogate("status", "staging", "--json");
    const [row] = status.json<{ environments: { revision: string; instances: Record<string, number> }[] }>()
      .environments;
    expect(row!.instances).toEqual({ [row!.revision]: 1 });
  }, 30_000);

  it("a build without a shared broadcast fails the first partial step and traffic goes back", async () => {
    const before = (await project.adapter.getService(STAGING))!.snapshot.traffic.filter((t) => t.percent > 0);
    const result = await project.echogate("deploy", "staging", "--image", apart.digest, "--json");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /sender on revision \S+, receiver smoke-2 on revision \S+ never got it within 1500 ms: no shared broadcast \(backplane\) across revisions/,
    );
    const after = (await project.adapter.getService(STAGING))!.snapshot.traffic.filter((t) => t.percent > 0);
    expect(after).toEqual(before);
  }, 30_000);
});
