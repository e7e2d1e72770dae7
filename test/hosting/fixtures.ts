import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import {
  type HostingEmulator,
  type HostingEmulatorOptions,
  startHostingEmulator,
} from "../../deploy/hosting/emulator/start-hosting-emulator.js";
import { FirebaseHostingAdapter } from "../../deploy/hosting/firebase-adapter.js";
import { type SiteFile, siteFile } from "../../deploy/hosting/site-files.js";
import { type RunningServer, startServer } from "../../server/src/start-server.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
});

export async function hostingEmulator(
  options: Partial<HostingEmulatorOptions> = {},
): Promise<{ emulator: HostingEmulator; adapter: FirebaseHostingAdapter; dir: string }> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "echogate-hosting-")));
  const emulator = await startHostingEmulator({ dir, ...options });
  cleanups.push(() => emulator.close());
  return { emulator, adapter: new FirebaseHostingAdapter({ baseUrl: emulator.url, auth: "none" }), dir };
}

/** The reference realtime server on 127.0.0.1:0; `fault` makes it skip the sender's echo. */
export async function realtimeServer(options: { fault?: boolean } = {}): Promise<RunningServer> {
  const server = await startServer({
    port: 0,
    host: "127.0.0.1",
    env: { ...(options.fault ? { ECHOGATE_FAULT: "exclude-sender" } : {}), SHUTDOWN_TIMEOUT_MS: "0" },
    logger: { log: () => {} },
  });
  cleanups.push(() => server.close());
  return server;
}

export function files(count: number, salt = ""): SiteFile[] {
  return Array.from({ length: count }, (_, i) =>
    siteFile(`/assets/file-${i}.js`, Buffer.from(`console.log(${i}${salt ? `, "${salt}"` : ""});\n`)),
  );
}

export async function getText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}
