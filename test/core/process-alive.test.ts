import { spawn } from "node:child_process";
import { processIsRunning } from "@echogate/common/process-alive";
import { describe, expect, it } from "vitest";

describe.runIf(process.platform === "linux")("processIsRunning", () => {
  it("is true for a running process and false for a zombie that still answers kill(pid, 0)", async () => {
    // sh starts `sleep 0` in the background, prints its pid, then becomes `sleep 3`, which never
    // reaps it: the pid stays a zombie for three seconds, like a kill -9'd daemon nobody reaped.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 3"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    try {
      const zombie = Number(
        await new Promise<string>((resolve) => parent.stdout.once("data", (chunk) => resolve(String(chunk)))),
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(processIsRunning(zombie)).toBe(false);
      expect(processIsRunning(parent.pid!)).toBe(true);
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("is false for a pid that does not exist", () => {
    expect(processIsRunning(2 ** 22 + 12345)).toBe(false);
  });
});
