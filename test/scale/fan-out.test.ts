import { beforeAll, describe, expect, it } from "vitest";
import { runSmoke } from "../../deploy/smoke/run-smoke.js";
import { allowPublic, PARENT, useTestEmulator } from "../emulator/helpers.js";
import { REDIS_URL, requireRedis, testPrefix } from "../helpers/redis.js";
import { writeChatImage } from "./chat-fixture.js";

const fast = { health: { timeoutMs: 3_000 }, echo: { timeoutMs: 800 } };

beforeAll(requireRedis);
const t = useTestEmulator({ idleStopMs: 200, terminationGraceMs: 500 });

/** Two warm instances behind one URL, with affinity, as an environment with maxInstances 2 runs. */
async function twoInstances(id: string, env: Record<string, string>): Promise<string> {
  const image = await writeChatImage(t.imageStoreDir, { version: "1.0.0", env });
  const [op] = await t.clients.services.createService({
    parent: PARENT,
    serviceId: id,
    service: {
      template: {
        containers: [{ image: image.imageRef }],
        scaling: { minInstanceCount: 2, maxInstanceCount: 2 },
        sessionAffinity: true,
      },
    },
  });
  const [service] = await op.promise();
  await allowPublic(t.clients, id);
  return service.uri!;
}

describe("the cross-instance fan-out gate", () => {
  it("passes when the instances share a Redis backplane, with clients on two instances", async () => {
    const url = await twoInstances("shared", { REDIS_URL, REDIS_PREFIX: testPrefix("fan-out") });
    for (let run = 0; run < 3; run++) {
      const result = await runSmoke(url, fast, { fanOut: "instances" });
      expect(result.ok, JSON.stringify(result.checks)).toBe(true);
      expect(result.checks.find((c) => c.name === "connect")?.detail).toMatch(
        /on instance \S+ and instance \S+/,
      );
    }
  });

  it("fails without a backplane and names the two instances", async () => {
    const url = await twoInstances("apart", {});
    const result = await runSmoke(url, fast, { fanOut: "instances" });
    expect(result.ok).toBe(false);
    expect(result.checks.find((c) => c.name === "echo")?.detail).toMatch(
      /^sender on instance \S+, receiver smoke-2 on instance \S+ never got it within 800 ms: no shared broadcast \(backplane\) across instances/,
    );
  });

  it("passes with a notice, not a failure, when /health reports no instance id (instance is optional)", async () => {
    // A backplane, so the echo passes wherever the unplaced clients land: the notice is what's judged.
    const url = await twoInstances("anon", { REDIS_URL, REDIS_PREFIX: testPrefix("anon") });
    const result = await runSmoke(
      url,
      { ...fast, health: { ...fast.health, instanceField: "pod" } },
      { fanOut: "instances" },
    );
    expect(result.ok, JSON.stringify(result.checks)).toBe(true);
    expect(result.notices).toEqual([
      expect.stringContaining(
        '/health reports no "pod" (health.instanceField), so the gate couldn\'t put its clients on two instances',
      ),
    ]);
  });

  it("a single-instance run is not gated on placement", async () => {
    const url = await twoInstances("plain", { REDIS_URL, REDIS_PREFIX: testPrefix("plain") });
    const result = await runSmoke(url, fast);
    expect(result.ok).toBe(true);
  });
});
