import type http from "node:http";
import { ApiError } from "./api-error.js";

/** A request's JSON body as Google's REST front ends read it: empty is `{}`, malformed is a 400. */
export async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiError("INVALID_ARGUMENT", "Invalid JSON payload received.");
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
