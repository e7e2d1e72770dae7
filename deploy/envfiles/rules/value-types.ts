import type * as z from "zod";
import type { Diagnostic } from "../../core/diagnostics.js";
import { compileVariable } from "../compile.js";
import { isRequired } from "../schema.js";
import { isSecretReference, parseSecretReference, SECRET_REFERENCE_PREFIX } from "../secret-reference.js";
import { diagnostic, entryLocation, quoteValue, type Rule, withEnvFiles } from "./types.js";

/** Every value matches its declared type, enum, protocols; required keys are present; no undeclared keys. */
export const valueTypes: Rule = {
  name: "value-types",
  check(ctx) {
    const problems: Diagnostic[] = [];
    const schemaFile = ctx.schema.file;
    const invalidReason = memoizedValidation();
    for (const { environment, envFile } of withEnvFiles(ctx)) {
      for (const [key, entry] of envFile.entries) {
        const spec = ctx.schema.variables.get(key);
        if (!spec) {
          problems.push(
            diagnostic(
              "value-types.undeclared",
              `Can't use ${key}: it isn't declared in ${schemaFile}.`,
              entryLocation(envFile, key),
              `Declare ${key} under variables: in ${schemaFile}, or remove the line.`,
            ),
          );
          continue;
        }
        if (isSecretReference(entry.value)) {
          problems.push(...secretReferenceProblems(key, spec.secret, entry.value, envFile));
          continue;
        }
        if (entry.value === "") {
          if (isRequired(spec)) {
            problems.push(
              diagnostic(
                "value-types.empty",
                `Can't leave ${key} empty in ${environment.name}: it is required.`,
                entryLocation(envFile, key),
                `Give ${key} a value${spec.description ? ` (${spec.description})` : ""}.`,
              ),
            );
          }
          continue;
        }
        // Any text is a valid string; skipping zod for it keeps 50×200 checks fast.
        if (spec.type === "string") continue;
        const reason = invalidReason(compileVariable(spec, environment.kind), entry.value);
        if (reason !== undefined) {
          const shown = spec.secret ? `${key} (secret, value hidden)` : `${key}=${quoteValue(entry.value)}`;
          problems.push(
            diagnostic(
              "value-types.invalid",
              `Can't use ${shown} in ${environment.name}: ${reason}.`,
              entryLocation(envFile, key),
              `Fix the value; ${key} is declared as ${spec.type} at ${schemaFile}:${ctx.schema.locate(key).line ?? "?"}.`,
            ),
          );
        }
      }
      for (const [key, spec] of ctx.schema.variables) {
        if (!envFile.complete || envFile.entries.has(key) || !isRequired(spec) || spec.environmentSpecific)
          continue;
        problems.push(
          diagnostic(
            "value-types.missing",
            `Can't find required ${key} in ${envFile.file} (${environment.name}).`,
            { file: envFile.file, keyPath: key },
            `Add ${key}=… to ${envFile.file}${spec.description ? ` (${spec.description})` : ""}.`,
          ),
        );
      }
    }
    return problems;
  },
};

/** A Secret Manager reference: only in a secret variable, and well-formed (its value is checked where it lives). */
function secretReferenceProblems(
  key: string,
  secret: boolean,
  value: string,
  envFile: Parameters<typeof entryLocation>[0],
): Diagnostic[] {
  if (!secret) {
    return [
      diagnostic(
        "value-types.secret-reference",
        `Can't read ${key} from Secret Manager: only variables marked \`secret: true\` are.`,
        entryLocation(envFile, key),
        `Mark ${key} \`secret: true\` in the env schema, or write its value.`,
      ),
    ];
  }
  if (parseSecretReference(value)) return [];
  return [
    diagnostic(
      "value-types.secret-reference",
      `Can't read the Secret Manager reference in ${key}: write ${SECRET_REFERENCE_PREFIX}<id>[:<version>] or ${SECRET_REFERENCE_PREFIX}projects/<project>/secrets/<id>[:<version>].`,
      entryLocation(envFile, key),
      "The id uses letters, digits, - and _; the version is a number or latest.",
    ),
  ];
}

/**
 * Validates a value against a compiled schema, remembering the verdict: environments mostly share
 * values (the same port, enum or flag in 50 files), and zod's parse is the rule's main cost.
 */
function memoizedValidation(): (schema: z.ZodType<unknown, string>, value: string) => string | undefined {
  const verdicts = new Map<z.ZodType<unknown, string>, Map<string, string | undefined>>();
  return (schema, value) => {
    let bySchema = verdicts.get(schema);
    if (!bySchema) {
      bySchema = new Map();
      verdicts.set(schema, bySchema);
    }
    if (bySchema.has(value)) return bySchema.get(value);
    const result = schema.safeParse(value);
    const reason = result.success ? undefined : result.error.issues.map((issue) => issue.message).join("; ");
    bySchema.set(value, reason);
    return reason;
  };
}
