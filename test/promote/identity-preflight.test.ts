import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { ConfigError } from "../../deploy/core/errors.js";
import { CloudRunAdapter } from "../../deploy/platform/cloudrun/adapter.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage, type TestImage } from "../helpers/images.js";
import { fastSmoke } from "../helpers/project.js";

let image: TestImage;

const project = useEmulatedProject(fastSmoke);
beforeAll(async () => {
  image = await makeImage(project.dir, { version: "0.1.0+aaaaaaa" });
}, 30_000);
afterAll(async () => {
  vi.restoreAllMocks();
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
  const refused = await project.echogate("deploy", "staging", "--image", image.digest);
  expect(refused.exitCode, refused.stderr).toBe(2);
  expect(refused.stderr).toContain("--impersonate-service-account");
  expect(await project.adapter.getService("echogate-chat-staging")).toBeUndefined();
});
