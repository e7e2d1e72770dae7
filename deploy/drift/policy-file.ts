import * as z from "zod";
import { ENVIRONMENTS_DIR } from "../config/load-environments.js";
import { loadYamlFile, parseYamlFile, type YamlFile } from "../config/yaml-file.js";
import { Diagnostics } from "../core/diagnostics.js";
import { defaultRules } from "./default-rules.js";
import type { DriftPolicy, RuleOverride, RuleSpec } from "./rules.js";

const DRIFT_FILE = "drift.yaml";

const REASON_MESSAGE = "every override needs a reason: say why this repo differs";
const reason = z.string({ error: REASON_MESSAGE }).trim().min(1, REASON_MESSAGE);
const names = z.array(z.string().min(1)).min(1);

const overrideSchema = z.strictObject({
  severity: z
    .enum(["error", "warning", "off"])
    .optional()
    .describe("The rule's severity here: error, warning or off."),
  environments: names.optional().describe("Apply the rule to these environments only."),
  /** Env keys the env-keys rules leave out. */
  ignore: names.optional().describe("Env keys the env-keys rules leave out."),
  /** For websocket-timeout: the minimum request timeout in seconds. */
  min: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .optional()
    .describe("websocket-timeout: the minimum request timeout in seconds."),
  /** For broadcast-adapter: env keys that show a broadcast adapter is configured. */
  envKeys: names
    .optional()
    .describe("broadcast-adapter: env keys that show a broadcast adapter is configured."),
  reason: reason.describe("Why this repository differs from the default (required)."),
});

export const driftFileSchema = z.strictObject({
  version: z.literal(1).default(1).describe("File format version; 1."),
  rules: z
    .record(z.string(), overrideSchema)
    .default({})
    .describe("Overrides by rule id (`echogate drift --help` lists the rules)."),
  /** Facts a repo states because they can't be seen from outside the code. */
  broadcast: z
    .strictObject({
      adapter: z.string().min(1).describe("The broadcast adapter the server uses, e.g. redis."),
      environments: names.optional().describe("Environments where it is configured; default all."),
      reason: reason.describe("How you know (drift can't see it from outside the code)."),
    })
    .optional()
    .describe("A fact drift can't see: the server broadcasts through a shared adapter."),
});

interface LoadedPolicy {
  policy: DriftPolicy;
  diagnostics: Diagnostics;
}

/** Parses environments/drift.yaml text against the rules it may override; pure. */
export function parseDriftPolicy(
  file: string,
  text: string,
  rules: readonly RuleSpec[] = defaultRules,
  environmentNames?: readonly string[],
): LoadedPolicy {
  return driftPolicyOf(parseYamlFile(file, text, driftFileSchema), rules, environmentNames);
}

/** The policy a read drift.yaml states, checked against the rules and environments it names. */
function driftPolicyOf(
  source: YamlFile<z.output<typeof driftFileSchema>>,
  rules: readonly RuleSpec[],
  environmentNames: readonly string[] | undefined,
): LoadedPolicy {
  const { file } = source;
  const diagnostics = new Diagnostics();
  const empty: DriftPolicy = { overrides: [], broadcast: undefined, file };
  const known = new Map(rules.map((rule) => [rule.id, rule]));
  // Checked on the raw value too, so a typo in a rule name shows up with the schema's errors.
  const rawRules = (source.raw as { rules?: unknown } | null | undefined)?.rules;
  for (const id of rawRules && typeof rawRules === "object" ? Object.keys(rawRules) : []) {
    if (known.has(id)) continue;
    diagnostics.error(
      "drift.unknown-rule",
      `Unknown drift rule "${id}".`,
      source.locate(["rules", id], { key: true }),
      `Known rules: ${[...known.keys()].join(", ")}.`,
    );
  }
  diagnostics.add(...source.diagnostics.items);
  if (!source.value) return { policy: empty, diagnostics };
  const data = source.value;
  const overrides: RuleOverride[] = [];
  for (const [id, override] of Object.entries(data.rules)) {
    const rule = known.get(id);
    if (!rule) continue;
    if (override.min !== undefined && rule.kind !== "min-timeout") {
      diagnostics.error(
        "drift.invalid-override",
        `Rule "${id}" takes no \`min\`.`,
        source.locate(["rules", id, "min"], { key: true }),
      );
    }
    if (override.envKeys && rule.kind !== "broadcast-adapter") {
      diagnostics.error(
        "drift.invalid-override",
        `Rule "${id}" takes no \`envKeys\`.`,
        source.locate(["rules", id, "envKeys"], { key: true }),
      );
    }
    if (
      override.ignore &&
      !(rule.kind === "env-file-keys-equal" || (rule.kind === "equal" && rule.fact.startsWith("env.")))
    ) {
      diagnostics.error(
        "drift.invalid-override",
        `Rule "${id}" compares no env keys, so \`ignore\` does not apply.`,
        source.locate(["rules", id, "ignore"], { key: true }),
      );
    }
    checkEnvironments(override.environments, ["rules", id, "environments"]);
    overrides.push({
      rule: id,
      ...(override.severity ? { severity: override.severity } : {}),
      ...(override.environments ? { environments: override.environments } : {}),
      ...(override.ignore ? { ignore: override.ignore } : {}),
      ...(override.min !== undefined ? { min: override.min } : {}),
      ...(override.envKeys ? { envKeys: override.envKeys } : {}),
      reason: override.reason,
      location: source.locate(["rules", id], { key: true }),
    });
  }
  const broadcast = data.broadcast;
  if (broadcast) checkEnvironments(broadcast.environments, ["broadcast", "environments"]);
  return {
    policy: {
      overrides,
      broadcast: broadcast
        ? {
            adapter: broadcast.adapter,
            ...(broadcast.environments ? { environments: broadcast.environments } : {}),
            reason: broadcast.reason,
            location: source.locate(["broadcast"], { key: true }),
          }
        : undefined,
      file,
    },
    diagnostics,
  };

  function checkEnvironments(list: readonly string[] | undefined, path: (string | number)[]): void {
    if (!list || !environmentNames) return;
    list.forEach((name, index) => {
      if (!environmentNames.includes(name)) {
        diagnostics.error(
          "drift.unknown-environment",
          `"${name}" is not an environment (${environmentNames.join(", ")}).`,
          source.locate([...path, index]),
        );
      }
    });
  }
}

/**
 * Reads environments/drift.yaml when it exists; no file means the default rules as they are.
 * `environmentNames`: every environment in environments/ (not only this run's selection, and
 * including those whose file has errors), the names `environments:` lists may use.
 */
export async function loadDriftPolicy(
  projectDir: string,
  environmentNames?: readonly string[],
  rules: readonly RuleSpec[] = defaultRules,
): Promise<LoadedPolicy> {
  const loaded = await loadYamlFile(projectDir, `${ENVIRONMENTS_DIR}/${DRIFT_FILE}`, driftFileSchema, {
    optional: true,
  });
  if (loaded.status === "missing")
    return {
      policy: { overrides: [], broadcast: undefined, file: undefined },
      diagnostics: loaded.diagnostics,
    };
  return driftPolicyOf(loaded, rules, environmentNames);
}
