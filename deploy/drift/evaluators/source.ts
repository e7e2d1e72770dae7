import type { SharedBackend } from "../../envfiles/shared-backend.js";
import { compareServerEntries } from "../../source/entry-comparison.js";
import { GATE_BYPASS_HINT, gateBypassMessage } from "../../source/scan-gate-bypass.js";
import { LISTEN_HOST_HINT, listenHostMessage } from "../../source/scan-listen-host.js";
import type { RawFinding, RuleEvaluator, RuleKind } from "../rules.js";
import { environmentsFor, listNames } from "./scope.js";

export const evaluateSourceEntryEqual: RuleEvaluator<Extract<RuleKind, { kind: "source-entry-equal" }>> = (
  _rule,
  input,
) =>
  compareServerEntries(input.facts.source).mismatches.map((mismatch) => ({
    fact: "source.entry",
    columns: [],
    message: mismatch.message,
    hint: "Make the Dockerfile, the dev script and the Cloud Build file start one server file, so dev runs what production runs (the files are layout settings in environments/echogate.yaml).",
    location: { file: mismatch.b.fact.file, ...(mismatch.b.fact.line ? { line: mismatch.b.fact.line } : {}) },
  }));

export const evaluateSourceEntryKnown: RuleEvaluator<Extract<RuleKind, { kind: "source-entry-known" }>> = (
  _rule,
  input,
) =>
  (["dockerfile", "devScript", "cloudbuild"] as const)
    .filter((key) => !input.facts.source.absent.includes(key))
    .map((key) => ({ key, fact: input.facts.source[key] }))
    .filter(({ fact }) => fact.entry === null)
    .map(({ key, fact }) => ({
      fact: "source.entry",
      columns: [],
      message: fact.detail,
      hint: (input.facts.source.named ?? []).includes(key) ? NAMED_LAYOUT_HINTS[key] : LAYOUT_HINTS[key],
      location: { file: fact.file, ...(fact.line ? { line: fact.line } : {}) },
    }));

export const evaluateEnvFileKeysEqual: RuleEvaluator<Extract<RuleKind, { kind: "env-file-keys-equal" }>> = (
  rule,
  input,
) => {
  // A file whose parsing stopped early (reported by check) proves no key missing.
  const environments = environmentsFor(rule, input.facts).filter(
    (env) => env.envFile.readable && env.envFile.complete !== false,
  );
  if (environments.length < 2) return [];
  const allowed = new Set([...(rule.ignore ?? []), ...input.facts.envSchema.environmentSpecificKeys]);
  // Each file's keys by name: a key is looked up in every file, so scanning lists would be quadratic.
  const lines = new Map(
    environments.map((env) => {
      const byKey = new Map<string, number>();
      for (const { key, line } of env.envFile.keys) if (!byKey.has(key)) byKey.set(key, line);
      return [env, byKey] as const;
    }),
  );
  const keys = [...new Set(environments.flatMap((env) => env.envFile.keys.map((k) => k.key)))].sort();
  const findings: RawFinding[] = [];
  for (const key of keys) {
    if (allowed.has(key)) continue;
    const having = environments.filter((env) => lines.get(env)!.has(key));
    if (having.length === environments.length) continue;
    const example = having[0]!;
    const line = lines.get(example)!.get(key);
    for (const env of environments.filter((candidate) => !having.includes(candidate))) {
      findings.push({
        fact: `env-file.keys:${key}`,
        columns: [],
        message: `${env.envFile.file} (${env.name}) has no ${key}, but ${listNames(having.map((e) => e.name))} set it (${example.envFile.file}:${line}).`,
        hint: `Add ${key} to ${env.envFile.file}, or mark it \`environmentSpecific: true\` in environments/env.schema.yaml.`,
        location: { file: env.envFile.file, keyPath: key },
      });
    }
  }
  return findings;
};

export const evaluateNativeDepsBuildable: RuleEvaluator<
  Extract<RuleKind, { kind: "native-deps-buildable" }>
> = (_rule, input) => {
  const native = input.facts.source.native;
  if (!native?.dockerfile) return [];
  // Warnings stay warnings (a prebuilt download that may fall back to a build): check says the same.
  return native.findings.map((finding) => ({
    ...(finding.severity === "warning" ? { severity: "warning" as const } : {}),
    fact: `source.native:${finding.code}`,
    columns: [],
    message: finding.message,
    hint: finding.hint,
    location: { file: native.dockerfile!, line: finding.line },
  }));
};

