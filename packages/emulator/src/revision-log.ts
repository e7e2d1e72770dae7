/**
 * A revision's log file holds one line per line its process printed, as Cloud Logging keeps one
 * entry per line: `<ISO timestamp> <stdout|stderr> <text>`. `echogate logs` reads it back
 * (platform/logs/emulator-logs.ts), so `--since` and `--follow` work as they do on Google.
 */
export function logLineWriter(
  stream: "stdout" | "stderr",
  write: (line: string) => void,
  now: () => Date = () => new Date(),
): { chunk(data: Buffer): void; flush(): void } {
  let partial = "";
  const emit = (text: string) => write(`${now().toISOString()} ${stream} ${text}\n`);
  return {
    chunk(data) {
      const lines = (partial + data.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) emit(line.replace(/\r$/, ""));
    },
    flush() {
      if (partial !== "") emit(partial);
      partial = "";
    },
  };
}
