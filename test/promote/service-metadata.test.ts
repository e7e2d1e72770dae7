import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Output } from "../../deploy/core/output.js";
import { Redactor } from "../../deploy/core/redact.js";
import { Platform } from "../../deploy/platform/platform.js";
import { serverResultOf } from "../../deploy/preview/server-result.js";
import { Project } from "../../deploy/project/project.js";
import { promoteEnvironment } from "../../deploy/promote/promote-environment.js";
import type { PromotionOutcome } from "../../deploy/promote/promotion-outcome.js";
import { metadataProblems } from "../../deploy/promote/service-metadata.js";
import { promotionProject } from "../helpers/project.js";

describe("caller labels and annotations on the service", () => {
  it("accepts what previews set", () => {
    expect(
      metadataProblems({
        labels: {
          "managed-by": "echogate",
          "echogate-preview": "feature-log-9frgjfts",
          "echogate-expires": "1790000000",
          "echogate-creator": "octo-cat",
        },
        annotations: { "echogate.dev/branch": "feature/Login-Flow_v2", "echogate.dev/web-url": "https://x" },
      }),
    ).toEqual([]);
  });

  it("names every value Cloud Run would refuse, and echogate's own bookkeeping", () => {
    const problems = metadataProblems({
      labels: {
        Branch: "x",
        "echogate-branch": "feature/Login",
        "managed-by": "someone-else",
        long: "x".repeat(64),
      },
      annotations: {
        "run.googleapis.com/ingress": "all",
        "echogate.dev/gates": "[]",
        "not a key": "x",
      },
    });
    expect(problems).toHaveLength(7);
    expect(problems.join("\n")).toMatch(/Label key 'Branch'/);
    expect(problems.join("\n")).toMatch(/'echogate-branch' value 'feature\/Login'/);
    expect(problems.join("\n")).toMatch(/reserves \(run\.googleapis\.com\)/);
    expect(problems.join("\n")).toMatch(/'echogate\.dev\/gates' is echogate's own/);
    const many = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`l${i}`, "v"]));
    expect(metadataProblems({ labels: many, annotations: {} })).toHaveLength(1);
  });

  it("refuses a bad service name or label before any API call (exit 2, endpoint unreachable)", async () => {
    const projectDir = await promotionProject();
    const base = {
      project: new Project(projectDir, new Redactor()),
      platform: new Platform(projectDir, { ECHOGATE_EMULATOR_ENDPOINT: "http://127.0.0.1:9" }),
      environment: "preview",
      mode: "deploy" as const,
      output: new Output({ json: true, stdout: new PassThrough(), stderr: new PassThrough() }),
      signal: new AbortController().signal,
    };
    await expect(
      promoteEnvironment({
        ...base,
        preview: { serviceName: "echogate-chat-preview-a-very-long-branch-name" },
      }),
    ).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining("together are too long") });
    await expect(
      promoteEnvironment({
        ...base,
        preview: { serviceName: "chat-pr-1", labels: { "echogate-branch": "a/b" } },
      }),
    ).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining("[a-z0-9_-]") });
  });
});

describe("serverResultOf", () => {
  it("turns the pipeline's smoke reports into the preview gate, failure stage included", () => {
    const outcome = {
      ok: false,
      result: "refused",
      url: "http://127.0.0.1:1",
      version: "0.1.0+abc",
      revision: "svc-abc-12345",
      failure: { stage: "candidate", message: "echo failed" },
      smoke: [
        {
          ok: false,
          url: "http://127.0.0.1:2",
          target: "candidate",
          ms: 5,
          checks: [
            { name: "health", ok: true, status: "passed", ms: 1, detail: "0.1.0+abc" },
            { name: "echo", ok: false, status: "failed", ms: 4, detail: "no echo" },
          ],
        },
      ],
    } as unknown as PromotionOutcome;
    expect(serverResultOf(outcome)).toEqual({
      url: "http://127.0.0.1:1",
      version: "0.1.0+abc",
      revision: "svc-abc-12345",
      gate: {
        ok: false,
        checks: [
          { name: "candidate: health", ok: true, status: "passed", ms: 1, detail: "0.1.0+abc" },
          { name: "candidate: echo", ok: false, status: "failed", ms: 4, detail: "no echo" },
          { name: "candidate gate", ok: false, status: "failed", ms: 0, detail: "echo failed" },
        ],
      },
    });
  });
});
