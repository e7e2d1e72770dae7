import { httpRequest } from "@echogate/common/http-request";

const MAX_BODY_BYTES = 1024 * 1024;

interface HttpAnswer {
  status: number;
  statusText: string;
  contentType: string;
  body: string;
  /** `name=value` of each Set-Cookie (attributes dropped): what a client sends back. */
  cookies: string[];
}

/**
 * One GET of the smoke test, without connection reuse: a pooled keep-alive socket would outlive
 * the gate (an open handle) and could reach an instance a retry should avoid. Network failures
 * reject with core's HttpRequestError.
 */
export async function httpGet(
  url: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  cookie?: string,
  authorization?: string,
): Promise<HttpAnswer> {
  const answer = await httpRequest(url, {
    agent: false,
    headers: {
      accept: "application/json",
      "cache-control": "no-cache",
      connection: "close",
      "user-agent": "echogate-smoke",
      ...(cookie ? { cookie } : {}),
      ...(authorization ? { authorization } : {}),
    },
    timeoutMs,
    signal,
    maxBodyBytes: MAX_BODY_BYTES,
  });
  return {
    status: answer.status,
    statusText: answer.statusText,
    contentType: String(answer.headers["content-type"] ?? ""),
    body: answer.text,
    cookies: (answer.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!.trim()),
  };
}
