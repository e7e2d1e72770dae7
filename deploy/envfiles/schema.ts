import { z } from "zod";
import { environmentKinds } from "../config/environment-schema.js";

export const variableTypes = ["string", "url", "port", "int", "bool", "enum", "json"] as const;
export type VariableType = (typeof variableTypes)[number];

const scheme = z.string().regex(/^[a-z][a-z0-9+.-]*$/, "must be a URL scheme like wss or https");
const schemeList = z.array(scheme).min(1);

/** Allowed URL schemes per environment kind, with `default` for kinds not listed. */
export const protocolsSchema = z.strictObject({
  ...Object.fromEntries(environmentKinds.map((kind) => [kind, schemeList.optional()])),
  default: schemeList.optional(),
}) as z.ZodType<Partial<Record<(typeof environmentKinds)[number] | "default", string[]>>>;

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that JavaScript objects give a meaning of their own: reading or writing them as keys misbehaves. */
export const RESERVED_VARIABLE_NAMES: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "prototype",
]);

const variableName = z
  .string()
  .regex(VARIABLE_NAME, "must be a valid variable name")
  .refine((name) => !RESERVED_VARIABLE_NAMES.has(name), "can't be __proto__, constructor or prototype");

export const variableSchema = z.strictObject({
  type: z.enum(variableTypes).default("string"),
  description: z.string().optional(),
  /** Defaults to true unless a `default` is given. */
  required: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** Allowed values for `type: enum`. */
  values: z.array(z.string().min(1)).min(1).optional(),
  /** Bounds for `type: int`. */
  min: z.number().int().optional(),
  max: z.number().int().optional(),
  protocols: protocolsSchema.optional(),
  /** Masked in every output. */
  secret: z.boolean().default(false),
  /** Shipped to the browser (e.g. NEXT_PUBLIC_*): must never hold a credential. */
  public: z.boolean().default(false),
  /** Must equal the environment's name (e.g. BUILD_TARGET). */
  environmentName: z.boolean().default(false),
  /** A URL of this environment's own realtime server. */
  realtimeServer: z.boolean().default(false),
  /** Comma-separated origins that must include this environment's web host. */
  corsOrigins: z.boolean().default(false),
  /** May be missing in some environments. */
  environmentSpecific: z.boolean().default(false),
  /** Must have the same value as another variable. */
  sameAs: z.string().optional(),
});

export const envSchemaFileSchema = z.strictObject({
  version: z.literal(1).default(1),
  variables: z.record(variableName, variableSchema),
});

export type VariableSpec = z.infer<typeof variableSchema>;
export type EnvSchemaFile = z.infer<typeof envSchemaFileSchema>;

export function isRequired(spec: VariableSpec): boolean {
  return spec.required ?? spec.default === undefined;
}
