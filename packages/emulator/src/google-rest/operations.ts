// google.longrunning.Operation as the emulated APIs answer it: the emulators finish or fail each
// operation themselves; a client polls it (get) or waits on it (wait) until `done`.

export interface Operation {
  name: string;
  metadata?: Record<string, unknown>;
  done: boolean;
  error?: { code: number; message: string; details?: unknown[] };
  response?: Record<string, unknown>;
}

/**
 * An operation of a resource of type `typeUrl` (`type.googleapis.com/…`): metadata and response
 * carry their `@type`; a done operation has an error or a response, a running one neither.
 */
export function operationOf(
  name: string,
  typeUrl: string,
  state: {
    done: boolean;
    metadata?: Record<string, unknown> | undefined;
    error?: Operation["error"] | undefined;
    response?: Record<string, unknown> | undefined;
  },
): Operation {
  return {
    name,
    ...(state.metadata ? { metadata: { "@type": typeUrl, ...state.metadata } } : {}),
    done: state.done,
    ...(state.done && state.error ? { error: state.error } : {}),
    ...(state.done && !state.error ? { response: { "@type": typeUrl, ...(state.response ?? {}) } } : {}),
  };
}

/**
 * Operations.WaitOperation: the operation once done, or as it is when `timeout` (a Duration such
 * as `"30s"`; unset or longer: `maxMs`) runs out.
 */
export async function waitForOperation(
  read: () => Operation,
  timeout: unknown,
  maxMs: number,
): Promise<Operation> {
  const seconds = Number.parseFloat(String(timeout ?? "").replace(/s$/, ""));
  const deadline = Date.now() + Math.min(Number.isFinite(seconds) ? seconds * 1000 : maxMs, maxMs);
  let operation = read();
  while (!operation.done && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    operation = read();
  }
  return operation;
}
