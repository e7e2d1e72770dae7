/** One line of a source file that contributed to an entry finding. */
export interface TraceStep {
  file: string;
  line: number;
  text: string;
}

/** Which server file a source (Dockerfile, dev script, cloudbuild.yaml) runs. */
export interface EntryFact {
  /** Path relative to the project root (build context), or null when it can't be determined. */
  entry: string | null;
  /** The file the fact came from, relative to the project root. */
  file: string;
  /** 1-based line that names the entry (or the closest line that explains why there is none). */
  line: number | null;
  /** One sentence a drift report can print. */
  detail: string;
  /** How the entry was found, outermost (CMD, dev script, build step) first. */
  trace: TraceStep[];
}
