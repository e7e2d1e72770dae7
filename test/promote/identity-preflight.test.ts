import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { ConfigError } from "../../deploy/core/errors.js";
import { CloudRunAdapter } from "../../deploy/platform/cloudrun/adapter.js";
import { makeImage, type TestImage } from "../helpers/images.js";
import {
  adapterFor,
  echogate,
  fastSmoke,
  promotionProject,
  startTestEmulator,
  type TestEmulator,
} from "../helpers/project.js";

let project: string;
let emu: TestEmulator;
let image: TestImage;

beforeAll(async () => {
  project = await promotionProject(fastSmoke);
  emu = await startTestEmulator(project);
  image = await makeImage(project, { version: "0.1.0+aaaaaaa" });
}, 30_000);
afterAll(async () => {
  vi.restoreAllMocks();
  await emu?.close();
});

it("credentials that cannot mint an identity token stop a first deploy before the private service is created", async () => {
  // The emulator's tokens always work; this stands for user ADC without an impersonation target on Google.
  vi.spyOn(CloudRunAdapter.prototype, "identityTokenReady").mockRejectedValue(
    new ConfigError(
      "identity.unsupported-credentials",
      "Failed to get an identity token: user credentials.",
      {
        hint: "Pass --impersonate-service-account <email>.",
      },
    ),
  );
  const refused = await echogate(project, emu.env, "deploy", "staging", "--image", image.digest);
  expect(refused.exitCode, refused.stderr).toBe(2);
  expect(refused.stderr).toContain("--impersonate-service-account");
  const adapter = adapterFor(emu);
  try {
    expect(await adapter.getService("echogate-chat-staging")).toBeUndefined();
  } finally {
    await adapter.close();
  }
});
