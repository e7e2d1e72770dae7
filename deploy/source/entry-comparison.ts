import type { EntryFact } from "./entry-fact.js";

export { type CloudbuildEntryFact, entryFromCloudbuild, type ReadProjectFile } from "./cloudbuild-entry.js";
export { entryFromDevScript } from "./dev-script-entry.js";
export { entryFromDockerfile } from "./dockerfile-entry.js";
export type { EntryFact, TraceStep } from "./entry-fact.js";

export interface SourceFacts {
  /** The Dockerfile the project ships (Dockerfile.minimal, else Dockerfile). */
  dockerfile: EntryFact;
  /** package.json `dev` script: what a developer runs locally. */
  devScript: EntryFact;
  /** cloudbuild.yaml: what CI builds. */
  cloudbuild: EntryFact;
  /** layout.serverEntry in environments/echogate.yaml, when set: what every other source must run. */
  configured?: EntryFact;
}

interface EntryMismatch {
  a: { source: keyof SourceFacts; fact: EntryFact };
  b: { source: keyof SourceFacts; fact: EntryFact };
  message: string;
}

interface EntryComparison {
  consistent: boolean;
  mismatches: EntryMismatch[];
  /** Sources whose entry couldn't be determined; they are not compared. */
  unknown: Array<{ source: keyof SourceFacts; fact: EntryFact }>;
}

const LABELS: Record<keyof SourceFacts, string> = {
  configured: "layout.serverEntry",
  dockerfile: "the Dockerfile",
  devScript: "the dev script",
  cloudbuild: "Cloud Build",
};

function where(fact: EntryFact): string {
  return fact.line === null ? fact.file : `${fact.file}:${fact.line}`;
}

/** Pure: every pair of known entries that differ, each with a message naming file and line. */
export function compareServerEntries(facts: SourceFacts): EntryComparison {
  const sources = (Object.keys(LABELS) as Array<keyof SourceFacts>).flatMap((source) => {
    const fact = facts[source];
    return fact ? [{ source, fact }] : [];
  });
  const known = sources.filter(({ fact }) => fact.entry !== null);
  const mismatches: EntryMismatch[] = [];
  known.forEach((a, i) => {
    // A configured entry is the reference: the other sources are compared with it, not with each other.
    if (facts.configured?.entry && a.source !== "configured") return;
    for (const b of known.slice(i + 1)) {
      if (a.fact.entry === b.fact.entry) continue;
      mismatches.push({
        a,
        b,
        message:
          `${LABELS[a.source]} runs ${a.fact.entry} (${where(a.fact)}), ` +
          `but ${LABELS[b.source]} runs ${b.fact.entry} (${where(b.fact)}).`,
      });
    }
  });
  return {
    consistent: mismatches.length === 0,
    mismatches,
    unknown: sources.filter(({ fact }) => fact.entry === null),
  };
}