/** Each source's setting in environments/echogate.yaml (docs/reference.md#layout). */
const LAYOUT_HINTS = {
  dockerfile:
    "Drift compares only entries it can read: set layout.dockerfile in environments/echogate.yaml to the Dockerfile that builds the server, and make it COPY and CMD one server file.",
  devScript:
    "Drift compares only entries it can read: set layout.devScript in environments/echogate.yaml to the package.json script that starts the server (e.g. start), or `devScript: false` if none does.",
  cloudbuild:
    "Drift compares only entries it can read: set layout.cloudbuild in environments/echogate.yaml to the Cloud Build file that builds the server, or `cloudbuild: false` if CI doesn't use Cloud Build.",
} as const;

/** The same, when the setting is already set: point at the file it names, not at the setting. */
const NAMED_LAYOUT_HINTS = {
  dockerfile:
    'layout.dockerfile already names this file: make its CMD start one server file echogate can trace (`CMD ["node", "server.js"]`, or `npm start` with a start script in the build context\'s package.json that runs one), or set layout.serverEntry in environments/echogate.yaml.',
  devScript:
    "layout.devScript already names this script: make it run the server file with a runner echogate reads (node, tsx, ts-node, nodemon, bun), or set layout.serverEntry in environments/echogate.yaml.",
  cloudbuild:
    "layout.cloudbuild already names this file: make one step `docker build` the server's Dockerfile, or set `cloudbuild: false` if it doesn't build the server.",
} as const;

export const evaluateListenAllInterfaces: RuleEvaluator<
  Extract<RuleKind, { kind: "listen-all-interfaces" }>
> = (_rule, input) =>
  scanFindings(
    input.facts.source.listenHost?.findings,
    "source.listen-host",
    listenHostMessage,
    LISTEN_HOST_HINT,
  );

export const evaluateDeploysThroughGate: RuleEvaluator<
  Extract<RuleKind, { kind: "deploys-through-gate" }>
> = (_rule, input) =>
  scanFindings(
    input.facts.source.gateBypass?.findings,
    "source.gate-bypass",
    gateBypassMessage,
    GATE_BYPASS_HINT,
  );

export const evaluateSharedBackend: RuleEvaluator<Extract<RuleKind, { kind: "shared-backend" }>> = (
  _rule,
  input,
) =>
  (input.facts.source.sharedBackends ?? [])
    .filter((shared) => shared.declared === undefined)
    .map((shared) => {
      const [first, ...others] = shared.uses;
      return {
        fact: `env-file.shared:${shared.key}`,
        columns: [],
        message: `${shared.key} points ${listNames(shared.uses.map((use) => use.environment))} at the same backend (${shared.backend}): ${shared.uses.map((use) => `${use.file}:${use.line}`).join(", ")}. What one environment writes or publishes there, the other reads: a message sent in ${first!.environment} reaches ${others[0]!.environment}'s clients.`,
        hint: `Give each environment its own ${shared.key}, or declare it in environments/env.schema.yaml: \`${shared.key}: { shared: { environments: [${shared.uses.map((use) => use.environment).join(", ")}], reason: "…" } }\`.`,
        location: { file: first!.file, line: first!.line, keyPath: shared.key },
      };
    });

/** A share env.schema.yaml declares, as one line for reports: `REDIS_URL: staging and production share redis://… (reason)`. */
export function sharedBackendNotice(shared: SharedBackend): string {
  return `${shared.key}: ${listNames(shared.uses.map((use) => use.environment))} share ${shared.backend}, declared in environments/env.schema.yaml (${shared.declared}).`;
}

/** A source scan's findings as rule findings, each at its file and line. */
function scanFindings<F extends { file: string; line: number }>(
  findings: readonly F[] | undefined,
  fact: string,
  message: (finding: F) => string,
  hint: string,
): RawFinding[] {
  return (findings ?? []).map((finding) => ({
    fact,
    columns: [],
    message: message(finding),
    hint,
    location: { file: finding.file, line: finding.line },
  }));
}
