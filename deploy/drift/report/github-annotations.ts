import type { Finding } from "../rules.js";

/** `::error file=…,line=…,title=…::message` lines for GitHub Actions (one per finding). */
export function githubAnnotations(findings: readonly Finding[]): string[] {
  return findings.map((finding) => {
    const props: string[] = [];
    if (finding.location?.file) props.push(`file=${escapeProperty(finding.location.file)}`);
    if (finding.location?.line) props.push(`line=${finding.location.line}`);
    if (finding.location?.column) props.push(`col=${finding.location.column}`);
    props.push(`title=${escapeProperty(`echogate drift: ${finding.rule}`)}`);
    const message = finding.hint ? `${finding.message} ${finding.hint}` : finding.message;
    return `::${finding.severity} ${props.join(",")}::${escapeData(message)}`;
  });
}

// https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}
