import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HostingEmulator, type HostingEmulatorOptions, startHostingEmulator } from "@echogate/emulator";
import { type SiteFile, siteFile } from "../../deploy/hosting/site-files.js";
import { FirebaseHostingAdapter } from "../../deploy/platform/hosting/firebase-adapter.js";
import { createSites } from "../../deploy/platform/hosting/local-sites.js";
import { type RunningServer, startServer } from "../../server/src/start-server.js";
import { afterThisFile } from "../helpers/after-file.js";

/** Sites the tests deploy to; created first, as on Firebase (a write to another site is 404). */
export const TEST_SITES = [
  "s",
  "site-a",
  "staging",
  "production",
  "chat-staging",
  "chat-production",
  "chat-preview",
  "echogate-chat-staging",
  "echogate-chat-production",
  "echogate-chat-preview",
  "echogate-chat-local",
];

export async function hostingEmulator(
  options: Partial<HostingEmulatorOptions> & { sites?: readonly string[] } = {},
): Promise<{ emulator: HostingEmulator; adapter: FirebaseHostingAdapter; dir: string }> {
  const { sites = TEST_SITES, ...emulatorOptions } = options;
  const ownDir = emulatorOptions.dir === undefined;
  const dir = emulatorOptions.dir ?? (await mkdtemp(join(tmpdir(), "echogate-hosting-")));
  const emulator = await startHostingEmulator({ dir, ...emulatorOptions });
  afterThisFile(async () => {
    await emulator.close();
    // The folder this helper made is its own to remove; one passed in belongs to the caller.
    if (ownDir) await rm(dir, { recursive: true, force: true });
  });
  await createSites(
    emulator.url,
    sites.map((site) => ({ site, project: "demo" })),
  );
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
  afterThisFile(() => server.close());
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
