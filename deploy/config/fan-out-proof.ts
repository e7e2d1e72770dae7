import type { SmokeSpec } from "./smoke-spec.js";

/**
 * With two clients, "every other client receives" is one receiver: a server whose fan-out stops
 * at two members passes. Proof needs echo.clients ≥ 3 or a scenario where three clients receive
 * (three expecting the same scenario's messages, or a burst to three receivers).
 */
export function fanOutWarning(spec: Pick<SmokeSpec, "echo" | "scenarios">): string | undefined {
  if (spec.echo.clients >= 3) return undefined;
  const proven = spec.scenarios.some((scenario) => {
    const receivers = new Set<string>();
    for (const step of scenario.steps) {
      if (step.expect) receivers.add(step.expect.client);
      if (step.burst && step.burst.receivers.length >= 3) return true;
    }
    return receivers.size >= 3;
  });
  if (proven) return undefined;
  return `fan-out is proven with ${spec.echo.clients} clients only (one receiver): a server that stops delivering at two members passes; set echo.clients: 3 or add a scenario where three clients receive`;
}
