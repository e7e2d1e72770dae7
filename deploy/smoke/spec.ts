import { z } from "zod";

// Placeholder until the smoke gate lands: the `smoke:` section is accepted as-is.
export const smokeSpecSchema = z.unknown();
