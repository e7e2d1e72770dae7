import { UsageError } from "../core/errors.js";

/**
 * Demo/test-only faults baked into an image's env. `exclude-sender` is the
 * seeds' outage (socket.to instead of io.to): the gate must refuse such a build.
 */
export const FAULTS = { "exclude-sender": { ECHOGATE_FAULT: "exclude-sender" } } as const;
export type FaultName = keyof typeof FAULTS;

export function parseFault(value: string | undefined): FaultName | undefined {
  if (value === undefined) return undefined;
  if (Object.hasOwn(FAULTS, value)) return value as FaultName;
  throw new UsageError(`Unknown fault "${value}".`, {
    hint: `Known faults: ${Object.keys(FAULTS).join(", ")}.`,
  });
}
