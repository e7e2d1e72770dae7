// Upload bodies: raw bytes (what the Firebase CLI sends) or a multipart body (multipart/related
// as Google's media uploads send, or multipart/form-data), whose last part carries the content.

export function uploadedContent(contentType: string | undefined, raw: Buffer): Buffer {
  const match = /^multipart\/[a-z-]+\s*;.*boundary="?([^";]+)"?/i.exec(contentType ?? "");
  if (!match) return raw;
  const delimiter = Buffer.from(`--${match[1]}`);
  const parts: Buffer[] = [];
  let start = raw.indexOf(delimiter);
  while (start >= 0) {
    const from = start + delimiter.length;
    if (raw.subarray(from, from + 2).toString() === "--") break;
    const next = raw.indexOf(delimiter, from);
    if (next < 0) break;
    parts.push(raw.subarray(from, next));
    start = next;
  }
  const last = parts.at(-1);
  if (!last) return raw;
  const headerEnd = last.indexOf("\r\n\r\n");
  if (headerEnd < 0) return raw;
  // The part ends with the CRLF that precedes the next delimiter.
  const body = last.subarray(headerEnd + 4);
  return body.subarray(0, body.length >= 2 && body.subarray(-2).toString() === "\r\n" ? -2 : body.length);
}
