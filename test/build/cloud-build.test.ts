import { chmod } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  cloudBuildArgs,
  imageTagFor,
  parseBuildResult,
  submitCloudBuild,
} from "../../deploy/build/cloud-build.js";
import { testdir } from "../helpers/testdir.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const request = {
  projectDir: "/tmp",
  project: "acme",
  region: "us-central1",
  service: "chat-staging",
  environment: "staging",
  version: "1.4.0+3f2a9c1",
};

describe("Cloud Build", () => {
  it("passes the version with + as a build arg and a tag-safe copy as the image tag", () => {
    expect(imageTagFor("1.4.0+3f2a9c1.dirty")).toBe("1.4.0-3f2a9c1.dirty");
    const args = cloudBuildArgs(request);
    expect(args).toContain("--config=cloudbuild.yaml");
    expect(args.find((arg) => arg.startsWith("--substitutions="))).toBe(
      "--substitutions=_VERSION=1.4.0+3f2a9c1,_TAG=1.4.0-3f2a9c1,_SERVICE=chat-staging,_REGION=us-central1,_ENV=staging",
    );
  });

  it("reads the pushed digest back as a digest-pinned reference", () => {
    const result = parseBuildResult(
      JSON.stringify({
        id: "b-1",
        results: {
          images: [{ name: "us-central1-docker.pkg.dev/acme/echogate/chat:1.4.0-3f2a9c1", digest: DIGEST }],
        },
      }),
    );
    expect(result).toEqual({
      imageRef: `us-central1-docker.pkg.dev/acme/echogate/chat@${DIGEST}`,
      digest: DIGEST,
      buildId: "b-1",
    });
  });

  it("refuses a build result without a digest, saying how to fix cloudbuild.yaml", () => {
    expect(() => parseBuildResult(JSON.stringify({ results: {} }))).toThrow(/digest/);
    expect(() => parseBuildResult("not json")).toThrow(/JSON/);
  });

  it("runs gcloud from the project directory and maps its failure to a platform error", async () => {
    // A gcloud on PATH that records its arguments: checks what echogate asks of it, not Cloud Build itself.
    const bin = await testdir({
      gcloud: `#!/bin/sh\necho "$@" > "$(dirname "$0")/args.txt"\nif [ "$FAKE_FAIL" = 1 ]; then exit 4; fi\necho '{"id":"b-2","results":{"images":[{"name":"r/acme/chat:t","digest":"${DIGEST}"}]}}'\n`,
    });
    await chmod(join(bin, "gcloud"), 0o755);
    const path = `${bin}:${process.env.PATH}`;
    const previous = process.env.PATH;
    process.env.PATH = path;
    try {
      const result = await submitCloudBuild({ ...request, projectDir: bin });
      expect(result.digest).toBe(DIGEST);
      process.env.FAKE_FAIL = "1";
      await expect(submitCloudBuild({ ...request, projectDir: bin })).rejects.toMatchObject({
        exitCode: 3,
        code: "build.cloud-build",
      });
    } finally {
      process.env.PATH = previous;
      delete process.env.FAKE_FAIL;
    }
  });
});
