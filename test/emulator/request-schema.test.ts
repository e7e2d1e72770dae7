import { describe, expect, it } from "vitest";
import { checkFieldMask, checkMessage, runMessage } from "../../packages/emulator/src/request-schema.js";
import { applyFieldMask } from "../../packages/emulator/src/update-mask.js";

const service = runMessage("Service");

describe("request bodies against the google.cloud.run.v2 descriptors", () => {
  it("accepts snake_case names and enum numbers, answering camelCase and enum names (zero values dropped)", () => {
    const { value, violations } = checkMessage(
      service,
      {
        launch_stage: 3,
        ingress: "INGRESS_TRAFFIC_UNSPECIFIED",
        template: {
          service_account: "sa@p.iam",
          containers: [{ image: "i", ports: [{ container_port: 8080 }] }],
        },
        traffic: [{ type: 2, revision: "r", percent: 100 }],
      },
      "service",
    );
    expect(violations).toEqual([]);
    expect(value).toEqual({
      launchStage: "BETA",
      ingress: undefined,
      template: {
        serviceAccount: "sa@p.iam",
        containers: [{ image: "i", ports: [{ containerPort: 8080 }] }],
      },
      traffic: [{ type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", revision: "r", percent: 100 }],
    });
  });

  it("names every unknown field and bad value with its path, as Google's front end does", () => {
    const { violations } = checkMessage(
      service,
      {
        templat: {},
        labels: { ok: 5 },
        template: { containers: [{ image: "i", envv: [] }], scaling: "x" },
        traffic: { type: 1 },
      },
      "service",
    );
    expect(violations.map((v) => v.description)).toEqual([
      `Invalid JSON payload received. Unknown name "templat" at 'service': Cannot find field.`,
      `Invalid value at 'service.labels["ok"]' (string), 5`,
      `Invalid JSON payload received. Unknown name "envv" at 'service.template.containers[0]': Cannot find field.`,
      `Invalid value at 'service.template.scaling' (type.googleapis.com/google.cloud.run.v2.RevisionScaling), "x"`,
      `Invalid value at 'service.traffic': a list is expected.`,
    ]);
  });

  it("checks update-mask paths, walking into singular messages only", () => {
    expect(checkFieldMask(service, ["template.containers", "labels", "invoker_iam_disabled"])).toEqual({
      paths: [["template", "containers"], ["labels"], ["invokerIamDisabled"]],
      unknown: [],
    });
    expect(checkFieldMask(service, ["templat", "template.containers.image", "labels.x"]).unknown).toEqual([
      "templat",
      "template.containers.image",
      "labels.x",
    ]);
  });

  it("applies a nested mask: the named field only, cleared when the request leaves it out", () => {
    const current = { labels: { a: "1" }, template: { timeout: "60s", containers: [{ image: "old" }] } };
    const merged = applyFieldMask(current, { template: { containers: [{ image: "new" }] } }, [
      ["template", "containers"],
      ["labels"],
    ]);
    expect(merged).toEqual({ template: { timeout: "60s", containers: [{ image: "new" }] } });
    expect(current.template.containers[0]!.image).toBe("old");
  });
});
