import { httpRequest } from "@echogate/common/http-request";

const MAX_BODY_BYTES = 1024 * 1024;

interface HttpCall {
  method: string;
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface HttpAnswer {
  status: number;
  /** The JSON body; undefined when empty or not JSON. */
  json: unknown;
  text: string;
}

/** One request of a scenario: JSON in, JSON out, a connection of its own (nothing pooled outlives the gate). */
export async function callHttp(call: HttpCall, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer> {
  const answer = await httpRequest(call.url, {
    method: call.method,
    agent: false,
    headers: {
      accept: "application/json",
      connection: "close",
      "user-agent": "echogate-smoke",
      ...(call.body !== undefined ? { "content-type": "application/json" } : {}),
      ...call.headers,
    },
    ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
    timeoutMs,
    signal,
    maxBodyBytes: MAX_BODY_BYTES,
  });
  let json: unknown;
  try {
    json = answer.text === "" ? undefined : JSON.parse(answer.text);
  } catch {
    json = undefined;
  }
  return { status: answer.status, json, text: answer.text };
}
