import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { httpRequest } from "@echogate/common/http-request";
import { emulatorDirs } from "@echogate/emulator";
import type { HostingConfig } from "../../config/environment-schema.js";
import { EMULATOR_ENDPOINT_ENV } from "../cloudrun/target.js";
import { daemonStarter, type EnsureDaemon } from "../local-emulator.js";
import { FirebaseHostingAdapter } from "./firebase-adapter.js";

export interface HostingConnection {
  adapter: FirebaseHostingAdapter;
  /** Emulator only: the URL serving a channel (the real API puts it in channel.url). */
  channelUrl: (site: string, channel: string, fromApi: string | undefined) => string | undefined;
  close(): Promise<void>;
}

/** Written by the emulator daemon (@echogate/emulator) so commands can find its hosting API. */
export const EMULATOR_INFO_FILE = "emulator.json";

/**
 * `ECHOGATE_HOSTING_URL` points any provider at a hosting API without auth (tests, the
 * emulator); `firebase` uses Google credentials; `local` uses the project's emulator daemon
 * (started if needed, like Cloud Run's), so channel URLs outlive the command. With
 * `ECHOGATE_EMULATOR_ENDPOINT` set the caller runs its own emulators: then a hosting emulator
 * runs in-process for this command only (state persists in .echogate/hosting/).
 */
export async function connectHosting(
  projectDir: string,
  hosting: Pick<HostingConfig, "provider" | "site" | "channel" | "publicDir">,
  env: NodeJS.ProcessEnv,
  ensureDaemon: EnsureDaemon = daemonStarter(projectDir),
): Promise<HostingConnection> {
  const passThrough = (_site: string, _channel: string, fromApi: string | undefined) => fromApi;
  const override = env.ECHOGATE_HOSTING_URL;
  if (override)
    return {
      adapter: new FirebaseHostingAdapter({ baseUrl: override, auth: "none" }),
      channelUrl: passThrough,
      close: async () => {},
    };
  if (hosting.provider === "firebase")
    return {
      adapter: new FirebaseHostingAdapter({ auth: "google" }),
      channelUrl: passThrough,
      close: async () => {},
    };
  const dir = emulatorDirs(projectDir).hosting;
  const running =
    (await runningEmulator(dir)) ??
    (env[EMULATOR_ENDPOINT_ENV] ? undefined : (await ensureDaemon()).hostingEndpoint);
  if (running)
    return {
      adapter: new FirebaseHostingAdapter({ baseUrl: running, auth: "none" }),
      channelUrl: passThrough,
      close: async () => {},
    };
  // The in-process emulator (tests, a caller running its own Cloud Run emulator) loads only here.
  const { startHostingEmulator } = await import("@echogate/emulator");
  const cloudRunApi = env[EMULATOR_ENDPOINT_ENV];
  const emulator = await startHostingEmulator({ dir, ...(cloudRunApi ? { cloudRunApi } : {}) });
  return {
    adapter: new FirebaseHostingAdapter({ baseUrl: emulator.url, auth: "none" }),
    channelUrl: (site, channel, fromApi) => fromApi ?? emulator.channelUrl(site, channel),
    close: () => emulator.close(),
  };
}

/** The URL of the hosting emulator that answers for this state directory, if one does. */
export async function runningEmulator(dir: string): Promise<string | undefined> {
  try {
    const info = JSON.parse(await readFile(join(dir, EMULATOR_INFO_FILE), "utf8")) as { url?: string };
    if (!info.url) return undefined;
    // Any answer means it is up. Reading an operation creates nothing, even in an older daemon whose
    // channel reads created the site they named.
    await httpRequest(`${info.url}/v1beta1/projects/-/operations/echogate-liveness-probe`, {
      timeoutMs: 500,
    });
    return info.url;
  } catch {
    return undefined;
  }
}
