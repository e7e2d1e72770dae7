import { describe, expect, it } from "vitest";
import { promotionProject } from "../helpers/project.js";
import { runEchogate } from "../helpers/run-cli.js";

describe("echogate check and what deploy would refuse", () => {
  it("reports an invalid service name and several regions as config errors (exit 2), like deploy", async () => {
    const cwd = await promotionProject((files) => {
      files["environments/staging.yaml"] = files["environments/staging.yaml"]!.replace(
        "name: echogate-chat-staging",
        "name: Echogate_Staging",
      ).replace("regions: [us-central1]", "regions: [us-central1, europe-west1]");
    });
    const run = await runEchogate(["check"], { cwd });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /error\[cloudrun\.name-limit\] environments\/staging\.yaml:\d+:\d+ \(service\.name\)/,
    );
    expect(run.stderr).toMatch(
      /error\[config\.backplane-required\] environments\/staging\.yaml:\d+:\d+ \(service\.regions\)/,
    );
  });
});
