import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runEchogate } from "../helpers/run-cli.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));

describe("this repo's environments/", () => {
  it("passes echogate check with no warnings", async () => {
    const run = await runEchogate(["check"], { cwd: repo });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
  });

  it("has the four environments, realtime URLs as ${SERVICE_URL}, secrets masked", async () => {
    const run = await runEchogate(["check", "--json"], { cwd: repo });
    const json = run.json<{
      environments: { name: string }[];
      matrix: Record<string, Record<string, string | null>>;
    }>();
    expect(json.environments.map((e) => e.name)).toEqual(["local", "preview", "staging", "production"]);
    expect(Object.values(json.matrix.NEXT_PUBLIC_SIGNALING_SERVER!)).toEqual(Array(4).fill("${SERVICE_URL}"));
    expect(Object.values(json.matrix.SESSION_SECRET!)).toEqual(Array(4).fill("***"));
    expect(json.matrix.BUILD_TARGET).toEqual({
      local: "local",
      preview: "preview",
      staging: "staging",
      production: "production",
    });
  });
});
