import { HttpRequestError } from "@echogate/common/http-request";
import { parseRuntimeConfig, RUNTIME_CONFIG_PATH } from "../../hosting/runtime-config.js";
import { httpGet } from "../../smoke/http-get.js";
import type { HealthFact, WebFact } from "../facts.js";

export const PROBE_TIMEOUT_MS = 2_000;

/** GET /health once; an unreachable service is a fact, never an exception. */
export async function probeHealth(
  baseUrl: string,
  path: string,
  versionField: string,
  signal: AbortSignal,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<HealthFact> {
  const url = `${baseUrl.replace(/\/$/, "")}${path}`;
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const answer = await httpGet(url, timeoutMs, signal);
    if (answer.status !== 200) {
      return {
        status: "error",
        url,
        httpStatus: answer.status,
        detail: `HTTP ${answer.status} ${answer.statusText}`.trim(),
        ms: ms(),
      };
    }
    const version = readField(answer.body, versionField);
    return {
      status: "ok",
      url,
      httpStatus: 200,
      ...(version !== undefined ? { version } : { detail: `no "${versionField}" field in the answer` }),
      ms: ms(),
    };
  } catch (error) {
    const detail = error instanceof HttpRequestError ? error.message : String(error);
    return { status: "unreachable", url, detail, ms: ms() };
  }
}

/** GET the web channel's runtime config; only its server URL is kept. */
export async function probeWebConfig(
  origin: string,
  signal: AbortSignal,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<WebFact> {
  const url = `${origin.replace(/\/$/, "")}${RUNTIME_CONFIG_PATH}`;
  try {
    const answer = await httpGet(url, timeoutMs, signal);
    if (answer.status !== 200) return { url, status: "error", detail: `HTTP ${answer.status}` };
    const config = parseRuntimeConfig(answer.body);
    if (!config) return { url, status: "error", detail: "not an echogate runtime config (no serverUrl)" };
    return { url, status: "ok", serverUrl: config.serverUrl };
  } catch (error) {
    return {
      url,
      status: "unreachable",
      detail: error instanceof HttpRequestError ? error.message : String(error),
    };
  }
}

function readField(body: string, path: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const part of path.split(".")) {
    if (!value || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
