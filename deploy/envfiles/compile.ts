import * as z from "zod";
import type { EnvironmentKind } from "../config/environment-schema.js";
import { isServiceUrlPlaceholder } from "./placeholders.js";
import type { VariableSpec } from "./schema.js";

/** The URL schemes a variable allows in an environment of this kind, or undefined for any. */
function allowedProtocols(spec: VariableSpec, kind: EnvironmentKind): string[] | undefined {
  return spec.protocols?.[kind] ?? spec.protocols?.default;
}

/**
 * Compiles one declared variable to a zod schema over the raw string value.
 * Without a kind, protocol lists are not applied (used for checking defaults).
 */
export function compileVariable(spec: VariableSpec, kind?: EnvironmentKind): z.ZodType<unknown, string> {
  // Every environment asks again for the same spec: the answer is kept per spec and kind, so the
  // shape's key below is computed once per variable, not once per value.
  let byKind = compiledFor.get(spec);
  if (!byKind) {
    byKind = new Map();
    compiledFor.set(spec, byKind);
  }
  let schema = byKind.get(kind);
  if (!schema) {
    schema = compileShape(spec, kind);
    byKind.set(kind, schema);
  }
  return schema;
}

const compiledFor = new WeakMap<VariableSpec, Map<EnvironmentKind | undefined, z.ZodType<unknown, string>>>();

function compileShape(spec: VariableSpec, kind: EnvironmentKind | undefined): z.ZodType<unknown, string> {
  // Building zod schemas costs more than running them, and 50 environments × 200 keys
  // share a handful of shapes: cache by the fields that shape the schema.
  const protocols = kind ? allowedProtocols(spec, kind) : undefined;
  const key = JSON.stringify([spec.type, spec.values, spec.min, spec.max, protocols, spec.realtimeServer]);
  let schema = compiled.get(key);
  if (!schema) {
    schema = build(spec, protocols);
    compiled.set(key, schema);
  }
  return schema;
}

const compiled = new Map<string, z.ZodType<unknown, string>>();

function build(spec: VariableSpec, protocols: string[] | undefined): z.ZodType<unknown, string> {
  switch (spec.type) {
    case "string":
      return z.string();
    case "url":
      return urlSchema(spec, protocols);
    case "port":
      return integerSchema("a port number (1-65535)", 1, 65535);
    case "int":
      return integerSchema("an integer", spec.min, spec.max);
    case "bool":
      return z
        .string()
        .refine((value) => ["true", "false", "1", "0"].includes(value), "expected true or false")
        .transform((value) => value === "true" || value === "1");
    case "enum": {
      const values = spec.values ?? [];
      return z.string().refine((value) => values.includes(value), `expected one of ${values.join(", ")}`);
    }
    case "json":
      return z.string().transform((value, ctx) => {
        try {
          return JSON.parse(value) as unknown;
        } catch {
          ctx.addIssue({ code: "custom", message: "expected valid JSON" });
          return z.NEVER;
        }
      });
  }
}

function integerSchema(
  what: string,
  min: number | undefined,
  max: number | undefined,
): z.ZodType<unknown, string> {
  return z.string().transform((value, ctx) => {
    const number = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number)) {
      ctx.addIssue({ code: "custom", message: `expected ${what}` });
      return z.NEVER;
    }
    if (min !== undefined && number < min)
      ctx.addIssue({ code: "custom", message: `expected ${what} >= ${min}` });
    else if (max !== undefined && number > max)
      ctx.addIssue({ code: "custom", message: `expected ${what} <= ${max}` });
    return number;
  });
}

function urlSchema(spec: VariableSpec, protocols: string[] | undefined): z.ZodType<unknown, string> {
  return z.string().superRefine((value, ctx) => {
    if (spec.realtimeServer && isServiceUrlPlaceholder(value)) return;
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (!url?.host) {
      ctx.addIssue({ code: "custom", message: "expected an absolute URL like wss://host/path" });
      return;
    }
    const scheme = url.protocol.slice(0, -1);
    if (protocols && !protocols.includes(scheme)) {
      ctx.addIssue({ code: "custom", message: `expected a ${protocols.join(" or ")} URL, not ${scheme}://` });
    }
  });
}
