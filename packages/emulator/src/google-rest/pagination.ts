import { invalidArgument } from "./api-error.js";

/** A query parameter by its JSON name (`pageSize`) or its proto field name (`page_size`): Google binds both. */
export function queryParam(query: URLSearchParams, camel: string): string | undefined {
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return query.get(camel) ?? query.get(snake) ?? undefined;
}

/**
 * One page of a List method (AIP-158): `pageSize` (unset or 0: `defaultSize`, capped at `maxSize`)
 * items from the opaque `pageToken`, and `next` to spread into the response: the next page's token
 * when there is one.
 */
export function pageOf<T>(
  items: readonly T[],
  query: URLSearchParams,
  sizes: { defaultSize: number; maxSize?: number },
): { items: T[]; next: { nextPageToken?: string } } {
  const requested = Number(queryParam(query, "pageSize") ?? 0);
  if (!Number.isInteger(requested) || requested < 0)
    throw invalidArgument([
      { field: "page_size", description: `page_size must be a non-negative integer (got ${requested}).` },
    ]);
  const token = queryParam(query, "pageToken") ?? "";
  const start = token ? Number(Buffer.from(token, "base64url").toString("utf8")) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw invalidArgument([{ field: "page_token", description: `Invalid page token '${token}'.` }]);
  const size = Math.min(requested || sizes.defaultSize, sizes.maxSize ?? Number.POSITIVE_INFINITY);
  const next =
    start + size < items.length ? Buffer.from(String(start + size)).toString("base64url") : undefined;
  return { items: items.slice(start, start + size), next: next ? { nextPageToken: next } : {} };
}
