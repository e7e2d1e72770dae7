import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { emulatorDirs, ensureEmulator } from "@echogate/emulator";
import { afterAll, describe, expect, it } from "vitest";
import { testdir } from "../helpers/testdir.js";

// A live daemon that answers its first probe late (past the probe's 2 s timeout), as on a loaded
// machine. Replacing it would start a second daemon that cannot take its ports, and the Hosting
// channels would come up on new origins that no deployed server allows.
const requests: string[] = [];
const slowFirst = createServer((req, res) => {
  requests.push(req.url ?? "");
  const reply = () => res.writeHead(200, { "content-type": "application/json" }).end("{}");
  if (requests.length === 1) setTimeout(reply, 2_500);
  else reply();
});
afterAll(() => new Promise<void>((resolve) => slowFirst.close(() => resolve())));

describe("ensureEmulator with a live daemon that is slow to answer", () => {
  it("waits for it and uses it, instead of starting a second daemon", async () => {
    await new Promise<void>((resolve) => slowFirst.listen(0, "127.0.0.1", resolve));
    const apiEndpoint = `http://127.0.0.1:${(slowFirst.address() as AddressInfo).port}`;
    const project = await testdir({});
    const { state } = emulatorDirs(project);
    await mkdir(state, { recursive: true });
    // The test process stands in for the daemon's pid: alive for the whole test.
    const info = { pid: process.pid, apiEndpoint, startedAt: new Date().toISOString() };
    await writeFile(join(state, "emulator.json"), JSON.stringify(info));

    const ensured = await ensureEmulator(project);

    expect(ensured).toMatchObject({ apiEndpoint, pid: process.pid, started: false });
    expect(requests.length).toBeGreaterThanOrEqual(2);
  }, 15_000);
});
