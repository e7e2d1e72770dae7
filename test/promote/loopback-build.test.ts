import { describe, expect, it } from "vitest";
import { instanceAddress } from "../../packages/emulator/src/instance-address.js";
import { useEmulatedProject } from "../helpers/emulated-project.js";
import { makeImage } from "../helpers/images.js";
import { fastSmoke } from "../helpers/project.js";

// A server that binds 127.0.0.1: fine on a laptop, never ready on Cloud Run (container contract:
// listen on 0.0.0.0 at $PORT; Cloud Run sets no HOST).
const LOOPBACK_SERVER = `const http = require("node:http");
const server = http.createServer((req, res) => res.end(JSON.stringify({ status: "ok", version: process.env.APP_VERSION })));
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;

const { enforced } = await instanceAddress();

const project = useEmulatedProject((files) => {
  fastSmoke(files);
  files["server.js"] = LOOPBACK_SERVER;
  files["package.json"] = JSON.stringify({
    name: "fixture",
    version: "0.1.0",
    private: true,
    scripts: { start: "node server.js" },
  });
});

describe("a build that listens on loopback only", () => {
  it("check warns at the listen call that Cloud Run needs 0.0.0.0", async () => {
    const run = await project.echogate("check", "--json");
    const { problems } = run.json<{
      problems: { severity: string; code: string; message: string; file: string; line: number }[];
    }>();
    expect(problems.filter((p) => p.code === "drift.listen-all-interfaces")).toEqual([
      expect.objectContaining({
        severity: "warning",
        file: "server.js",
        line: 3,
        message: expect.stringContaining("Cloud Run sends requests to 0.0.0.0 at $PORT"),
      }),
    ]);
  });

  it.skipIf(!enforced)(
    "deploy staging exits 1, naming 0.0.0.0",
    async () => {
      const image = await makeImage(project.dir, { version: "0.1.0+1234567", code: LOOPBACK_SERVER });
      const run = await project.echogate("deploy", "staging", "--image", image.digest, "--json");
      expect(run.exitCode, run.stderr).toBe(1);
      const { error } = run.json<{ error: { code: string; message: string } }>();
      expect(error.code).toBe("promote.gate-failed");
      expect(error.message).toMatch(/listens on 127\.0\.0\.1:\d+ \(loopback\) only/);
      expect(error.message).toContain("listen on 0.0.0.0 (all interfaces) at $PORT");
    },
    30_000,
  );
});
