import { GATE_BYPASS_HINT, gateBypassMessage } from "../../source/check-gate-bypass.js";
import { LISTEN_HOST_HINT, listenHostMessage } from "../../source/check-listen-host.js";
import { compareServerEntries } from "../../source/server-entry.js";
import type { CheckFn, RawFinding, RuleCheck } from "../rules.js";
import { environmentsFor, listNames } from "./scope.js";

export const checkSourceEntryEqual: CheckFn<Extract<RuleCheck, { check: "source-entry-equal" }>> = (
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

export const checkSourceEntryKnown: CheckFn<Extract<RuleCheck, { check: "source-entry-known" }>> = (
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
      hint: LAYOUT_HINTS[key],
      location: { file: fact.file, ...(fact.line ? { line: fact.line } : {}) },
    }));

export const checkEnvFileKeysEqual: CheckFn<Extract<RuleCheck, { check: "env-file-keys-equal" }>> = (
  rule,
  input,
) => {
  const environments = environmentsFor(rule, input.facts).filter((env) => env.envFile.readable);
  if (environments.length < 2) return [];
  const allowed = new Set([...(rule.ignore ?? []), ...input.facts.envSchema.environmentSpecificKeys]);
  const keys = [...new Set(environments.flatMap((env) => env.envFile.keys.map((k) => k.key)))].sort();
  const findings: RawFinding[] = [];
  for (const key of keys) {
    if (allowed.has(key)) continue;
    const having = environments.filter((env) => env.envFile.keys.some((k) => k.key === key));
    if (having.length === environments.length) continue;
    const example = having[0]!;
    const line = example.envFile.keys.find((k) => k.key === key)!.line;
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

export const checkNativeDepsBuildable: CheckFn<Extract<RuleCheck, { check: "native-deps-buildable" }>> = (
  _rule,
  input,
) => {
  const native = input.facts.source.native;
  if (!native?.dockerfile) return [];
  return native.findings
    .filter((finding) => finding.severity === "error")
    .map((finding) => ({
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

export const checkListenAllInterfaces: CheckFn<Extract<RuleCheck, { check: "listen-all-interfaces" }>> = (
  _rule,
  input,
) =>
  (input.facts.source.listenHost?.findings ?? []).map((finding) => ({
    fact: "source.listen-host",
    columns: [],
    message: listenHostMessage(finding),
    hint: LISTEN_HOST_HINT,
    location: { file: finding.file, line: finding.line },
  }));

export const checkDeploysThroughGate: CheckFn<Extract<RuleCheck, { check: "deploys-through-gate" }>> = (
  _rule,
  input,
) =>
  (input.facts.source.gateBypass?.findings ?? []).map((finding) => ({
    fact: "source.gate-bypass",
    columns: [],
    message: gateBypassMessage(finding),
    hint: GATE_BYPASS_HINT,
    location: { file: finding.file, line: finding.line },
  }));
