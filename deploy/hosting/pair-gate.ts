import { httpRequest } from "@echogate/common/http-request";
import type { BrowserGateConfig } from "../config/environment-schema.js";
import { type GateReport, ranCheck, type SmokeCheck } from "../smoke/result.js";
import { roundMs } from "../smoke/timing.js";
import { runBrowserGate } from "./browser-gate.js";
import type { PairSmoke } from "./pair-smoke.js";
import { parseRuntimeConfig, RUNTIME_CONFIG_PATH, type RuntimeConfig, sameServer } from "./runtime-config.js";

interface PairGateInput {
  /** Where the hosted front end is served (channel URL). */
  siteUrl: string;
  /** The environment's actual server; the hosted config must name exactly this one. */
  expectedServerUrl: string;
  /** Public variables that must also point at that server (env.schema.yaml `realtimeServer`). */
  realtimeKeys: readonly string[];
  /** The origin browsers will load the front end from; the echo smoke connects as that page would. */
  pageOrigin?: string;
  smoke: PairSmoke;
  /** The browser gate, when the environment asks for it: pages open `pageUrl`, served from siteUrl. */
  browser?: { gate: BrowserGateConfig; pageUrl: string; executablePath: string };
  signal?: AbortSignal;
}

export interface PairGateResult extends GateReport {
  config?: RuntimeConfig;
  /** Errors the browser gate's pages logged (console.error, uncaught exceptions). */
  consoleErrors?: string[];
}

/**
 * The pair gate: read `/echogate.json` from the hosted site (what a browser will read), check
 * that it names this environment's server, then run the echo smoke against the URL it names.
 */
export async function runPairGate(input: PairGateInput): Promise<PairGateResult> {
  const checks: SmokeCheck[] = [];
  const configUrl = `${input.siteUrl.replace(/\/$/, "")}${RUNTIME_CONFIG_PATH}`;
  const started = performance.now();
  const configCheck = (ok: boolean, detail: string) =>
    ranCheck("runtime config", ok, roundMs(performance.now() - started), detail);
  let text: string;
  try {
    const response = await httpRequest(configUrl, { ...(input.signal ? { signal: input.signal } : {}) });
    text = response.text;
    if (!response.ok) {
      checks.push(configCheck(false, `${configUrl} answered HTTP ${response.status}`));
      return { ok: false, checks };
    }
  } catch (error) {
    checks.push(configCheck(false, `${configUrl} is unreachable: ${(error as Error).message}`));
    return { ok: false, checks };
  }
  const config = parseRuntimeConfig(text);
  if (!config) {
    checks.push(configCheck(false, `${configUrl} is not a runtime config (needs environment and serverUrl)`));
    return { ok: false, checks };
  }
  checks.push(configCheck(true, `serverUrl ${config.serverUrl}`));
  const pointers = [
    { key: "serverUrl", value: config.serverUrl },
    ...input.realtimeKeys.flatMap((key) =>
      config.public[key] ? [{ key: `public.${key}`, value: config.public[key]! }] : [],
    ),
  ];
  for (const pointer of pointers) {
    const ok = sameServer(pointer.value, input.expectedServerUrl);
    checks.push(
      ranCheck(
        `${pointer.key} names this environment's server`,
        ok,
        0,
        ok ? pointer.value : `${pointer.value} is not ${input.expectedServerUrl}`,
      ),
    );
  }
  if (checks.some((check) => !check.ok)) return { ok: false, checks, config };
  const smoke = await input.smoke(config.serverUrl, input.signal, input.pageOrigin);
  checks.push(...smoke.checks.map((check) => ({ ...check, name: `smoke: ${check.name}` })));
  if (!input.browser) return { ok: smoke.ok, checks, config };
  if (!smoke.ok) {
    checks.push({
      name: "browser",
      ok: false,
      status: "skipped",
      ms: 0,
      detail: "skipped: the smoke failed",
    });
    return { ok: false, checks, config };
  }
  const browser = await runBrowserGate({
    pageUrl: input.browser.pageUrl,
    contentUrl: input.siteUrl,
    gate: input.browser.gate,
    executablePath: input.browser.executablePath,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  checks.push(...browser.checks);
  return { ok: browser.ok, checks, config, consoleErrors: browser.consoleErrors };
}
