/** One message of a burst as a receiver got it: which of the count it is, and its order field. */
export interface BurstArrival {
  index: number;
  /** The value at order.field, when the burst orders by a field. */
  field?: unknown;
}

interface BurstVerdict {
  ok: boolean;
  /** Indexes never received. */
  missing: number[];
  /** Indexes received more than once. */
  duplicated: number[];
  /** The first message out of order and the one it came after. */
  outOfOrder?: { index: number; after: number; byField?: { value: unknown; previous: unknown } };
}

/**
 * Did one receiver get every message exactly once, in order? `arrival`: in the order sent;
 * `field`: the field's numbers increase message by message; `none`: any order.
 */
export function analyzeBurst(
  arrivals: readonly BurstArrival[],
  count: number,
  order: "arrival" | "none" | "field",
): BurstVerdict {
  const seen = new Map<number, number>();
  for (const arrival of arrivals) seen.set(arrival.index, (seen.get(arrival.index) ?? 0) + 1);
  const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !seen.has(index));
  const duplicated = [...seen].filter(([, times]) => times > 1).map(([index]) => index);
  duplicated.sort((a, b) => a - b);
  const firsts = arrivals.filter(
    (arrival, at) => arrivals.findIndex((a) => a.index === arrival.index) === at,
  );
  let outOfOrder: BurstVerdict["outOfOrder"];
  for (let at = 1; at < firsts.length && order !== "none" && !outOfOrder; at++) {
    const previous = firsts[at - 1]!;
    const current = firsts[at]!;
    if (order === "arrival" && current.index < previous.index)
      outOfOrder = { index: current.index, after: previous.index };
    if (order === "field") {
      const increasing =
        typeof current.field === "number" &&
        typeof previous.field === "number" &&
        current.field > previous.field;
      if (!increasing)
        outOfOrder = {
          index: current.index,
          after: previous.index,
          byField: { value: current.field, previous: previous.field },
        };
    }
  }
  return {
    ok: missing.length === 0 && duplicated.length === 0 && outOfOrder === undefined,
    missing,
    duplicated,
    ...(outOfOrder ? { outOfOrder } : {}),
  };
}

/** `carol got 18 of 20: missing m7, m12`, `out of order: m5 after m6`, … in one sentence. */
export function describeBurst(
  receiver: string,
  verdict: BurstVerdict,
  count: number,
  label: (index: number) => string,
  orderField?: string,
): string {
  const list = (indexes: number[]) =>
    indexes.length > 8
      ? `${indexes.slice(0, 8).map(label).join(", ")} and ${indexes.length - 8} more`
      : indexes.map(label).join(", ");
  const parts: string[] = [];
  const distinct = count - verdict.missing.length;
  if (verdict.missing.length > 0)
    parts.push(
      distinct === 0
        ? `${receiver} got none of the ${count}`
        : `${receiver} got ${distinct} of ${count}: missing ${list(verdict.missing)}`,
    );
  if (verdict.duplicated.length > 0)
    parts.push(`${parts.length ? "and" : receiver} got ${list(verdict.duplicated)} more than once`);
  if (verdict.outOfOrder) {
    const { index, after, byField } = verdict.outOfOrder;
    const field = byField
      ? ` (${orderField} ${JSON.stringify(byField.value) ?? "missing"} after ${JSON.stringify(byField.previous) ?? "missing"})`
      : "";
    parts.push(
      `${parts.length ? "and" : receiver} got them out of order at ${label(index)} after ${label(after)}${field}`,
    );
  }
  return parts.join(" ");
}
