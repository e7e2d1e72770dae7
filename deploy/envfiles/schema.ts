import * as z from "zod";
import { environmentKinds } from "../config/environment-schema.js";
import { SERVICE_URL_PLACEHOLDER } from "./placeholders.js";

export const variableTypes = ["string", "url", "port", "int", "bool", "enum", "json"] as const;
export type VariableType = (typeof variableTypes)[number];

const scheme = z.string().regex(/^[a-z][a-z0-9+.-]*$/, "must be a URL scheme like wss or https");
const schemeList = z.array(scheme).min(1);

/** Allowed URL schemes per environment kind, with `default` for kinds not listed. */
const protocolsSchema = z.strictObject({
  ...Object.fromEntries(
    environmentKinds.map((kind) => [
      kind,
      schemeList.optional().describe(`URL schemes allowed in ${kind} environments.`),
    ]),
  ),
  default: schemeList.optional().describe("URL schemes allowed in environment kinds not listed."),
}) as z.ZodType<Partial<Record<(typeof environmentKinds)[number] | "default", string[]>>>;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that JavaScript objects give a meaning of their own: reading or writing them as keys misbehaves. */
const RESERVED_VARIABLE_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

const variableName = z
  .string()
  .regex(VARIABLE_NAME, "must be a valid variable name")
  .refine((name) => !RESERVED_VARIABLE_NAMES.has(name), "can't be __proto__, constructor or prototype");

export const variableSchema = z
  .strictObject({
    type: z
      .enum([...variableTypes, "boolean"])
      .transform((type): VariableType => (type === "boolean" ? "bool" : type))
      .default("string")
      .describe(
        "Value type: string (the default), url, port, int, bool (alias boolean; true/false/1/0), enum (see values) or json.",
      ),
    description: z.string().optional().describe("What the variable is for."),
    /** Defaults to true unless a `default` is given. */
    required: z
      .boolean()
      .optional()
      .describe("Must every env file set it? Default true, false when a default is given."),
    default: z
      .union([z.string(), z.number(), z.boolean()])
      .optional()
      .describe("Value used when an env file doesn't set it."),
    /** Allowed values for `type: enum`. */
    values: z.array(z.string().min(1)).min(1).optional().describe("Allowed values for type: enum."),
    /** Bounds for `type: int`. */
    min: z.number().int().optional().describe("Lowest value for type: int."),
    max: z.number().int().optional().describe("Highest value for type: int."),
    protocols: protocolsSchema
      .optional()
      .describe("Allowed URL schemes per environment kind, e.g. { local: [ws, wss], default: [wss] }."),
    /** Masked in every output. */
    secret: z.boolean().default(false).describe("Masked in every output; never copied by init."),
    /** Shipped to the browser (e.g. NEXT_PUBLIC_*): must never hold a credential. */
    public: z
      .boolean()
      .default(false)
      .describe("Shipped to the browser (NEXT_PUBLIC_*, VITE_*, REACT_APP_*): must never hold a credential."),
    /** Must equal the environment's name (e.g. BUILD_TARGET). */
    environmentName: z
      .boolean()
      .default(false)
      .describe("Must equal the environment's name (e.g. BUILD_TARGET)."),
    /** A URL of this environment's own realtime server. */
    realtimeServer: z
      .boolean()
      .default(false)
      .describe(
        `A URL of this environment's own realtime server: never another environment's; may be ${SERVICE_URL_PLACEHOLDER}.`,
      ),
    /** Comma-separated origins that must include this environment's web host. */
    corsOrigins: z
      .boolean()
      .default(false)
      .describe("Comma-separated origins that must include this environment's web host."),
    /** May be missing in some environments. */
    environmentSpecific: z
      .boolean()
      .default(false)
      .describe("May be missing in some environments' env files."),
    /** Must have the same value as another variable. */
    sameAs: z.string().optional().describe("Name of another variable this one must equal."),
    /** Environments allowed to point at one private backend (shared-backend rule), and why. */
    shared: z
      .strictObject({
        environments: z
          .array(z.string().min(1))
          .min(2)
          .describe("The environments that may use the same backend, e.g. [staging, production]."),
        reason: z
          .string()
          .trim()
          .min(1, "say why these environments may share one backend")
          .describe("Why sharing is safe (reported with every run)."),
      })
      .optional()
      .describe(
        "Lets these environments point this variable at the same private backend (Redis, database, queue); without it the shared-backend rule of check and drift refuses equal connection URLs.",
      ),
  })
  .superRefine((spec, ctx) => {
    if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max)
      ctx.addIssue({ code: "custom", path: ["min"], message: `must not be above max (${spec.max})` });
    // A default is committed to the repository in env.schema.yaml: a secret's value can't live there.
    if (spec.secret && spec.default !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["default"],
        message:
          "a secret can't have a default: env.schema.yaml is committed; set the value in each env file or Secret Manager",
      });
  });

export const envSchemaFileSchema = z.strictObject({
  version: z.literal(1).default(1).describe("File format version; 1."),
  variables: z.record(variableName, variableSchema).describe("Every variable an env file may set, by name."),
});

export type VariableSpec = z.infer<typeof variableSchema>;

export function isRequired(spec: VariableSpec): boolean {
  return spec.required ?? spec.default === undefined;
}
