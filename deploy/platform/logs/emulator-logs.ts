import { type FileHandle, open, readdir } from "node:fs/promises";
import path from "node:path";
import { emulatorDirs } from "@echogate/emulator";
import type { LogEntry, LogQuery } from "./log-entry.js";

/** Where the emulator writes each revision's output: `<service>__<revision>.log`, one timestamped line per line. */
export function emulatorLogDir(projectDir: string): string {
  return emulatorDirs(projectDir).logs;
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (stdout|stderr) (.*)$/;

/** One line of a revision log (pure). Lines written before timestamps were added keep a null time. */
export function parseLogLine(line: string, revision: string): LogEntry {
  const match = LINE.exec(line);
  if (!match) return { timestamp: null, severity: "DEFAULT", revision, text: line };
  return {
    timestamp: match[1]!,
    severity: match[2] === "stderr" ? "ERROR" : "DEFAULT",
    revision,
    text: match[3]!,
  };
}

/** The log files of the query's service (one revision, or all), as `{ revision, file }`. */
async function logFiles(projectDir: string, query: LogQuery): Promise<{ revision: string; file: string }[]> {
  const dir = emulatorLogDir(projectDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const prefix = `${query.service}__`;
  return names
    .filter((name) => name.startsWith(prefix) && name.endsWith(".log"))
    .map((name) => ({ revision: name.slice(prefix.length, -".log".length), file: path.join(dir, name) }))
    .filter(({ revision }) => query.revision === undefined || revision === query.revision)
    .sort((a, b) => a.revision.localeCompare(b.revision));
}

function wanted(entry: LogEntry, since: Date | undefined): boolean {
  if (!since) return true;
  return entry.timestamp !== null && Date.parse(entry.timestamp) >= since.getTime();
}

/** Every entry so far, oldest first (revisions merged by time; untimed lines keep their file order). */
export async function readEmulatorLogs(projectDir: string, query: LogQuery): Promise<LogEntry[]> {
  return byTime(await readNew(projectDir, query, new Map()));
}

/**
 * Prints what `readEmulatorLogs` gives, then every line appended afterwards (new revisions' files
 * included) until `signal` aborts. Each file is read on from where the last read ended.
 */
export async function followEmulatorLogs(
  projectDir: string,
  query: LogQuery,
  onEntry: (entry: LogEntry) => void,
  signal: AbortSignal,
  intervalMs = 250,
): Promise<void> {
  const offsets = new Map<string, number>();
  for (const entry of byTime(await readNew(projectDir, query, offsets))) onEntry(entry);
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    if (signal.aborted) break;
    for (const entry of await readNew(projectDir, query, offsets)) onEntry(entry);
  }
}

/** The whole lines each file gained since `offsets` (updated), in file order. */
async function readNew(
  projectDir: string,
  query: LogQuery,
  offsets: Map<string, number>,
): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  for (const { revision, file } of await logFiles(projectDir, query)) {
    const handle = await open(file, "r").catch(() => undefined);
    if (!handle) continue;
    try {
      const { lines, end } = await readFrom(handle, offsets.get(file) ?? 0);
      offsets.set(file, end);
      for (const line of lines) {
        const entry = parseLogLine(line, revision);
        if (wanted(entry, query.since)) entries.push(entry);
      }
    } finally {
      await handle.close();
    }
  }
  return entries;
}

function byTime(entries: readonly LogEntry[]): LogEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry.timestamp ?? "").localeCompare(b.entry.timestamp ?? "") || a.index - b.index)
    .map(({ entry }) => entry);
}

/** Whole lines from `offset` on; a partial last line is left for the next read. */
async function readFrom(handle: FileHandle, offset: number): Promise<{ lines: string[]; end: number }> {
  const { size } = await handle.stat();
  const start = size < offset ? 0 : offset;
  if (size === start) return { lines: [], end: start };
  const buffer = Buffer.alloc(size - start);
  await handle.read(buffer, 0, buffer.length, start);
  const text = buffer.toString("utf8");
  const last = text.lastIndexOf("\n");
  if (last < 0) return { lines: [], end: start };
  return { lines: text.slice(0, last).split("\n"), end: start + Buffer.byteLength(text.slice(0, last + 1)) };
}
