import { readSourceText } from "../core/read-source-file.js";
import { findGateBypasses, type GateBypass } from "./gate-bypass.js";
import { cloudbuildCandidates } from "./layout.js";
import { listProjectFiles } from "./project-files.js";

export interface GateBypassReport {
  /** The files scanned, relative to the project. */
  files: string[];
  findings: Array<GateBypass & { file: string }>;
}

const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/;

/** Scans the Cloud Build files, GitHub workflows and package.json for deploys that skip the gate. */
export function scanGateBypass(projectDir: string): GateBypassReport {
  const listed = listProjectFiles(projectDir);
  const files = [
    ...cloudbuildCandidates(listed),
    ...listed.filter((file) => WORKFLOW.test(file)),
    "package.json",
  ];
  const findings = files.flatMap((file) => {
    const text = readSourceText(projectDir, file);
    return text === undefined ? [] : findGateBypasses(text).map((finding) => ({ ...finding, file }));
  });
  return { files, findings };
}

export function gateBypassMessage(finding: GateBypass & { file: string }): string {
  return `${finding.file}:${finding.line} changes Cloud Run without the gate: \`${finding.text}\``;
}

export const GATE_BYPASS_HINT =
  "Deploy with `echogate deploy <env> --image …` (and `echogate promote` for production): a revision deployed or traffic moved with gcloud reaches users with no smoke test and no gate record.";
