import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a build script (plain ESM, no types)
import { pruneRunProtos, USED_RUN_SERVICES } from "../../scripts/prune-run-protos.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const require = createRequire(import.meta.url);
const protobuf = require("protobufjs") as typeof import("protobufjs");
const full = require("@google-cloud/run/build/protos/protos.json");

describe("the Cloud Run descriptors bundled into dist/", () => {
  const pruned = protobuf.Root.fromJSON(pruneRunProtos(full, root));

  it("still resolve every method of the services echogate calls, LRO and IAM types included", () => {
    expect(() => pruned.resolveAll()).not.toThrow();
    for (const name of USED_RUN_SERVICES as string[]) {
      const service = pruned.lookupService(`google.cloud.run.v2.${name}`);
      const fullService = protobuf.Root.fromJSON(full).lookupService(`google.cloud.run.v2.${name}`);
      expect(service.methodsArray.map((m) => m.name)).toEqual(fullService.methodsArray.map((m) => m.name));
      for (const method of service.methodsArray) {
        method.resolve();
        expect(method.resolvedRequestType, `${name}.${method.name}`).toBeTruthy();
        expect(method.resolvedResponseType, `${name}.${method.name}`).toBeTruthy();
      }
    }
    expect(pruned.lookupType("google.cloud.run.v2.Service").fields.template).toBeDefined();
    expect(pruned.lookupType("google.longrunning.Operation")).toBeTruthy();
    expect(pruned.lookupType("google.iam.v1.Policy")).toBeTruthy();
  });

  it("leave out the services it never calls and the messages only they use", () => {
    expect(pruned.lookup("google.cloud.run.v2.Jobs")).toBeNull();
    expect(pruned.lookup("google.cloud.run.v2.Executions")).toBeNull();
    expect(pruned.lookup("google.cloud.run.v2.Job")).toBeNull();
    expect(JSON.stringify(pruneRunProtos(full, root)).length).toBeLessThan(JSON.stringify(full).length * 0.7);
  });
});
