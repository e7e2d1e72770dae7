import { describe, expect, it } from "vitest";
import { Platform } from "../../deploy/platform/platform.js";

// Nothing here reaches a network: targets come from the overrides and clients connect lazily.
const env = { ECHOGATE_EMULATOR_ENDPOINT: "http://127.0.0.1:9", ECHOGATE_HOSTING_URL: "http://127.0.0.1:9" };
const service = { endpoint: "local" as const, project: "echogate-demo" };

describe("Platform", () => {
  it("gives one adapter per target, project and region, and one hosting connection per hosting API", async () => {
    const platform = new Platform("/nonexistent", env);
    const [a, b, other] = await Promise.all([
      platform.cloudRun(service, "us-central1"),
      platform.cloudRun(service, "us-central1"),
      platform.cloudRun(service, "europe-west1"),
    ]);
    expect(a).toBe(b);
    expect(other).not.toBe(a);
    expect(other.location).toEqual({ project: "echogate-demo", region: "europe-west1" });
    const hosting = { provider: "local" as const, site: "s", channel: "live", publicDir: "web" };
    const [h1, h2] = await Promise.all([
      platform.hosting(hosting),
      platform.hosting({ ...hosting, site: "t" }),
    ]);
    expect(h1).toBe(h2);
    await platform.close();
  });

  it("resolves each endpoint once: Google needs no emulator, local takes the override", async () => {
    const platform = new Platform("/nonexistent", env);
    expect(await platform.cloudRunTarget("google")).toEqual({ kind: "google" });
    const local = platform.cloudRunTarget("local");
    expect(platform.cloudRunTarget("local")).toBe(local);
    expect(await local).toEqual({ kind: "emulator", apiEndpoint: "http://127.0.0.1:9" });
    await platform.close();
  });
});
