/** The immutable thing being deployed: an image pinned by digest and the version baked into it. */
export interface Artifact {
  digest: string;
  imageRef: string;
  version: string;
  gitSha: string;
  /** How it was chosen: built now, named with --image, or taken from the promotesFrom environment. */
  source: "build" | "image" | "promotes-from";
  from?: { environment: string; revision: string; passedAt: string };
}
