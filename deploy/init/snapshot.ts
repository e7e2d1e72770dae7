/** What init read from the project: file paths and the texts of the files detection looks at. Pure data. */
export interface ProjectSnapshot {
  /** Posix paths relative to the project, node_modules and build output skipped. */
  files: readonly string[];
  /** Text of every file detection needs (package.json files, Dockerfiles, env files, server sources…). */
  texts: ReadonlyMap<string, string>;
}

export function textOf(snapshot: ProjectSnapshot, path: string): string | undefined {
  return snapshot.texts.get(path);
}
