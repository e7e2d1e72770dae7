/** echogate's local state: the image store, the emulators' state and logs. Never committed. */
const STATE_DIR = ".echogate/";

/**
 * Pure: `.gitignore` with echogate's state directory ignored, or undefined when it already is
 * (`.echogate`, `.echogate/`, `/.echogate/`, with or without a trailing `*`).
 */
export function gitignoreWithState(existing: string | undefined): string | undefined {
  const ignored = (existing ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .some((line) => /^\/?\.echogate\/?\*{0,2}$/.test(line));
  if (ignored) return undefined;
  if (!existing) return `${STATE_DIR}\n`;
  return `${existing}${existing.endsWith("\n") ? "" : "\n"}\n# echogate's local state (image store, emulators)\n${STATE_DIR}\n`;
}
