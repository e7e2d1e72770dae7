import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEchogate } from "../helpers/run-cli.js";
import { startSocketIoChat } from "../smoke/helpers.js";
import { getText, hostingEmulator } from "./fixtures.js";
import { hostingProject } from "./project.js";

/** Staging's smoke: the page's Socket.IO client, long-polling first as the library's default does. */
const SOCKET_IO_SMOKE = [
  "  echo:",
  "    protocol: socket.io",
  "    transports: [polling, websocket]",
  "    timeoutMs: 1500",
  '    join: { event: join-room, payload: { roomId: "{{room}}", peerId: "{{client}}" }, waitFor: { event: room-peers } }',
  '    send: { event: chat-message, payload: { roomId: "{{room}}", message: { id: "{{nonce}}", content: "smoke {{nonce}}" } } }',
  '    expect: { event: chat-message, match: { id: "{{nonce}}" } }',
].join("\n");

async function socketIoProject(): Promise<string> {
  const cwd = await hostingProject();
  const yaml = join(cwd, "environments", "staging.yaml");
  const text = await readFile(yaml, "utf8");
  await writeFile(yaml, text.replace("  echo:\n    timeoutMs: 1500", SOCKET_IO_SMOKE));
  return cwd;
}

describe("the pair gate judges the server's CORS from the site's origin, as a browser there would", () => {
  it("refuses a Socket.IO server whose polling answers leave the site out, naming origin and header; passes it with CORS right", async () => {
    const { emulator } = await hostingEmulator();
    const cwd = await socketIoProject();
    const env = { ECHOGATE_HOSTING_URL: emulator.url };
    const closed = await startSocketIoChat({ includeSender: true });
    let siteOrigin: string;
    try {
      const run = await runEchogate(["web", "deploy", "staging", "--server-url", closed.url], { cwd, env });
      expect(run.exitCode, run.stdout + run.stderr).toBe(1);
      // The page is served from the live channel; the gate ran on a side channel but connected as the page.
      siteOrigin = new URL(emulator.channelUrl("chat-staging", "live")!).origin;
      expect(run.stderr).toContain("The pair gate refused the staging front end");
      expect(run.stderr).toContain(
        `smoke: cors: a browser on ${siteOrigin} can't use the server's polling transport: the handshake GET`,
      );
      expect(run.stderr).toContain("no Access-Control-Allow-Origin");
      // Nothing reached the site's users.
      expect((await getText(`${emulator.channelUrl("chat-staging", "live")}/app.js`)).status).toBe(404);
    } finally {
      await closed.close();
    }

    const open = await startSocketIoChat({ includeSender: true, corsOrigins: [siteOrigin] });
    try {
      const run = await runEchogate(["web", "deploy", "staging", "--server-url", open.url, "--json"], {
        cwd,
        env,
      });
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
      const { gate } = run.json<{ gate: { checks: { name: string; ok: boolean; detail: string }[] } }>();
      expect(gate.checks.find((check) => check.name === "smoke: cors")).toMatchObject({
        ok: true,
        detail: `polling GET and POST allow ${siteOrigin} (Access-Control-Allow-Origin: ${siteOrigin})`,
      });
      const config = JSON.parse(
        (await getText(`${emulator.channelUrl("chat-staging", "live")}/echogate.json`)).text,
      );
      expect(config.protocol).toBe("socket.io");
    } finally {
      await open.close();
    }
  });

  it("names the protocol the server speaks in /echogate.json when it comes from environments/smoke.yaml", async () => {
    const { emulator } = await hostingEmulator();
    const cwd = await hostingProject();
    const yaml = join(cwd, "environments", "staging.yaml");
    const text = await readFile(yaml, "utf8");
    await writeFile(yaml, text.replace("smoke:\n  echo:\n    timeoutMs: 1500\n", ""));
    await writeFile(join(cwd, "environments", "smoke.yaml"), `${SOCKET_IO_SMOKE.replace(/^ {2}/gm, "")}\n`);
    const server = await startSocketIoChat({ includeSender: true });
    try {
      const run = await runEchogate(["web", "deploy", "staging", "--server-url", server.url], {
        cwd,
        env: { ECHOGATE_HOSTING_URL: emulator.url },
      });
      // The site's origin is left out of the server's CORS: refused, but the gate channel has the config.
      expect(run.exitCode, run.stdout + run.stderr).toBe(1);
      expect(run.stderr).toContain("smoke: cors:");
      const config = JSON.parse(
        (await getText(`${emulator.channelUrl("chat-staging", "gate-staging")}/echogate.json`)).text,
      );
      expect(config.protocol).toBe("socket.io");
    } finally {
      await server.close();
    }
  });
});
