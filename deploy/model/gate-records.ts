// Gate results live on the service itself (Cloud Run revisions are immutable): one annotation
// holding the last few results as JSON, written in the same update that moves traffic.

export const GATES_ANNOTATION = "echogate.dev/gates";
export const MAX_GATE_RECORDS = 20;

export type GateResult = "passed" | "failed";

export interface GateRecord {
  revision: string;
  version: string;
  digest: string;
  result: GateResult;
  /** ISO time the gate finished. */
  at: string;
  /** Where it failed or passed last: the tag URL before traffic, the service URL after. */
  stage?: "start" | "candidate" | "service";
  /** Set when traffic was later taken away from this revision by a rollback. */
  rolledBackAt?: string;
  /** The spec's scenarios as the last gate ran them (absent when the spec has none). */
  scenarios?: Array<{ name: string; ok: boolean }>;
}

export function readGateRecords(annotations: Readonly<Record<string, string>>): GateRecord[] {
  const raw = annotations[GATES_ANNOTATION];
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(isGateRecord);
  } catch {
    return [];
  }
}

function isGateRecord(value: unknown): value is GateRecord {
  const v = value as Partial<GateRecord> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.revision === "string" &&
    typeof v.version === "string" &&
    typeof v.digest === "string" &&
    (v.result === "passed" || v.result === "failed") &&
    typeof v.at === "string"
  );
}

/** Adds or replaces the record of one revision, newest last, capped. */
export function withGateRecord(records: readonly GateRecord[], record: GateRecord): GateRecord[] {
  const rest = records.filter((r) => r.revision !== record.revision);
  return [...rest, record].slice(-MAX_GATE_RECORDS);
}

export function writeGateRecords(annotations: Record<string, string>, records: readonly GateRecord[]): void {
  annotations[GATES_ANNOTATION] = JSON.stringify(records);
}

export function gateOf(records: readonly GateRecord[], revision: string | undefined): GateRecord | undefined {
  if (!revision) return undefined;
  for (let i = records.length - 1; i >= 0; i--) if (records[i]!.revision === revision) return records[i];
  return undefined;
}

export function hasPassed(records: readonly GateRecord[], revision: string | undefined): boolean {
  return gateOf(records, revision)?.result === "passed";
}

/**
 * The revision to go back to from `current`: the newest passed record older than current's own
 * record, skipping revisions that were rolled back from and those the service no longer has.
 */
export function previousPassed(
  records: readonly GateRecord[],
  current: string | undefined,
  existing: ReadonlySet<string>,
): GateRecord | undefined {
  const own = current ? records.findIndex((r) => r.revision === current) : -1;
  const end = own >= 0 ? own : records.length;
  for (let i = end - 1; i >= 0; i--) {
    const record = records[i]!;
    if (
      record.result === "passed" &&
      !record.rolledBackAt &&
      record.revision !== current &&
      existing.has(record.revision)
    ) {
      return record;
    }
  }
  return undefined;
}
