import { describe, expect, it } from "vitest";
import {
  cloudRunPullProblem,
  isGoogleRegistry,
  isLoopbackRegistry,
  parseImageReference,
  withDefaultRegistry,
} from "../../deploy/build/image-reference.js";

const D = `sha256:${"b".repeat(64)}`;

describe("image references (distribution/reference grammar)", () => {
  it.each([
    ["node:20-slim", { registry: undefined, repository: "node", tag: "20-slim", digest: undefined }],
    [
      `local/echogate-server@${D}`,
      { registry: undefined, repository: "local/echogate-server", tag: undefined, digest: D },
    ],
    [
      `europe-west1-docker.pkg.dev/p/r/server:1.0.0@${D}`,
      { registry: "europe-west1-docker.pkg.dev", repository: "p/r/server", tag: "1.0.0", digest: D },
    ],
    [
      "127.0.0.1:5000/a/b",
      { registry: "127.0.0.1:5000", repository: "a/b", tag: undefined, digest: undefined },
    ],
    ["localhost/a", { registry: "localhost", repository: "a", tag: undefined, digest: undefined }],
  ])("%s", (ref, expected) => {
    expect(parseImageReference(ref)).toEqual(expected);
  });

  it("reads Docker Hub short names as docker.io/library/…", () => {
    expect(withDefaultRegistry(parseImageReference("node:20-slim"))).toMatchObject({
      registry: "docker.io",
      repository: "library/node",
    });
    expect(withDefaultRegistry(parseImageReference("bitnami/node"))).toMatchObject({
      registry: "docker.io",
      repository: "bitnami/node",
    });
  });

  it("tells Google and loopback registries apart", () => {
    expect(isGoogleRegistry("us-docker.pkg.dev")).toBe(true);
    expect(isGoogleRegistry("eu.gcr.io")).toBe(true);
    expect(isGoogleRegistry("docker.io")).toBe(false);
    expect(isGoogleRegistry("evil-docker.pkg.dev.example.com")).toBe(false);
    expect(isLoopbackRegistry("127.0.0.1:5000")).toBe(true);
    expect(isLoopbackRegistry("localhost:5000")).toBe(true);
    expect(isLoopbackRegistry("127.0.0.1.example.com")).toBe(false);
  });
});

describe("what Cloud Run pulls", () => {
  it.each([
    [`us-central1-docker.pkg.dev/p/r/i@${D}`, undefined],
    [`gcr.io/p/i@${D}`, undefined],
    [`docker.io/library/nginx@${D}`, undefined],
    [`ghcr.io/o/i@${D}`, undefined],
    [`local/echogate-server@${D}`, "names no registry"],
    [`echogate-server@${D}`, "names no registry"],
    [`quay.io/o/i@${D}`, "does not pull from quay.io"],
    [`127.0.0.1:5000/a/b@${D}`, "does not pull from 127.0.0.1:5000"],
  ])("%s", (ref, problem) => {
    const found = cloudRunPullProblem(ref);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});
