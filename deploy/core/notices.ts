/**
 * Things a library step did on the user's behalf that they should hear about, such as starting
 * the emulator daemon that outlives the command. The CLI prints them; other callers may listen.
 */
type Listener = (message: string) => void;

const listeners = new Set<Listener>();

export function onNotice(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notice(message: string): void {
  for (const listener of listeners) listener(message);
}
