import { gzipSync } from "node:zlib";

export interface TarFile {
  /** Path inside the image, forward slashes, no leading slash: `app/server.js`. */
  path: string;
  content: Buffer;
  mode: number;
}

const BLOCK = 512;

/**
 * An image layer as a POSIX (ustar + pax for long names) tar: entries sorted, every parent directory
 * listed, owner 0:0 and mtime 0, so the same files always give the same bytes and so the same
 * digest. The layer is gzipped with a zero header mtime (node's zlib), as registries expect.
 */
export function tarLayer(files: readonly TarFile[]): { tar: Buffer; gzip: Buffer } {
  const directories = new Set<string>();
  for (const file of files) {
    const parts = file.path.split("/");
    for (let i = 1; i < parts.length; i++) directories.add(`${parts.slice(0, i).join("/")}/`);
  }
  const entries = [
    ...[...directories].map((path) => ({ path, content: Buffer.alloc(0), mode: 0o755, type: "5" })),
    ...files.map((file) => ({ ...file, type: "0" })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    if (Buffer.byteLength(entry.path) > 100) blocks.push(...paxPath(entry.path));
    blocks.push(header(entry.path, entry.mode, entry.content.length, entry.type), padded(entry.content));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  const tar = Buffer.concat(blocks);
  return { tar, gzip: gzipSync(tar, { level: 9 }) };
}

function paxPath(path: string): Buffer[] {
  const record = (length: number) => `${length} path=${path}\n`;
  let length = Buffer.byteLength(record(0));
  while (Buffer.byteLength(record(length)) !== length) length = Buffer.byteLength(record(length));
  const body = Buffer.from(record(length));
  return [header("PaxHeader", 0o644, body.length, "x"), padded(body)];
}

function header(path: string, mode: number, size: number, type: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(truncateBytes(path, 100), 0, "utf8");
  block.write(octal(mode, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(size, 12), 124);
  block.write(octal(0, 12), 136);
  block.write("        ", 148);
  block.write(type, 156);
  block.write("ustar\u000000", 257, "binary");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, "binary");
  return block;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\u0000`;
}

function padded(content: Buffer): Buffer {
  const rest = content.length % BLOCK;
  return rest === 0 ? content : Buffer.concat([content, Buffer.alloc(BLOCK - rest)]);
}

function truncateBytes(text: string, max: number): string {
  let out = text;
  while (Buffer.byteLength(out) > max) out = out.slice(0, -1);
  return out;
}
